// SPDX-License-Identifier: MIT
// Structure API: the tree (every member of the college sees it; archived
// units only on request), the college's name and details (the platform
// administrator only), creating units under the nesting rules, reading a unit
// (the roster only for those who may read its people), renaming, recoding
// and moving (no cycles, the college stays put), archiving and restoring.
// Every refusal leaves the structure as it was; every change is audited.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { request } from '../lib/http.mjs';
import { buildCollege, call, createPerson, createUnit } from '../lib/org.mjs';

let srv;
let c;   // the college fixture

before(async () => {
  srv = await startServer();
  c = await buildCollege(srv);
});

after(async () => { await srv?.stop(); });

async function tree(who = c.admin, query = '') {
  const r = await call(who, 'GET', `/api/v1/org/tree${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function unit(id) {
  const r = await call(c.admin, 'GET', `/api/v1/org/units/${id}`);
  assert.equal(r.status, 200, r.text);
  delete r.json.people;
  return r.json;
}

async function lastAudit(action) {
  const r = await call(c.admin, 'GET', `/api/v1/audit?action=${action}&limit=1`);
  assert.equal(r.status, 200, r.text);
  return r.json.entries[0];
}

function others() {
  const p = c.people;
  return { director: p.director, manager: p.manager, curator: p.curator, teacher: p.teacher, student: p.student, staff: p.staff };
}

describe('tree', () => {
  test('every member of the college sees the tree, with curator and counts', async () => {
    for (const [who, p] of Object.entries({ admin: c.admin, ...others() })) {
      const t = await tree(p);
      assert.equal(t.college.id, 1, who);
      const ids = t.units.map((u) => u.id);
      for (const u of Object.values(c.units)) assert.ok(ids.includes(u.id), `${who}: ${u.name}`);
      assert.ok(!ids.includes(1), 'the college is not among the units');
      const g1 = t.units.find((u) => u.id === c.units.G1.id);
      assert.equal(g1.kind, 'study_group');
      assert.equal(g1.parent_id, c.units.B.id);
      assert.equal(g1.code, 'ТМ-21');
      assert.equal(g1.enrolment_year, 2021);
      assert.equal(g1.archived, false);
      assert.deepEqual(g1.curator, { id: c.users.curator.id, name: 'Ольга Кураторова' });
      assert.ok(g1.counts.students >= 1, JSON.stringify(g1));
      const b = t.units.find((u) => u.id === c.units.B.id);
      assert.equal(b.kind, 'branch');
      assert.equal(b.parent_id, 1);
      assert.equal(b.curator, null);
      assert.equal(b.code, null);
      assert.equal(b.enrolment_year, null);
      assert.ok(b.counts.staff >= 2, JSON.stringify(b)); // the teacher and the administration member
    }
  });

  test('unauthenticated: 401; a bad archived flag: 400', async () => {
    const r = await request(srv, 'GET', '/api/v1/org/tree');
    assert.equal(r.status, 401);
    const bad = await call(c.admin, 'GET', '/api/v1/org/tree?archived=yes');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'archived');
  });
});

describe('college', () => {
  test('the platform administrator edits the name and details; the change is audited', async () => {
    const details = { address: '617830, Пермский край, г. Чернушка, ул. Юбилейная, 91', phone: '+7 (34261) 4-18-52', site: 'https://kpk.example', inn: '5957000000' };
    const r = await call(c.admin, 'PATCH', '/api/v1/org/college', { name: ' Краевой политехнический колледж ', short_name: 'КПК', details });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { id: 1, name: 'Краевой политехнический колледж', short_name: 'КПК', details });
    const t = await tree(c.people.student);
    assert.deepEqual(t.college, r.json);
    // a partial update keeps the rest
    const r2 = await call(c.admin, 'PATCH', '/api/v1/org/college', { short_name: 'ГБПОУ КПК' });
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json.name, 'Краевой политехнический колледж');
    assert.deepEqual(r2.json.details, details);
    const e = await lastAudit('college.edit');
    assert.equal(e.actor.id, c.adminUser.id);
    assert.equal(e.target, 'college');
    assert.equal(e.before.short_name, 'КПК');
    assert.equal(e.after.short_name, 'ГБПОУ КПК');
    assert.deepEqual(e.after.details, details);
  });

  test('nobody else may edit the college, and a refusal changes nothing', async () => {
    const was = (await tree()).college;
    for (const [who, p] of Object.entries(others())) {
      const r = await call(p, 'PATCH', '/api/v1/org/college', { name: 'Захвачено' });
      assert.equal(r.status, 403, who);
      assert.equal(r.json.error.code, 'forbidden');
    }
    assert.deepEqual((await tree()).college, was);
    const r = await request(srv, 'PATCH', '/api/v1/org/college', { json: { name: 'x' } });
    assert.equal(r.status, 401);
  });

  test('malformed edits: 400 with the field, nothing changes', async () => {
    const was = (await tree()).college;
    const manyKeys = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']));
    const cases = [
      [{ name: '' }, 'name'],
      [{ name: '   ' }, 'name'],
      [{ name: 42 }, 'name'],
      [{ name: 'a'.repeat(201) }, 'name'],
      [{ short_name: 'б'.repeat(65) }, 'short_name'],
      [{ details: 'address' }, 'details'],
      [{ details: ['a'] }, 'details'],
      [{ details: { phone: 123 } }, 'details'],
      [{ details: { nested: { a: 'b' } } }, 'details'],
      [{ details: manyKeys }, 'details'],
      [{ details: { address: 'ж'.repeat(501) } }, 'details'],
      [{}, 'body'],
    ];
    for (const [body, field] of cases) {
      const r = await call(c.admin, 'PATCH', '/api/v1/org/college', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error.field, field, JSON.stringify(body));
    }
    // 32 keys and 500 characters are within the limits
    const ok = await call(c.admin, 'PATCH', '/api/v1/org/college', { details: { ...Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, 'v'])), address: 'ж'.repeat(500) } });
    assert.equal(ok.status, 200, ok.text);
    const back = await call(c.admin, 'PATCH', '/api/v1/org/college', { details: was.details });
    assert.equal(back.status, 200);
    assert.deepEqual((await tree()).college, was);
  });
});

describe('creating units', () => {
  test('the administrator creates branches, departments and groups; audited', async () => {
    const br = await createUnit(c.admin, { kind: 'branch', parent_id: 1, name: 'Куединский филиал' });
    assert.equal(br.kind, 'branch');
    assert.equal(br.short_name, '');
    const dep = await createUnit(c.admin, { kind: 'department', parent_id: br.id, name: 'Отдел кадров' });
    const grp = await createUnit(c.admin, { kind: 'study_group', parent_id: dep.id, name: 'Сварочное производство', code: ' СП-23 ', enrolment_year: 2023 });
    assert.equal(grp.code, 'СП-23');
    assert.equal(grp.parent_id, dep.id);
    assert.deepEqual(grp.counts, { students: 0, staff: 0 });
    const topDep = await createUnit(c.admin, { kind: 'department', parent_id: 1, name: 'Бухгалтерия' });
    assert.equal(topDep.parent_id, 1);
    const e = await lastAudit('unit.create');
    assert.equal(e.target, `unit:${topDep.id}`);
    assert.equal(e.before, null);
    assert.equal(e.after.name, 'Бухгалтерия');
    assert.equal(e.after.kind, 'department');
    const ids = (await tree()).units.map((u) => u.id);
    for (const u of [br, dep, grp, topDep]) assert.ok(ids.includes(u.id));
  });

  test('nesting rules and bad input: 400 with the field; nothing is created', async () => {
    const count = (await tree()).units.length;
    const { B, D, G1 } = c.units;
    const cases = [
      [{ kind: 'branch', parent_id: B.id, name: 'x' }, 'parent_id'],
      [{ kind: 'branch', parent_id: D.id, name: 'x' }, 'parent_id'],
      [{ kind: 'department', parent_id: D.id, name: 'x' }, 'parent_id'],
      [{ kind: 'department', parent_id: G1.id, name: 'x' }, 'parent_id'],
      [{ kind: 'study_group', parent_id: G1.id, name: 'x', code: 'Z-1', enrolment_year: 2020 }, 'parent_id'],
      [{ kind: 'branch', parent_id: 999999, name: 'x' }, 'parent_id'],
      [{ kind: 'branch', name: 'x' }, 'parent_id'],
      [{ kind: 'branch', parent_id: '1', name: 'x' }, 'parent_id'],
      [{ kind: 'branch', parent_id: 0, name: 'x' }, 'parent_id'],
      [{ kind: 'college', parent_id: 1, name: 'x' }, 'kind'],
      [{ kind: 'faculty', parent_id: 1, name: 'x' }, 'kind'],
      [{ parent_id: 1, name: 'x' }, 'kind'],
      [{ kind: 'branch', parent_id: 1 }, 'name'],
      [{ kind: 'branch', parent_id: 1, name: ' ' }, 'name'],
      [{ kind: 'branch', parent_id: 1, name: 'x\u0001' }, 'name'],
      [{ kind: 'branch', parent_id: 1, name: 'x', short_name: 's'.repeat(65) }, 'short_name'],
      [{ kind: 'branch', parent_id: 1, name: 'x', code: 'B-1' }, 'code'],
      [{ kind: 'department', parent_id: 1, name: 'x', enrolment_year: 2020 }, 'enrolment_year'],
      [{ kind: 'study_group', parent_id: 1, name: 'x', enrolment_year: 2020 }, 'code'],
      [{ kind: 'study_group', parent_id: 1, name: 'x', code: '', enrolment_year: 2020 }, 'code'],
      [{ kind: 'study_group', parent_id: 1, name: 'x', code: 'Я'.repeat(33), enrolment_year: 2020 }, 'code'],
      [{ kind: 'study_group', parent_id: 1, name: 'x', code: 'Z-1' }, 'enrolment_year'],
      [{ kind: 'study_group', parent_id: 1, name: 'x', code: 'Z-1', enrolment_year: 1989 }, 'enrolment_year'],
      [{ kind: 'study_group', parent_id: 1, name: 'x', code: 'Z-1', enrolment_year: 2101 }, 'enrolment_year'],
      [{ kind: 'study_group', parent_id: 1, name: 'x', code: 'Z-1', enrolment_year: 2020.5 }, 'enrolment_year'],
    ];
    for (const [body, field] of cases) {
      const r = await call(c.admin, 'POST', '/api/v1/org/units', body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.field, field, JSON.stringify(body));
    }
    // a code is unique among live groups
    const dup = await call(c.admin, 'POST', '/api/v1/org/units', { kind: 'study_group', parent_id: 1, name: 'Копия', code: 'ТМ-21', enrolment_year: 2021 });
    assert.equal(dup.status, 409);
    assert.equal(dup.json.error.field, 'code');
    assert.equal((await tree()).units.length, count);
  });

  test('nobody but the platform administrator creates units', async () => {
    const count = (await tree(c.admin, '?archived=1')).units.length;
    for (const [who, p] of Object.entries(others())) {
      const r = await call(p, 'POST', '/api/v1/org/units', { kind: 'study_group', parent_id: c.units.B.id, name: 'Чужая', code: `X-${who}`, enrolment_year: 2024 });
      assert.equal(r.status, 403, who);
    }
    assert.equal((await tree(c.admin, '?archived=1')).units.length, count);
    const r = await request(srv, 'POST', '/api/v1/org/units', { json: { kind: 'branch', parent_id: 1, name: 'x' } });
    assert.equal(r.status, 401);
  });
});

describe('reading a unit', () => {
  test('the roster is shown to those who may read the unit\'s people', async () => {
    const { G1, G2 } = c.units;
    for (const who of ['curator', 'teacher', 'manager', 'director']) {
      const r = await call(c.people[who], 'GET', `/api/v1/org/units/${G1.id}`);
      assert.equal(r.status, 200, who);
      assert.equal(r.json.code, 'ТМ-21');
      const roster = r.json.people.map((p) => [p.user_id, p.role]);
      assert.deepEqual(roster.find(([id]) => id === c.users.student.id), [c.users.student.id, 'student'], who);
      assert.deepEqual(roster.find(([id]) => id === c.users.curator.id), [c.users.curator.id, 'curator'], who);
      const st = r.json.people.find((p) => p.user_id === c.users.student.id);
      assert.equal(st.login, 'student@college.ru');
      assert.equal(st.name, 'Семён Студентов');
      assert.match(st.since, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(st.director, false);
    }
    // the teacher of branch B is outside G2 (under the college): unit only
    const outside = await call(c.people.teacher, 'GET', `/api/v1/org/units/${G2.id}`);
    assert.equal(outside.status, 200);
    assert.equal(outside.json.code, 'ПК-22');
    assert.equal(outside.json.people, undefined);
    // students and staff see the unit, not the roster
    for (const who of ['student', 'staff']) {
      const r = await call(c.people[who], 'GET', `/api/v1/org/units/${G1.id}`);
      assert.equal(r.status, 200, who);
      assert.equal(r.json.name, 'Технология машиностроения');
      assert.equal(r.json.people, undefined, who);
    }
  });

  test('the college reads as a unit with its details; bad or unknown ids', async () => {
    const r = await call(c.admin, 'GET', '/api/v1/org/units/1');
    assert.equal(r.status, 200);
    assert.equal(r.json.kind, 'college');
    assert.equal(r.json.parent_id, null);
    assert.equal(typeof r.json.details, 'object');
    assert.ok(r.json.people.some((p) => p.user_id === c.users.director.id && p.director === true));
    assert.equal((await call(c.admin, 'GET', '/api/v1/org/units/999999')).status, 404);
    const bad = await call(c.admin, 'GET', '/api/v1/org/units/abc');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'id');
    assert.equal((await request(srv, 'GET', `/api/v1/org/units/${c.units.G1.id}`)).status, 401);
  });
});

describe('updating units', () => {
  test('rename, recode and move; audited with before and after', async () => {
    const br = await createUnit(c.admin, { kind: 'branch', parent_id: 1, name: 'Октябрьский филиал' });
    const g = await createUnit(c.admin, { kind: 'study_group', parent_id: 1, name: 'Электромонтаж', code: 'ЭМ-24', enrolment_year: 2024 });
    let r = await call(c.admin, 'PATCH', `/api/v1/org/units/${g.id}`, { name: 'Электромонтажные работы', code: 'ЭМ-24к', enrolment_year: 2023, short_name: 'ЭМ' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.name, 'Электромонтажные работы');
    assert.equal(r.json.code, 'ЭМ-24к');
    assert.equal(r.json.enrolment_year, 2023);
    assert.equal(r.json.short_name, 'ЭМ');
    let e = await lastAudit('unit.update');
    assert.equal(e.target, `unit:${g.id}`);
    assert.equal(e.before.code, 'ЭМ-24');
    assert.equal(e.after.code, 'ЭМ-24к');
    // move the group into the new branch
    r = await call(c.admin, 'PATCH', `/api/v1/org/units/${g.id}`, { parent_id: br.id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.parent_id, br.id);
    e = await lastAudit('unit.update');
    assert.equal(e.before.parent_id, 1);
    assert.equal(e.after.parent_id, br.id);
    assert.equal((await unit(g.id)).parent_id, br.id);
  });

  test('cycles, the college, nesting rules and codes are refused; nothing changes', async () => {
    const { B, D, G1, G2 } = c.units;
    const before = await Promise.all([1, B.id, D.id, G1.id, G2.id].map(unit));
    const cases = [
      [B.id, { parent_id: B.id }, 409, 'parent_id'],            // under itself
      [B.id, { parent_id: D.id }, 409, 'parent_id'],            // under its own department
      [D.id, { parent_id: D.id }, 409, 'parent_id'],
      [1, { parent_id: B.id }, 409, 'parent_id'],               // the college stays the root
      [G1.id, { parent_id: G2.id }, 400, 'parent_id'],          // nothing under a group
      [D.id, { parent_id: G1.id }, 400, 'parent_id'],
      [B.id, { parent_id: 999999 }, 400, 'parent_id'],
      [G2.id, { code: 'ТМ-21' }, 409, 'code'],                  // taken by G1
      [B.id, { code: 'B-1' }, 400, 'code'],                     // only groups have codes
      [D.id, { enrolment_year: 2020 }, 400, 'enrolment_year'],
      [G1.id, { enrolment_year: 1900 }, 400, 'enrolment_year'],
      [G1.id, { code: '' }, 400, 'code'],
      [G1.id, { name: '' }, 400, 'name'],
      [G1.id, { parent_id: 'x' }, 400, 'parent_id'],
      [G1.id, {}, 400, 'body'],
    ];
    for (const [id, body, status, field] of cases) {
      const r = await call(c.admin, 'PATCH', `/api/v1/org/units/${id}`, body);
      assert.equal(r.status, status, `${id} ${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.field, field, `${id} ${JSON.stringify(body)}`);
    }
    assert.equal((await call(c.admin, 'PATCH', '/api/v1/org/units/999999', { name: 'x' })).status, 404);
    assert.deepEqual(await Promise.all([1, B.id, D.id, G1.id, G2.id].map(unit)), before);
  });

  test('nobody but the platform administrator updates units', async () => {
    const was = await unit(c.units.G1.id);
    for (const [who, p] of Object.entries(others())) {
      const r = await call(p, 'PATCH', `/api/v1/org/units/${c.units.G1.id}`, { name: `Переименовал ${who}`, parent_id: 1 });
      assert.equal(r.status, 403, who);
    }
    assert.deepEqual(await unit(c.units.G1.id), was);
  });
});

describe('archiving', () => {
  test('archive and restore an empty group; archived units show only on request', async () => {
    const g = await createUnit(c.admin, { kind: 'study_group', parent_id: c.units.B.id, name: 'Выпуск 2020', code: 'ВЫП-20', enrolment_year: 2016 });
    let r = await call(c.admin, 'POST', `/api/v1/org/units/${g.id}/archive`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.archived, true);
    assert.ok(!(await tree()).units.some((u) => u.id === g.id));
    const withArchived = await tree(c.admin, '?archived=1');
    assert.equal(withArchived.units.find((u) => u.id === g.id).archived, true);
    let e = await lastAudit('unit.archive');
    assert.equal(e.target, `unit:${g.id}`);
    assert.equal(e.before.archived, false);
    assert.equal(e.after.archived, true);
    // archived twice: a conflict; nothing can be created under it or assigned into it
    assert.equal((await call(c.admin, 'POST', `/api/v1/org/units/${g.id}/archive`)).status, 409);
    const person = await call(c.admin, 'POST', '/api/v1/people', { login: 'late@college.ru', name: 'Опоздавший', role: 'student', unit_id: g.id });
    assert.equal(person.status, 409);
    assert.equal(person.json.error.field, 'unit_id');
    // its code is free for a live group meanwhile
    const again = await createUnit(c.admin, { kind: 'study_group', parent_id: 1, name: 'Новая', code: 'ВЫП-20', enrolment_year: 2024 });
    r = await call(c.admin, 'POST', `/api/v1/org/units/${g.id}/restore`);
    assert.equal(r.status, 409);
    assert.equal(r.json.error.field, 'code');
    // once the new group is recoded the old one comes back
    assert.equal((await call(c.admin, 'PATCH', `/api/v1/org/units/${again.id}`, { code: 'НОВ-24' })).status, 200);
    r = await call(c.admin, 'POST', `/api/v1/org/units/${g.id}/restore`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.archived, false);
    e = await lastAudit('unit.restore');
    assert.equal(e.after.archived, false);
    assert.ok((await tree()).units.some((u) => u.id === g.id));
    assert.equal((await call(c.admin, 'POST', `/api/v1/org/units/${g.id}/restore`)).status, 409);
  });

  test('refused: live children, people with roles, the college; restoring under an archived parent', async () => {
    let r = await call(c.admin, 'POST', `/api/v1/org/units/${c.units.B.id}/archive`);
    assert.equal(r.status, 409);
    assert.equal(r.json.error.field, 'children');
    r = await call(c.admin, 'POST', `/api/v1/org/units/${c.units.G1.id}/archive`);
    assert.equal(r.status, 409);
    assert.equal(r.json.error.field, 'people');
    r = await call(c.admin, 'POST', '/api/v1/org/units/1/archive');
    assert.equal(r.status, 409);
    assert.equal((await call(c.admin, 'POST', '/api/v1/org/units/999999/archive')).status, 404);
    assert.equal((await unit(c.units.B.id)).archived, false);
    assert.equal((await unit(c.units.G1.id)).archived, false);

    const br = await createUnit(c.admin, { kind: 'branch', parent_id: 1, name: 'Уинский филиал' });
    const dep = await createUnit(c.admin, { kind: 'department', parent_id: br.id, name: 'Учебная часть' });
    assert.equal((await call(c.admin, 'POST', `/api/v1/org/units/${dep.id}/archive`)).status, 200);
    assert.equal((await call(c.admin, 'POST', `/api/v1/org/units/${br.id}/archive`)).status, 200);
    const under = await call(c.admin, 'POST', '/api/v1/org/units', { kind: 'department', parent_id: br.id, name: 'x' });
    assert.equal(under.status, 409);
    assert.equal(under.json.error.field, 'parent_id');
    const moveIn = await call(c.admin, 'PATCH', `/api/v1/org/units/${c.units.G2.id}`, { parent_id: br.id });
    assert.equal(moveIn.status, 409);
    assert.equal(moveIn.json.error.field, 'parent_id');
    r = await call(c.admin, 'POST', `/api/v1/org/units/${dep.id}/restore`);
    assert.equal(r.status, 409);
    assert.equal(r.json.error.field, 'parent_id');
    assert.equal((await call(c.admin, 'POST', `/api/v1/org/units/${br.id}/restore`)).status, 200);
    assert.equal((await call(c.admin, 'POST', `/api/v1/org/units/${dep.id}/restore`)).status, 200);
  });

  test('nobody but the platform administrator archives or restores', async () => {
    const g = await createUnit(c.admin, { kind: 'study_group', parent_id: c.units.B.id, name: 'Пустая', code: 'ПУС-1', enrolment_year: 2024 });
    const archivedOne = await createUnit(c.admin, { kind: 'study_group', parent_id: c.units.B.id, name: 'Архивная', code: 'АРХ-1', enrolment_year: 2019 });
    assert.equal((await call(c.admin, 'POST', `/api/v1/org/units/${archivedOne.id}/archive`)).status, 200);
    for (const [who, p] of Object.entries(others())) {
      assert.equal((await call(p, 'POST', `/api/v1/org/units/${g.id}/archive`)).status, 403, who);
      assert.equal((await call(p, 'POST', `/api/v1/org/units/${archivedOne.id}/restore`)).status, 403, who);
    }
    assert.equal((await unit(g.id)).archived, false);
    assert.equal((await unit(archivedOne.id)).archived, true);
    assert.equal((await request(srv, 'POST', `/api/v1/org/units/${g.id}/archive`)).status, 401);
  });
});

describe('counts follow assignments', () => {
  test('new students and a curator show in the counts and as the curator', async () => {
    const g = await createUnit(c.admin, { kind: 'study_group', parent_id: c.units.D.id, name: 'Счётная', code: 'СЧ-1', enrolment_year: 2024 });
    await createPerson(c.admin, { login: 'count1@college.ru', name: 'Счётов Первый', role: 'student', unit_id: g.id });
    await createPerson(c.admin, { login: 'count2@college.ru', name: 'Счётов Второй', role: 'student', unit_id: g.id });
    await createPerson(c.admin, { login: 'count3@college.ru', name: 'Счётов Третий', role: 'curator', unit_id: g.id });
    const u = (await tree()).units.find((x) => x.id === g.id);
    assert.deepEqual(u.counts, { students: 2, staff: 1 });
    assert.equal(u.curator.name, 'Счётов Третий');
  });
});
