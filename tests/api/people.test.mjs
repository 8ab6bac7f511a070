// SPDX-License-Identifier: MIT
// People API: creating an account with a role in a unit (the platform
// administrator for staff and students; only the administration appoints a
// platform administrator), the role/unit rules, one curator per group, the
// people search (scope, Cyrillic case-insensitive text, paging), reading a
// person (self, or who may read their units), assigning and ending roles
// (never the last platform administrator). Refusals change nothing; every
// change is audited.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { Person, request } from '../lib/http.mjs';
import { buildCollege, call, createPerson, createUnit, PASSWORD } from '../lib/org.mjs';

let srv;
let c;

before(async () => {
  srv = await startServer();
  c = await buildCollege(srv);
});

after(async () => { await srv?.stop(); });

const nonAdmins = () => ({ director: c.people.director, manager: c.people.manager, curator: c.people.curator, teacher: c.people.teacher, student: c.people.student, staff: c.people.staff });

async function person(id) {
  const r = await call(c.admin, 'GET', `/api/v1/people/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function total(query = '') {
  const r = await call(c.admin, 'GET', `/api/v1/people${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json.total;
}

async function lastAudit(action) {
  const r = await call(c.admin, 'GET', `/api/v1/audit?action=${action}&limit=1`);
  assert.equal(r.status, 200, r.text);
  return r.json.entries[0];
}

describe('POST /api/v1/people', () => {
  test('the administrator creates a person who can then log in; audited', async () => {
    const r = await call(c.admin, 'POST', '/api/v1/people', {
      login: ' Nina.Teacher@College.RU ', name: ' Нина Преподавателева ', password: 'nina-pass-123', role: 'teacher', unit_id: c.units.D.id,
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.user.login, 'nina.teacher@college.ru');
    assert.equal(r.json.user.name, 'Нина Преподавателева');
    assert.deepEqual(r.json.user.roles, ['teacher']);
    assert.ok(Number.isInteger(r.json.user.id));
    const login = await new Person(srv).login('nina.teacher@college.ru', 'nina-pass-123');
    assert.equal(login.status, 200);
    assert.deepEqual(login.json.user.roles, ['teacher']);
    const e = await lastAudit('person.create');
    assert.equal(e.target, `user:${r.json.user.id}`);
    assert.equal(e.actor.id, c.adminUser.id);
    assert.equal(e.after.user.login, 'nina.teacher@college.ru');
    assert.equal(e.after.assignment.role, 'teacher');
    assert.equal(e.after.assignment.unit_id, c.units.D.id);
    assert.ok(!JSON.stringify(e).includes('nina-pass-123'));
  });

  test('without a password the person exists but cannot log in', async () => {
    const u = await createPerson(c.admin, { login: '+7 912 000-11-22', name: 'Без Пароля', role: 'student', unit_id: c.units.G2.id });
    assert.equal(u.login, '+79120001122');
    const r = await new Person(srv).login('+79120001122', 'whatever-password');
    assert.equal(r.status, 401);
    assert.equal((await person(u.id)).assignments[0].role, 'student');
  });

  test('every role in the units the rules allow; a director flag for the administration', async () => {
    const ok = [
      ['administration', 1, true], ['administration', c.units.B.id, false], ['administration', c.units.D.id, false],
      ['teacher', 1], ['teacher', c.units.B.id], ['staff', 1], ['staff', c.units.B.id],
      ['curator', c.units.G2.id], ['student', c.units.G1.id],
    ];
    let i = 0;
    for (const [role, unit, director] of ok) {
      const body = { login: `ok${i++}@college.ru`, name: `Допустимый ${role}`, role, unit_id: unit };
      if (director !== undefined) body.director = director;
      const u = await createPerson(c.admin, body);
      const p = await person(u.id);
      assert.equal(p.assignments.length, 1);
      assert.equal(p.assignments[0].role, role);
      assert.equal(p.assignments[0].unit_id, unit);
      assert.equal(p.assignments[0].director, director === true);
      assert.equal(p.assignments[0].until, null);
    }
  });

  test('malformed or misplaced: 400 with the field; nothing is created', async () => {
    const before = await total();
    const base = { login: 'bad@college.ru', name: 'Плохой Запрос', role: 'student', unit_id: c.units.G1.id };
    const cases = [
      [{ login: undefined }, 'login'],
      [{ login: 'not a login' }, 'login'],
      [{ login: 12 }, 'login'],
      [{ name: '' }, 'name'],
      [{ name: 'a\nb' }, 'name'],
      [{ password: 'short' }, 'password'],
      [{ password: 'x'.repeat(257) }, 'password'],
      [{ password: 12345678 }, 'password'],
      [{ role: undefined }, 'role'],
      [{ role: 'admin' }, 'role'],
      [{ role: 'parent' }, 'role'],
      [{ unit_id: undefined }, 'unit_id'],
      [{ unit_id: '3' }, 'unit_id'],
      [{ unit_id: 0 }, 'unit_id'],
      [{ unit_id: 999999 }, 'unit_id'],
      [{ role: 'student', unit_id: c.units.B.id }, 'unit_id'],
      [{ role: 'student', unit_id: 1 }, 'unit_id'],
      [{ role: 'curator', unit_id: c.units.D.id }, 'unit_id'],
      [{ role: 'teacher', unit_id: c.units.G1.id }, 'unit_id'],
      [{ role: 'staff', unit_id: c.units.G2.id }, 'unit_id'],
      [{ role: 'administration', unit_id: c.units.G1.id }, 'unit_id'],
      [{ role: 'teacher', unit_id: 1, director: true }, 'director'],
      [{ role: 'administration', unit_id: 1, director: 'yes' }, 'director'],
    ];
    for (const [patch, field] of cases) {
      const body = { ...base, ...patch };
      for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
      const r = await call(c.admin, 'POST', '/api/v1/people', body);
      assert.equal(r.status, 400, `${JSON.stringify(patch)}: ${r.text}`);
      assert.equal(r.json.error.field, field, JSON.stringify(patch));
    }
    assert.equal(await total(), before);
  });

  test('a taken login (in any case) is a 409 on login', async () => {
    const before = await total();
    const r = await call(c.admin, 'POST', '/api/v1/people', { login: 'STUDENT@college.ru', name: 'Двойник', role: 'student', unit_id: c.units.G1.id });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.field, 'login');
    assert.equal(await total(), before);
  });

  test('only the administration appoints a platform administrator, in the college', async () => {
    const before = await total();
    let r = await call(c.admin, 'POST', '/api/v1/people', { login: 'admin2@college.ru', name: 'Второй Админ', password: PASSWORD, role: 'platform_admin', unit_id: 1 });
    assert.equal(r.status, 403, 'the platform administrator does not appoint another');
    r = await call(c.people.director, 'POST', '/api/v1/people', { login: 'admin2@college.ru', name: 'Второй Админ', role: 'platform_admin', unit_id: c.units.B.id });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'unit_id');
    assert.equal(await total(), before);
    r = await call(c.people.director, 'POST', '/api/v1/people', { login: 'admin2@college.ru', name: 'Второй Админ', password: PASSWORD, role: 'platform_admin', unit_id: 1 });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.user.roles, ['platform_admin']);
    // an administration member of a branch may appoint too (the regulation gives it to the administration)
    r = await call(c.people.manager, 'POST', '/api/v1/people', { login: 'admin3@college.ru', name: 'Третий Админ', role: 'platform_admin', unit_id: 1 });
    assert.equal(r.status, 201, r.text);
  });

  test('nobody else creates people; nothing is created', async () => {
    const before = await total();
    for (const [who, p] of Object.entries(nonAdmins())) {
      for (const [role, unit] of [['student', c.units.G1.id], ['teacher', c.units.B.id], ['curator', c.units.G1.id]]) {
        const r = await call(p, 'POST', '/api/v1/people', { login: `x-${who}-${role}@college.ru`, name: 'Самозванец', role, unit_id: unit });
        assert.equal(r.status, 403, `${who} creating a ${role}`);
      }
    }
    assert.equal(await total(), before);
    const r = await request(srv, 'POST', '/api/v1/people', { json: { login: 'anon@college.ru', name: 'Аноним', role: 'student', unit_id: c.units.G1.id } });
    assert.equal(r.status, 401);
  });
});

describe('one curator per group', () => {
  test('a new curator ends the previous one\'s assignment, in the same transaction', async () => {
    const g = await createUnit(c.admin, { kind: 'study_group', parent_id: c.units.B.id, name: 'Кураторская', code: 'КУР-1', enrolment_year: 2024 });
    const first = await createPerson(c.admin, { login: 'cur1@college.ru', name: 'Первый Куратор', role: 'curator', unit_id: g.id });
    const second = await createPerson(c.admin, { login: 'cur2@college.ru', name: 'Второй Куратор', role: 'curator', unit_id: g.id });
    const p1 = await person(first.id);
    assert.match(p1.assignments[0].until, /^\d{4}-\d\d-\d\dT/);
    const e = await lastAudit('person.create');
    assert.equal(e.before.user_id, first.id);
    assert.notEqual(e.before.until, null);
    let u = await call(c.admin, 'GET', `/api/v1/org/units/${g.id}`);
    assert.deepEqual(u.json.curator, { id: second.id, name: 'Второй Куратор' });
    assert.deepEqual(u.json.people.filter((x) => x.role === 'curator').map((x) => x.user_id), [second.id]);
    // and through role assignment
    const r = await call(c.admin, 'POST', `/api/v1/people/${first.id}/roles`, { role: 'curator', unit_id: g.id });
    assert.equal(r.status, 201, r.text);
    u = await call(c.admin, 'GET', `/api/v1/org/units/${g.id}`);
    assert.equal(u.json.curator.id, first.id);
    const p2 = await person(second.id);
    assert.notEqual(p2.assignments[0].until, null);
    const a = await lastAudit('role.assign');
    assert.equal(a.before.user_id, second.id);
    assert.equal(a.after.user_id, first.id);
  });
});

describe('GET /api/v1/people', () => {
  test('the administrator searches by Cyrillic text in any case, and by login', async () => {
    for (const q of ['семен', 'СЕМЁН', 'Студентов', 'student@college']) {
      const r = await call(c.admin, 'GET', `/api/v1/people?q=${encodeURIComponent(q)}`);
      assert.equal(r.status, 200, q);
      assert.ok(r.json.people.some((p) => p.id === c.users.student.id), `${q}: ${r.text}`);
      assert.ok(r.json.people.every((p) => /семён|student/i.test(`${p.name} ${p.login}`)), q);
    }
    const r = await call(c.admin, 'GET', `/api/v1/people?q=${encodeURIComponent('нет такого человека')}`);
    assert.deepEqual(r.json, { people: [], total: 0 });
  });

  test('each row lists the person\'s active roles with unit names', async () => {
    const r = await call(c.admin, 'GET', `/api/v1/people?q=${encodeURIComponent('Кураторова')}`);
    assert.equal(r.json.total, 1);
    assert.deepEqual(r.json.people[0], {
      id: c.users.curator.id, name: 'Ольга Кураторова', login: 'curator@college.ru',
      roles: [{ role: 'curator', unit_id: c.units.G1.id, unit_name: 'Технология машиностроения' }],
    });
  });

  test('filters by unit (with its descendants) and by role; pages by limit and offset', async () => {
    let r = await call(c.admin, 'GET', `/api/v1/people?unit_id=${c.units.B.id}`);
    const ids = r.json.people.map((p) => p.id);
    for (const k of ['manager', 'curator', 'teacher', 'student', 'staff']) assert.ok(ids.includes(c.users[k].id), k);
    assert.ok(!ids.includes(c.users.director.id));
    r = await call(c.admin, 'GET', `/api/v1/people?unit_id=${c.units.B.id}&role=student`);
    assert.ok(r.json.people.every((p) => p.roles.some((x) => x.role === 'student')));
    assert.ok(r.json.people.some((p) => p.id === c.users.student.id));
    r = await call(c.admin, 'GET', '/api/v1/people?role=administration');
    assert.ok(r.json.people.some((p) => p.id === c.users.director.id));
    assert.ok(!r.json.people.some((p) => p.id === c.users.student.id));

    const all = await call(c.admin, 'GET', '/api/v1/people?limit=200');
    const n = all.json.total;
    assert.equal(all.json.people.length, n);
    const names = all.json.people.map((p) => p.name);
    assert.deepEqual([...names].sort(), names, 'ordered by name');
    const p1 = await call(c.admin, 'GET', '/api/v1/people?limit=3&offset=0');
    const p2 = await call(c.admin, 'GET', '/api/v1/people?limit=3&offset=3');
    assert.equal(p1.json.total, n);
    assert.deepEqual([...p1.json.people, ...p2.json.people].map((p) => p.id), all.json.people.slice(0, 6).map((p) => p.id));
  });

  test('scoped readers see their units only; others get 403', async () => {
    let r = await call(c.people.curator, 'GET', `/api/v1/people?unit_id=${c.units.G1.id}`);
    assert.equal(r.status, 200);
    assert.ok(r.json.people.some((p) => p.id === c.users.student.id));
    r = await call(c.people.teacher, 'GET', `/api/v1/people?unit_id=${c.units.G1.id}`);
    assert.equal(r.status, 200, 'a teacher of the branch reads its groups');
    r = await call(c.people.director, 'GET', '/api/v1/people');
    assert.equal(r.status, 200, 'the college\'s administration reads everyone');
    for (const [who, path] of [
      ['curator', '/api/v1/people'], ['curator', `/api/v1/people?unit_id=${c.units.G2.id}`],
      ['teacher', `/api/v1/people?unit_id=${c.units.G2.id}`], ['manager', `/api/v1/people?unit_id=${c.units.G2.id}`],
      ['student', `/api/v1/people?unit_id=${c.units.G1.id}`], ['staff', `/api/v1/people?unit_id=${c.units.D.id}`],
    ]) {
      r = await call(c.people[who], 'GET', path);
      assert.equal(r.status, 403, `${who} ${path}`);
    }
    assert.equal((await request(srv, 'GET', '/api/v1/people')).status, 401);
  });

  test('malformed queries: 400 with the field', async () => {
    for (const [q, field] of [
      ['limit=0', 'limit'], ['limit=201', 'limit'], ['limit=abc', 'limit'], ['offset=-1', 'offset'],
      ['role=king', 'role'], ['unit_id=abc', 'unit_id'], ['unit_id=0', 'unit_id'], ['unit_id=999999', 'unit_id'],
      [`q=${encodeURIComponent('я'.repeat(201))}`, 'q'], ['q=%ZZ', 'q'],
    ]) {
      const r = await call(c.admin, 'GET', `/api/v1/people?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.json.error.field, field, q);
    }
  });
});

describe('GET /api/v1/people/:id', () => {
  test('a person reads themselves: history and guardianships', async () => {
    const r = await call(c.people.student, 'GET', `/api/v1/people/${c.users.student.id}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.user, { id: c.users.student.id, login: 'student@college.ru', name: 'Семён Студентов' });
    assert.equal(r.json.assignments.length, 1);
    const a = r.json.assignments[0];
    assert.equal(a.role, 'student');
    assert.equal(a.unit_id, c.units.G1.id);
    assert.equal(a.unit_name, 'Технология машиностроения');
    assert.equal(a.until, null);
    assert.deepEqual(r.json.guardianships, []);
  });

  test('those who read the person\'s units may read them; others get 403', async () => {
    for (const who of ['admin', 'director', 'manager', 'curator', 'teacher']) {
      const p = who === 'admin' ? c.admin : c.people[who];
      const r = await call(p, 'GET', `/api/v1/people/${c.users.student.id}`);
      assert.equal(r.status, 200, who);
    }
    for (const [who, target] of [['student', 'curator'], ['student', 'teacher'], ['staff', 'student'], ['curator', 'director'], ['teacher', 'director']]) {
      const r = await call(c.people[who], 'GET', `/api/v1/people/${c.users[target].id}`);
      assert.equal(r.status, 403, `${who} reading ${target}`);
    }
  });

  test('unknown ids: 404 for those who read everyone, 403 for others; bad ids 400', async () => {
    assert.equal((await call(c.admin, 'GET', '/api/v1/people/999999')).status, 404);
    assert.equal((await call(c.people.student, 'GET', '/api/v1/people/999999')).status, 403);
    const r = await call(c.admin, 'GET', '/api/v1/people/x1');
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'id');
    assert.equal((await request(srv, 'GET', `/api/v1/people/${c.users.student.id}`)).status, 401);
  });
});

describe('assigning and ending roles', () => {
  test('the administrator adds a role; duplicates are refused; audited', async () => {
    const u = await createPerson(c.admin, { login: 'multi@college.ru', name: 'Многоролевой', role: 'staff', unit_id: c.units.D.id });
    const r = await call(c.admin, 'POST', `/api/v1/people/${u.id}/roles`, { role: 'teacher', unit_id: c.units.B.id });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.user_id, u.id);
    assert.equal(r.json.role, 'teacher');
    assert.equal(r.json.unit_id, c.units.B.id);
    assert.equal(r.json.unit_name, 'Бардымский филиал');
    assert.equal(r.json.until, null);
    assert.match(r.json.since, /Z$/);
    const e = await lastAudit('role.assign');
    assert.equal(e.target, `user:${u.id}`);
    assert.equal(e.after.id, r.json.id);
    const dup = await call(c.admin, 'POST', `/api/v1/people/${u.id}/roles`, { role: 'teacher', unit_id: c.units.B.id });
    assert.equal(dup.status, 409);
    assert.equal(dup.json.error.field, 'role');
    assert.equal((await person(u.id)).assignments.length, 2);
  });

  test('bad input: 400 with the field; unknown person 404', async () => {
    const id = c.users.staff.id;
    for (const [body, field] of [
      [{ unit_id: c.units.B.id }, 'role'], [{ role: 'parent', unit_id: c.units.G1.id }, 'role'],
      [{ role: 'teacher' }, 'unit_id'], [{ role: 'teacher', unit_id: c.units.G1.id }, 'unit_id'],
      [{ role: 'teacher', unit_id: 999999 }, 'unit_id'], [{ role: 'staff', unit_id: 1, director: true }, 'director'],
    ]) {
      const r = await call(c.admin, 'POST', `/api/v1/people/${id}/roles`, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error.field, field, JSON.stringify(body));
    }
    assert.equal((await person(id)).assignments.length, 1);
    const r = await call(c.admin, 'POST', '/api/v1/people/999999/roles', { role: 'teacher', unit_id: 1 });
    assert.equal(r.status, 404);
  });

  test('nobody else assigns or ends roles; nothing changes', async () => {
    const target = c.users.staff.id;
    const was = await person(target);
    const aid = was.assignments[0].id;
    for (const [who, p] of Object.entries(nonAdmins())) {
      let r = await call(p, 'POST', `/api/v1/people/${target}/roles`, { role: 'teacher', unit_id: c.units.D.id });
      assert.equal(r.status, 403, who);
      r = await call(p, 'DELETE', `/api/v1/people/${target}/roles/${aid}`);
      assert.equal(r.status, 403, who);
    }
    assert.deepEqual(await person(target), was);
    assert.equal((await request(srv, 'DELETE', `/api/v1/people/${target}/roles/${aid}`)).status, 401);
  });

  test('ending a role: 204, kept in history, refused twice or for someone else', async () => {
    const u = await createPerson(c.admin, { login: 'leaver@college.ru', name: 'Уходящий', password: PASSWORD, role: 'teacher', unit_id: c.units.B.id });
    const aid = (await person(u.id)).assignments[0].id;
    const wrong = await call(c.admin, 'DELETE', `/api/v1/people/${c.users.staff.id}/roles/${aid}`);
    assert.equal(wrong.status, 404);
    let r = await call(c.admin, 'DELETE', `/api/v1/people/${u.id}/roles/${aid}`);
    assert.equal(r.status, 204);
    const p = await person(u.id);
    assert.equal(p.assignments.length, 1);
    assert.match(p.assignments[0].until, /Z$/);
    const e = await lastAudit('role.end');
    assert.equal(e.before.until, null);
    assert.notEqual(e.after.until, null);
    r = await call(c.admin, 'DELETE', `/api/v1/people/${u.id}/roles/${aid}`);
    assert.equal(r.status, 409);
    // the ended role no longer grants anything
    const me = await new Person(srv).login('leaver@college.ru', PASSWORD);
    assert.deepEqual(me.json.user.roles, []);
    assert.equal((await call(c.admin, 'DELETE', `/api/v1/people/${u.id}/roles/999999`)).status, 404);
    assert.equal((await call(c.admin, 'DELETE', `/api/v1/people/${u.id}/roles/abc`)).status, 400);
  });

  test('platform administrators: appointed and relieved by the administration, never the last one', async () => {
    const u = await createPerson(c.admin, { login: 'future-admin@college.ru', name: 'Будущий Админ', role: 'staff', unit_id: 1 });
    let r = await call(c.admin, 'POST', `/api/v1/people/${u.id}/roles`, { role: 'platform_admin', unit_id: 1 });
    assert.equal(r.status, 403);
    r = await call(c.people.director, 'POST', `/api/v1/people/${u.id}/roles`, { role: 'platform_admin', unit_id: c.units.B.id });
    assert.equal(r.status, 400);
    r = await call(c.people.director, 'POST', `/api/v1/people/${u.id}/roles`, { role: 'platform_admin', unit_id: 1 });
    assert.equal(r.status, 201, r.text);
    const newAdmin = r.json.id;
    // the platform administrator cannot relieve one; the administration can
    assert.equal((await call(c.admin, 'DELETE', `/api/v1/people/${u.id}/roles/${newAdmin}`)).status, 403);
    assert.equal((await call(c.people.director, 'DELETE', `/api/v1/people/${u.id}/roles/${newAdmin}`)).status, 204);
    // relieve every platform administrator but the first, then refuse the last
    const admins = await call(c.admin, 'GET', '/api/v1/people?role=platform_admin&limit=200');
    for (const p of admins.json.people) {
      if (p.id === c.adminUser.id) continue;
      const pa = (await person(p.id)).assignments.find((a) => a.role === 'platform_admin' && a.until === null);
      assert.equal((await call(c.people.director, 'DELETE', `/api/v1/people/${p.id}/roles/${pa.id}`)).status, 204);
    }
    const first = (await person(c.adminUser.id)).assignments.find((a) => a.role === 'platform_admin');
    r = await call(c.people.director, 'DELETE', `/api/v1/people/${c.adminUser.id}/roles/${first.id}`);
    assert.equal(r.status, 409);
    assert.equal(r.json.error.field, 'role');
    assert.equal((await person(c.adminUser.id)).assignments.find((a) => a.id === first.id).until, null);
    // the first administrator's assignment (made by setup, unit NULL) reads as the college
    assert.equal(first.unit_id, 1);
  });
});
