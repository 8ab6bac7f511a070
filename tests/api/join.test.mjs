// SPDX-License-Identifier: MIT
// Joining by invitation link and reviewing join requests: opening a link
// (what it shows, and for parent links only a short-name roster), redeeming
// it by registering or as the logged-in user, parent links that only ever
// attach a parent to a child of the group after the curator confirms, the
// reviewers' queue (each sees only what they may decide), approvals that
// assign the role (with the enrolment or hiring movement), rejections with a
// reason that the applicant sees. Refusals are checked to change nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { createFirstAdmin, loginAs, Person, request } from '../lib/http.mjs';

const PW = 'password-1234';
let srv;
let admin;
const unit = {};
const who = {};
let seq = 0;

async function post(p, path, json) {
  return p.post(path, json, { csrf: true });
}

async function mkUnit(body) {
  const r = await post(admin, '/api/v1/org/units', body);
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

async function mkPerson(login, name, role, unitId) {
  const r = await post(admin, '/api/v1/people', { login, name, password: PW, role, unit_id: unitId });
  assert.equal(r.status, 201, r.text);
  return loginAs(srv, login, PW);
}

async function mkLink(p, body) {
  const r = await post(p, '/api/v1/invites', body);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function linkUses(id) {
  const r = await admin.get('/api/v1/invites');
  return r.json.invites.find((i) => i.id === id).uses;
}

async function person(id) {
  const r = await admin.get(`/api/v1/people/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

function activeRoles(p) {
  return p.assignments.filter((a) => a.until === null).map((a) => `${a.role}@${a.unit_id}`).sort();
}

function sql(query) {
  const r = spawnSync('sqlite3', [join(srv.dataDir, 'parta.db'), query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function newcomer(name) {
  seq += 1;
  return { login: `new${seq}@mail.example`, name, password: PW };
}

// Register through a link; returns [response, Person with the new session].
async function register(token, account, extra = {}) {
  const p = new Person(srv);
  const r = await p.post(`/api/v1/join/${token}`, { register: account, ...extra });
  return [r, p];
}

async function reqsOf(p, query = '') {
  const r = await p.get(`/api/v1/join-requests${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json.requests;
}

before(async () => {
  srv = await startServer({ args: ['--login-ip-per-minute=10000', '--invite-ip-per-minute=10000'] });
  admin = await createFirstAdmin(srv);
  unit.branch = await mkUnit({ kind: 'branch', parent_id: 1, name: 'Куединский филиал' });
  unit.branch2 = await mkUnit({ kind: 'branch', parent_id: 1, name: 'Октябрьский филиал' });
  unit.groupA = await mkUnit({ kind: 'study_group', parent_id: unit.branch, name: 'Механизация сельского хозяйства', code: 'МСХ-23', enrolment_year: 2023 });
  unit.groupB = await mkUnit({ kind: 'study_group', parent_id: unit.branch2, name: 'Повар, кондитер', code: 'ПК-23', enrolment_year: 2023 });
  who.curatorA = await mkPerson('curator.a@college.ru', 'Лебедева Марина', 'curator', unit.groupA);
  who.curatorB = await mkPerson('curator.b@college.ru', 'Козлов Денис', 'curator', unit.groupB);
  who.teacher = await mkPerson('teacher@college.ru', 'Новиков Сергей', 'teacher', unit.branch);
  who.studentA = await mkPerson('student.a@college.ru', 'Соколов Артём Игоревич', 'student', unit.groupA);
  who.studentA2 = await mkPerson('student.a2@college.ru', 'Белова Дарья', 'student', unit.groupA);
  who.studentB = await mkPerson('student.b@college.ru', 'Орлов Максим', 'student', unit.groupB);
});

after(async () => { await srv?.stop(); });

describe('GET /api/v1/join/:token', () => {
  test('shows the college, role, unit, approval and expiry without a session', async () => {
    const inv = await mkLink(who.curatorA, { role: 'student', unit_id: unit.groupA, needs_approval: false });
    const r = await request(srv, 'GET', `/api/v1/join/${inv.token}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json).sort(), ['college', 'expires_at', 'needs_approval', 'role', 'unit']);
    assert.equal(typeof r.json.college.name, 'string');
    assert.equal(r.json.role, 'student');
    assert.deepEqual(r.json.unit, { id: unit.groupA, name: 'Механизация сельского хозяйства', kind: 'study_group' });
    assert.equal(r.json.needs_approval, false);
    assert.equal(r.json.expires_at, inv.expires_at);
  });

  test('a parent link shows the group\'s students as id and "Фамилия И." only', async () => {
    const inv = await mkLink(who.teacher, { role: 'parent', unit_id: unit.groupA });
    const r = await request(srv, 'GET', `/api/v1/join/${inv.token}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.needs_approval, true);
    const roster = r.json.roster;
    assert.deepEqual(roster.map((s) => Object.keys(s).sort()), roster.map(() => ['id', 'name_short']));
    const names = roster.map((s) => s.name_short).sort();
    assert.deepEqual(names, ['Белова Д.', 'Соколов А.']);
    assert.ok(!r.text.includes('Артём') && !r.text.includes('student.a'), 'no full names, no logins');
    assert.ok(!r.text.includes('Орлов'), 'only this group');
    assert.equal(roster.find((s) => s.name_short === 'Соколов А.').id, who.studentA.user.id);
  });

  test('unknown and malformed tokens are 404', async () => {
    for (const t of ['AAAAAAAAAAAAAAAAAAAAAA', 'short', 'x'.repeat(23), 'AAAAAAAAAAAAAAAAAAAA%2F']) {
      const r = await request(srv, 'GET', `/api/v1/join/${t}`);
      assert.equal(r.status, 404, t);
      assert.equal(r.json.error.code, 'not_found');
    }
  });
});

describe('POST /api/v1/join/:token', () => {
  test('registering through a link that needs approval: pending, logged in, no role yet', async () => {
    const inv = await mkLink(who.curatorA, { role: 'student', unit_id: unit.groupA });
    const acc = newcomer('Ершов Илья');
    const [r, p] = await register(inv.token, acc);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.status, 'pending');
    assert.ok(r.json.request_id > 0);
    assert.equal(r.json.user.login, acc.login);
    assert.deepEqual(r.json.user.roles, []);
    assert.match(r.json.csrf_token, /^[A-Za-z0-9_-]{43}$/);
    assert.match(r.headers['set-cookie'][0], /^parta_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax/);
    const me = await p.get('/api/v1/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.json.user.login, acc.login);
    const mine = await p.get('/api/v1/me/join-requests');
    assert.equal(mine.json.requests.length, 1);
    assert.equal(mine.json.requests[0].status, 'pending');
    assert.equal(mine.json.requests[0].role, 'student');
    assert.equal(await linkUses(inv.id), 1);
    // the same password logs in later
    await loginAs(srv, acc.login, acc.password);
  });

  test('a link without approval joins directly: the role and an enrolment movement', async () => {
    const inv = await mkLink(who.curatorA, { role: 'student', unit_id: unit.groupA, needs_approval: false });
    const [r] = await register(inv.token, newcomer('Фомина Алиса'));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.status, 'joined');
    assert.equal(r.json.request_id, undefined);
    assert.deepEqual(r.json.user.roles, ['student']);
    assert.deepEqual(activeRoles(await person(r.json.user.id)), [`student@${unit.groupA}`]);
    assert.equal(sql(`SELECT kind||'/'||role||'/'||to_unit_id FROM movements WHERE user_id=${r.json.user.id}`), `enrolment/student/${unit.groupA}`);
  });

  test('a teacher link without approval records hiring', async () => {
    const inv = await mkLink(admin, { role: 'teacher', unit_id: unit.branch, needs_approval: false });
    const [r] = await register(inv.token, newcomer('Зайцев Олег'));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.status, 'joined');
    assert.deepEqual(activeRoles(await person(r.json.user.id)), [`teacher@${unit.branch}`]);
    assert.equal(sql(`SELECT kind FROM movements WHERE user_id=${r.json.user.id}`), 'hiring');
  });

  test('a logged-in user joins as themselves (bearer, or cookie with CSRF)', async () => {
    const inv = await mkLink(admin, { role: 'staff', unit_id: unit.branch, max_uses: 5, needs_approval: false });
    const bearer = await loginAs(srv, 'teacher@college.ru', PW, { bearer: true });
    let r = await bearer.post(`/api/v1/join/${inv.token}`, {}, { bearer: true });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.status, 'joined');
    assert.equal(r.json.user.id, who.teacher.user.id);
    assert.deepEqual(r.json.user.roles, ['staff', 'teacher']);
    assert.equal(r.json.csrf_token, undefined);
    assert.equal(r.headers['set-cookie'], undefined);

    const inv2 = await mkLink(admin, { role: 'teacher', unit_id: unit.branch2 });
    r = await post(who.curatorB, `/api/v1/join/${inv2.token}`, {});
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.status, 'pending');
    assert.equal(r.json.user.id, who.curatorB.user.id);
  });

  test('a cookie session without the CSRF header is refused and nothing is used', async () => {
    const inv = await mkLink(admin, { role: 'staff', unit_id: unit.branch2, needs_approval: false });
    const r = await who.curatorB.post(`/api/v1/join/${inv.token}`, {});
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'csrf_failed');
    assert.equal(await linkUses(inv.id), 0);
  });

  test('register is required without a session, and refused with one', async () => {
    const inv = await mkLink(who.curatorA, { role: 'student', unit_id: unit.groupA });
    let r = await request(srv, 'POST', `/api/v1/join/${inv.token}`, { json: {} });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'register');
    // an expired or forged session counts as none
    r = await request(srv, 'POST', `/api/v1/join/${inv.token}`, { json: {}, headers: { Authorization: `Bearer ${'A'.repeat(43)}` } });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'register');
    r = await post(who.studentB, `/api/v1/join/${inv.token}`, { register: newcomer('Кто-то Другой') });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.field, 'register');
    assert.equal(await linkUses(inv.id), 0);
  });

  test('malformed registrations get 400 with the field and create nothing', async () => {
    const inv = await mkLink(who.curatorA, { role: 'student', unit_id: unit.groupA });
    const good = { login: 'valid@mail.example', name: 'Валидный Человек', password: PW };
    const cases = [
      [{ register: 'me' }, 'register'],
      [{ register: [] }, 'register'],
      [{ register: { ...good, login: 'not-a-login' } }, 'login'],
      [{ register: { ...good, login: undefined } }, 'login'],
      [{ register: { ...good, name: '   ' } }, 'name'],
      [{ register: { login: good.login, password: PW } }, 'name'],  // a new account needs a name
      [{ register: { ...good, name: 'x'.repeat(201) } }, 'name'],
      [{ register: { ...good, password: 'short' } }, 'password'],
      [{ register: { ...good, password: 12345678 } }, 'password'],
      [{ register: good, student_id: 'one' }, 'student_id'],
      [{ register: good, student_id: 0 }, 'student_id'],
    ];
    for (const [body, field] of cases) {
      const r = await request(srv, 'POST', `/api/v1/join/${inv.token}`, { json: body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error.field, field, JSON.stringify(body));
    }
    const bad = await request(srv, 'POST', `/api/v1/join/${inv.token}`, { body: '{"register":', headers: { 'Content-Type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.equal(await linkUses(inv.id), 0);
    assert.equal((await new Person(srv).login(good.login, PW)).status, 401);
  });

  test('a taken login is 409 on login and the link is not used', async () => {
    const inv = await mkLink(who.curatorA, { role: 'student', unit_id: unit.groupA });
    const [r] = await register(inv.token, { login: 'Student.A@college.ru', name: 'Самозванец', password: PW });
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.error.field, 'login');
    assert.equal(await linkUses(inv.id), 0);
  });

  test('a parent link needs a child who is an active student of the group', async () => {
    const inv = await mkLink(who.curatorA, { role: 'parent', unit_id: unit.groupA });
    const cases = [
      [undefined, 'no child'],
      [who.studentB.user.id, 'a student of another group'],
      [who.curatorA.user.id, 'not a student'],
      [999999, 'nobody'],
    ];
    for (const [studentId, why] of cases) {
      const [r] = await register(inv.token, newcomer('Родитель Неверный'), { student_id: studentId });
      assert.equal(r.status, 400, why);
      assert.equal(r.json.error.field, 'student_id', why);
    }
    // a logged-in student cannot name themselves as their own child either
    const self = await post(who.studentA, `/api/v1/join/${inv.token}`, { student_id: who.studentA.user.id });
    assert.equal(self.status, 400);
    assert.equal(self.json.error.field, 'student_id');
    assert.equal(await linkUses(inv.id), 0);

    const [ok, parent] = await register(inv.token, newcomer('Соколова Елена'), { student_id: who.studentA.user.id });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.status, 'pending');
    assert.deepEqual(ok.json.user.roles, []);
    const mine = (await parent.get('/api/v1/me/join-requests')).json.requests;
    assert.equal(mine[0].student.id, who.studentA.user.id);
    assert.deepEqual((await person(ok.json.user.id)).guardianships, []);
  });

  test('joining the same role and unit twice is 409 (pending, or already held)', async () => {
    const inv = await mkLink(who.curatorA, { role: 'student', unit_id: unit.groupA, max_uses: 10 });
    const [first, p] = await register(inv.token, newcomer('Дважды Пришедший'));
    assert.equal(first.status, 201);
    let r = await post(p, `/api/v1/join/${inv.token}`, {});
    assert.equal(r.status, 409);
    // already a student of the group
    r = await post(who.studentA, `/api/v1/join/${inv.token}`, {});
    assert.equal(r.status, 409);
    // a student of another group moves by a transfer, not by a second join
    r = await post(who.studentB, `/api/v1/join/${inv.token}`, {});
    assert.equal(r.status, 409);
    assert.equal(r.json.error.field, 'role');
    assert.equal(await linkUses(inv.id), 1);
  });
});

describe('join requests', () => {
  let reqA; let reqB; let reqParent; let reqTeacher; let applicantA; let parentP;

  before(async () => {
    const linkA = await mkLink(who.curatorA, { role: 'student', unit_id: unit.groupA });
    const linkB = await mkLink(who.curatorB, { role: 'student', unit_id: unit.groupB });
    const linkP = await mkLink(who.teacher, { role: 'parent', unit_id: unit.groupA });
    const linkT = await mkLink(admin, { role: 'teacher', unit_id: unit.branch });
    let r;
    [r, applicantA] = await register(linkA.token, newcomer('Громов Кирилл'));
    reqA = r.json.request_id;
    [r] = await register(linkB.token, newcomer('Лисина Вера'));
    reqB = r.json.request_id;
    [r, parentP] = await register(linkP.token, newcomer('Белов Андрей'), { student_id: who.studentA2.user.id });
    reqParent = r.json.request_id;
    [r] = await register(linkT.token, newcomer('Тихонов Павел'));
    reqTeacher = r.json.request_id;
    assert.ok(reqA && reqB && reqParent && reqTeacher);
  });

  test('each reviewer lists exactly what they may decide', async () => {
    const all = await reqsOf(admin, '?status=pending');
    for (const id of [reqA, reqB, reqParent, reqTeacher]) assert.ok(all.some((q) => q.id === id));
    const a = await reqsOf(who.curatorA, '?status=pending');
    assert.ok(a.every((q) => q.unit.id === unit.groupA && ['student', 'parent'].includes(q.role)));
    assert.ok(a.some((q) => q.id === reqA) && a.some((q) => q.id === reqParent));
    const b = await reqsOf(who.curatorB);
    assert.ok(b.some((q) => q.id === reqB));
    assert.ok(!b.some((q) => [reqA, reqParent, reqTeacher].includes(q.id)));
    const p = a.find((q) => q.id === reqParent);
    assert.equal(p.student.id, who.studentA2.user.id);
    assert.equal(p.student.name, 'Белова Дарья');
    assert.equal(p.user.name, 'Белов Андрей');
    assert.equal(p.decided_by, null);
    assert.equal(p.decided_at, null);
    assert.equal(p.reason, '');
  });

  test('filters, malformed filters, and who may not list at all', async () => {
    const g = await reqsOf(admin, `?unit_id=${unit.branch2}`);
    assert.ok(g.length > 0 && g.every((q) => q.unit.id === unit.groupB || q.unit.id === unit.branch2));
    assert.ok((await reqsOf(admin, '?status=rejected')).every((q) => q.status === 'rejected'));
    for (const [q, field] of [['status=done', 'status'], ['unit_id=x', 'unit_id'], ['unit_id=0', 'unit_id']]) {
      const r = await admin.get(`/api/v1/join-requests?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.json.error.field, field);
    }
    for (const p of [who.teacher, who.studentA, applicantA]) {
      const r = await p.get('/api/v1/join-requests');
      assert.equal(r.status, 403, p.user.login);
    }
    assert.equal((await request(srv, 'GET', '/api/v1/join-requests')).status, 401);
    assert.equal((await request(srv, 'GET', '/api/v1/me/join-requests')).status, 401);
  });

  test('those who may not review get 403 and the request stays pending', async () => {
    const refused = [
      [who.curatorA, reqB, 'approve'], [who.curatorA, reqTeacher, 'approve'], [who.curatorB, reqA, 'reject'],
      [who.curatorB, reqParent, 'approve'], [who.teacher, reqParent, 'approve'], [who.studentA, reqA, 'approve'],
      [applicantA, reqA, 'approve'],
    ];
    for (const [p, id, act] of refused) {
      const r = await post(p, `/api/v1/join-requests/${id}/${act}`, act === 'reject' ? { reason: 'нет' } : undefined);
      assert.equal(r.status, 403, `${p.user.login} ${act} ${id}: ${r.text}`);
    }
    const all = await reqsOf(admin);
    for (const id of [reqA, reqB, reqParent, reqTeacher]) assert.equal(all.find((q) => q.id === id).status, 'pending');
    assert.equal((await request(srv, 'POST', `/api/v1/join-requests/${reqA}/approve`)).status, 401);
  });

  test('the curator approves a student: enrolled, and the applicant sees it', async () => {
    const r = await post(who.curatorA, `/api/v1/join-requests/${reqA}/approve`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.request.status, 'approved');
    assert.equal(r.json.request.decided_by.id, who.curatorA.user.id);
    assert.ok(r.json.request.decided_at);
    const uid = r.json.request.user.id;
    assert.deepEqual(activeRoles(await person(uid)), [`student@${unit.groupA}`]);
    assert.equal(sql(`SELECT kind FROM movements WHERE user_id=${uid}`), 'enrolment');
    const mine = (await applicantA.get('/api/v1/me/join-requests')).json.requests;
    assert.equal(mine[0].status, 'approved');
    assert.equal(mine[0].decided_by.name, 'Лебедева Марина');
    // decided once only
    const again = await post(admin, `/api/v1/join-requests/${reqA}/reject`, { reason: 'передумали' });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.field, 'status');
    assert.equal((await post(who.curatorA, `/api/v1/join-requests/${reqA}/approve`)).status, 409);
  });

  test('the curator confirms a parent: guardianship of that child and the parent role', async () => {
    const r = await post(who.curatorA, `/api/v1/join-requests/${reqParent}/approve`);
    assert.equal(r.status, 200, r.text);
    const p = await person(r.json.request.user.id);
    assert.deepEqual(activeRoles(p), [`parent@${unit.groupA}`]);
    assert.deepEqual(p.guardianships.map((g) => [g.student_id, g.confirmed]), [[who.studentA2.user.id, true]]);
    const me = await parentP.get('/api/v1/auth/me');
    assert.deepEqual(me.json.user.roles, ['parent']);
  });

  test('rejecting needs a reason, which the applicant sees', async () => {
    for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: 'я'.repeat(501) }, { reason: 7 }]) {
      const r = await post(who.curatorB, `/api/v1/join-requests/${reqB}/reject`, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error.field, 'reason');
    }
    let r = await post(who.curatorB, '/api/v1/join-requests/abc/reject', { reason: 'x' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'id');
    r = await post(who.curatorB, '/api/v1/join-requests/999999/reject', { reason: 'x' });
    assert.equal(r.status, 404);
    r = await post(who.curatorB, `/api/v1/join-requests/${reqB}/reject`, { reason: '  Не учится в группе ПК-23  ' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.request.status, 'rejected');
    assert.equal(r.json.request.reason, 'Не учится в группе ПК-23');
    const uid = r.json.request.user.id;
    assert.deepEqual(activeRoles(await person(uid)), []);
    const applicant = await loginAs(srv, r.json.request.user.login, PW);
    const mine = (await applicant.get('/api/v1/me/join-requests')).json.requests;
    assert.equal(mine.length, 1);
    assert.equal(mine[0].status, 'rejected');
    assert.equal(mine[0].reason, 'Не учится в группе ПК-23');
  });

  test('the administrator approves a teacher: hired into the branch', async () => {
    const r = await post(admin, `/api/v1/join-requests/${reqTeacher}/approve`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(activeRoles(await person(r.json.request.user.id)), [`teacher@${unit.branch}`]);
    assert.equal(sql(`SELECT kind FROM movements WHERE user_id=${r.json.request.user.id}`), 'hiring');
    const audit = await admin.get('/api/v1/audit?action=join.');
    assert.ok(audit.json.entries.some((e) => e.action === 'join.approve' && e.target === `join_request:${reqTeacher}`));
    assert.ok(audit.json.entries.some((e) => e.action === 'join.reject' && e.after.reason === 'Не учится в группе ПК-23'));
  });
});

describe('personal links (made by the import for one imported person)', () => {
  let token; let personId;

  before(async () => {
    const csv = 'type,external_id,last_name,first_name,middle_name,group_code,group_name\n'
      + 'group,g-imp,,,,ИМП-24,Импортная группа\n'
      + 'student,s-imp,Ковалёв,Никита,Олегович,ИМП-24,\n';
    let r = await admin.request('POST', '/api/v1/import', { body: csv, csrf: true, headers: { 'Content-Type': 'text/csv' } });
    assert.equal(r.status, 200, r.text);
    r = await admin.get('/api/v1/import/invitations.csv', { csrf: true });
    assert.equal(r.status, 200, r.text);
    const rows = r.text.replace(/^\uFEFF/, '').trim().split(/\r?\n/).map((l) => l.split(';'));
    const urlCol = rows[0].indexOf('invitation_url');
    const row = rows.find((f) => f[0] === 'Ковалёв');
    assert.ok(row, r.text);
    token = row[urlCol].split('/join/')[1];
    assert.match(token, /^[A-Za-z0-9_-]{22}$/);
    const people = await admin.get(`/api/v1/people?q=${encodeURIComponent('Ковалёв')}`);
    personId = people.json.people[0].id;
  });

  test('the administrator lists it with the personal links, not the shared ones', async () => {
    const shared = (await admin.get('/api/v1/invites')).json.invites;
    assert.ok(shared.every((i) => i.personal_name === undefined));
    const personal = (await admin.get('/api/v1/invites?personal=1')).json.invites;
    const mine = personal.find((i) => i.token === token);
    assert.ok(mine);
    assert.equal(mine.personal_name, 'Ковалёв Никита Олегович');
    assert.equal(mine.max_uses, 1);
  });

  test('opening it names the person and shows no roster', async () => {
    const r = await request(srv, 'GET', `/api/v1/join/${token}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.personal, { name: 'Ковалёв Никита Олегович' });
    assert.equal(r.json.role, 'student');
    assert.equal(r.json.roster, undefined);
  });

  test('it cannot be used with another person\'s session', async () => {
    const r = await post(who.studentB, `/api/v1/join/${token}`, {});
    assert.equal(r.status, 409);
    assert.equal(r.json.error.field, 'personal');
  });

  test('redeeming it hands over the imported account: login and password set, name and role kept', async () => {
    const movements = sql(`SELECT COUNT(*) FROM movements WHERE user_id=${personId}`);
    const p = new Person(srv);
    const r = await p.post(`/api/v1/join/${token}`, { register: { login: 'kovalev@mail.example', password: PW } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.status, 'joined');
    assert.equal(r.json.user.id, personId);
    assert.equal(r.json.user.name, 'Ковалёв Никита Олегович');
    assert.deepEqual(r.json.user.roles, ['student']);
    assert.ok(p.sessionCookie, 'logged in');
    await loginAs(srv, 'kovalev@mail.example', PW);
    // used up: nobody can take the account over again
    const again = await new Person(srv).post(`/api/v1/join/${token}`, { register: { login: 'thief@mail.example', password: PW } });
    assert.equal(again.status, 410);
    assert.equal(again.json.error.field, 'exhausted');
    assert.equal(sql(`SELECT COUNT(*) FROM movements WHERE user_id=${personId}`), movements, 'no movement recorded');
  });
});
