// SPDX-License-Identifier: MIT
// The regulation (section 2) walked end to end through the API, one step
// after another, each step by the person the regulation gives it to:
// the administration appoints a platform administrator → that administrator
// builds a branch and a study group and creates the curator link → the
// curator joins and is approved → the curator creates the student link →
// two students join and the curator approves them → a parent joins through a
// teacher's parent link, picks their child from the roster and is confirmed
// by the curator → a student is transferred to another group and expelled,
// and their history shows enrolment, transfer and expulsion in that order.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { createFirstAdmin, loginAs, Person, request } from '../lib/http.mjs';

const PW = 'regulation-pass-1';
let srv;

before(async () => {
  srv = await startServer({ args: ['--login-ip-per-minute=10000', '--invite-ip-per-minute=10000'] });
});

after(async () => { await srv?.stop(); });

async function post(p, path, json) {
  const r = await p.post(path, json, { csrf: true });
  return r;
}

async function ok(res, status = 200) {
  const r = await res;
  assert.equal(r.status, status, r.text);
  return r.json;
}

// Register through a link; returns the new person (logged in by the join).
async function joinByLink(token, login, name, extra = {}) {
  const p = new Person(srv);
  const r = await p.post(`/api/v1/join/${token}`, { register: { login, name, password: PW }, ...extra });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'pending');
  return { person: p, requestId: r.json.request_id, id: r.json.user.id };
}

test('the regulation, section 2, from the administration to a student\'s expulsion', async () => {
  const first = await createFirstAdmin(srv);

  // 2.2: the administration (created by the first administrator) appoints the
  // platform administrator
  const director = (await ok(post(first, '/api/v1/people', {
    login: 'director@kpk.example', name: 'Кузнецова Ольга Петровна', password: PW,
    role: 'administration', unit_id: 1, director: true,
  }), 201)).user;
  const methodist = (await ok(post(first, '/api/v1/people', {
    login: 'methodist@kpk.example', name: 'Егорова Светлана Викторовна', password: PW,
    role: 'staff', unit_id: 1,
  }), 201)).user;
  const administration = await loginAs(srv, director.login, PW);
  await ok(post(administration, `/api/v1/people/${methodist.id}/roles`, { role: 'platform_admin', unit_id: 1 }), 201);
  const admin = await loginAs(srv, methodist.login, PW);
  assert.ok(admin.user.roles.includes('platform_admin'));

  // 2.1: the new administrator builds the structure and creates the curator link
  const branch = (await ok(post(admin, '/api/v1/org/units', { kind: 'branch', parent_id: 1, name: 'Бардымский филиал' }), 201)).id;
  const group = (await ok(post(admin, '/api/v1/org/units', {
    kind: 'study_group', parent_id: branch, name: 'Мастер сельскохозяйственного производства', code: 'МСП-24', enrolment_year: 2024,
  }), 201)).id;
  const group2 = (await ok(post(admin, '/api/v1/org/units', {
    kind: 'study_group', parent_id: branch, name: 'Тракторист-машинист', code: 'ТМ-24', enrolment_year: 2024,
  }), 201)).id;
  const curatorLink = await ok(post(admin, '/api/v1/invites', { role: 'curator', unit_id: group }), 201);
  assert.equal(curatorLink.max_uses, 1);

  // 2.3: the curator joins by the link and the administrator approves
  const curator = await joinByLink(curatorLink.token, 'curator@kpk.example', 'Петрова Наталья Ивановна');
  let queue = await ok(admin.get('/api/v1/join-requests?status=pending'));
  assert.deepEqual(queue.requests.map((q) => [q.id, q.role, q.unit.id]), [[curator.requestId, 'curator', group]]);
  await ok(post(admin, `/api/v1/join-requests/${curator.requestId}/approve`));
  const curatorMe = await ok(curator.person.get('/api/v1/auth/me'));
  assert.deepEqual(curatorMe.user.roles, ['curator']);
  assert.equal((await ok(admin.get(`/api/v1/org/units/${group}`))).curator.id, curator.id);

  // 2.3 / 2.5: the curator creates the student link of their group
  const studentLink = await ok(post(curator.person, '/api/v1/invites', { role: 'student', unit_id: group }), 201);
  const studentA = await joinByLink(studentLink.token, 'sokolov@kpk.example', 'Соколов Артём Игоревич');
  const studentB = await joinByLink(studentLink.token, 'belova@kpk.example', 'Белова Дарья Андреевна');
  queue = await ok(curator.person.get('/api/v1/join-requests?status=pending'));
  assert.deepEqual(queue.requests.map((q) => q.id).sort(), [studentA.requestId, studentB.requestId].sort());
  for (const s of [studentA, studentB]) await ok(post(curator.person, `/api/v1/join-requests/${s.requestId}/approve`));
  for (const s of [studentA, studentB]) {
    const mine = await ok(s.person.get('/api/v1/me/join-requests'));
    assert.equal(mine.requests[0].status, 'approved');
    assert.deepEqual((await ok(s.person.get('/api/v1/auth/me'))).user.roles, ['student']);
  }

  // 2.4 / 2.6: a teacher of the branch hands out the parent link; the parent
  // picks their child from the roster and the curator confirms
  await ok(post(admin, '/api/v1/people', {
    login: 'teacher@kpk.example', name: 'Морозов Алексей Сергеевич', password: PW, role: 'teacher', unit_id: branch,
  }), 201);
  const teacher = await loginAs(srv, 'teacher@kpk.example', PW);
  const parentLink = await ok(post(teacher, '/api/v1/invites', { role: 'parent', unit_id: group }), 201);
  const opened = await ok(request(srv, 'GET', `/api/v1/join/${parentLink.token}`));
  assert.equal(opened.role, 'parent');
  assert.deepEqual(opened.roster.map((s) => s.name_short).sort(), ['Белова Д.', 'Соколов А.']);
  const child = opened.roster.find((s) => s.name_short === 'Соколов А.');
  assert.equal(child.id, studentA.id);
  const parent = await joinByLink(parentLink.token, 'sokolova@kpk.example', 'Соколова Елена Викторовна', { student_id: child.id });
  assert.equal((await teacher.get('/api/v1/join-requests')).status, 403, 'a teacher does not confirm parents');
  queue = await ok(curator.person.get('/api/v1/join-requests?status=pending'));
  const parentReq = queue.requests.find((q) => q.id === parent.requestId);
  assert.equal(parentReq.student.id, studentA.id);
  await ok(post(curator.person, `/api/v1/join-requests/${parent.requestId}/approve`));
  const parentCard = await ok(admin.get(`/api/v1/people/${parent.id}`));
  assert.deepEqual(parentCard.guardianships.map((g) => [g.student_id, g.confirmed]), [[studentA.id, true]]);
  assert.deepEqual((await ok(parent.person.get('/api/v1/auth/me'))).user.roles, ['parent']);

  // 2.1: the administrator records the movements: a transfer, then an expulsion
  await ok(post(admin, '/api/v1/movements', {
    user_id: studentA.id, kind: 'transfer', from_unit_id: group, to_unit_id: group2,
    date: '2025-01-15', order_ref: 'Приказ № 12-К',
  }), 201);
  await ok(post(admin, '/api/v1/movements', {
    user_id: studentA.id, kind: 'expulsion', from_unit_id: group2, date: '2025-03-01', order_ref: 'Приказ № 40-К',
  }), 201);
  const history = await ok(admin.get(`/api/v1/people/${studentA.id}/movements`));
  assert.deepEqual(history.movements.map((m) => m.kind), ['enrolment', 'transfer', 'expulsion']);
  const [enrol, transfer, expel] = history.movements;
  assert.equal(enrol.to_unit.id, group);
  assert.equal(enrol.created_by.id, curator.id, 'the curator who approved enrolled the student');
  assert.deepEqual([transfer.from_unit.id, transfer.to_unit.id], [group, group2]);
  assert.equal(expel.from_unit.id, group2);
  assert.equal(expel.order_ref, 'Приказ № 40-К');
  const card = await ok(admin.get(`/api/v1/people/${studentA.id}`));
  assert.deepEqual(card.assignments.filter((a) => a.until === null), [], 'no active role after expulsion');
  // the other student is untouched
  assert.deepEqual((await ok(studentB.person.get('/api/v1/auth/me'))).user.roles, ['student']);

  // every step left its trace in the audit log
  const audit = await ok(admin.get('/api/v1/audit?limit=200'));
  const actions = new Set(audit.entries.map((e) => e.action));
  for (const a of ['invite.create', 'account.register', 'join.request', 'join.approve']) assert.ok(actions.has(a), a);
});
