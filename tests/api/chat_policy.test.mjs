// SPDX-License-Identifier: MIT
// The contact policy (DESIGN.md §6) through the real server: who may open a
// direct chat with whom, and add whom to a chat. A student is reached by the
// staff who teach or curate them, by classmates and by people they share a
// chat with; a parent only by the staff of their child's units; nobody
// outside the college. Every refusal is 403 on user_id(s) with nothing
// created.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { call, chatList, college, members, mkChat } from '../lib/chat_admin.mjs';

let srv;
let c;
let W;

before(async () => {
  srv = await startServer();
  c = await college(srv);
  W = c.who;
});

after(async () => {
  const r = await srv?.stop();
  assert.equal(r?.code, 0, `the server exited cleanly${srv ? `: ${srv.stderr().slice(-2000)}` : ''}`);
});

async function direct(from, to) {
  return call(W[from].p, 'POST', '/api/v1/chats', { kind: 'direct', user_id: W[to].u.id });
}

// Expect each [from, to] pair to be refused with nothing created.
async function refused(pairs) {
  for (const [from, to] of pairs) {
    const before = (await chatList(W[from])).length;
    const r = await direct(from, to);
    assert.equal(r.status, 403, `${from} -> ${to}: ${r.status} ${r.text}`);
    assert.equal(r.json.error.field, 'user_id');
    assert.equal((await chatList(W[from])).length, before, `${from} -> ${to}: nothing created`);
    assert.ok(!(await chatList(W[to])).some((x) => x.kind === 'direct' && x.peer?.id === W[from].u.id));
  }
}

async function allowed(pairs) {
  for (const [from, to] of pairs) {
    const r = await direct(from, to);
    assert.ok(r.status === 201 || r.status === 200, `${from} -> ${to}: ${r.status} ${r.text}`);
    assert.equal(r.json.chat.peer.id, W[to].u.id);
  }
}

describe('students', () => {
  test('a student cannot open a direct chat with a stranger or an adult outside their units', async () => {
    await refused([
      ['student', 'stranger'],   // a student of another group
      ['student', 'outsider'],   // a teacher of a department that does not cover G1
      ['student', 'staff'],      // a non-teaching staff member
    ]);
    await refused([['stranger', 'curator'], ['stranger', 'teacher'], ['stranger', 'student']]);
  });

  test('a student reaches their curator, the teachers and administration over their group, classmates', async () => {
    await allowed([['student', 'curator'], ['student', 'teacher'], ['student', 'manager'], ['student', 'director'], ['student', 'classmate'], ['student', 'admin']]);
  });

  test('staff outside the student\'s units cannot write to them; those who teach them can', async () => {
    await refused([['outsider', 'student'], ['staff', 'student'], ['outsider', 'classmate']]);
    await allowed([['curator', 'classmate'], ['teacher', 'classmate'], ['manager', 'classmate'], ['admin', 'stranger'], ['director', 'stranger']]);
  });

  test('sharing a chat opens the way: staff and students who are members of one chat', async () => {
    await refused([['staff', 'stranger']]);
    // the director (who covers every group) gathers a council with both
    const council = await mkChat(W.director, { kind: 'group', title: 'Студенческий совет', user_ids: [W.staff.u.id, W.stranger.u.id, W.student.u.id] });
    assert.equal((await members(W.director, council.id)).length, 4);
    await allowed([['staff', 'stranger'], ['stranger', 'staff'], ['stranger', 'student']]);
  });
});

describe('parents', () => {
  test('a parent reaches their child\'s curator but not other students', async () => {
    await allowed([['parent', 'curator'], ['parent', 'teacher'], ['parent', 'manager'], ['parent', 'student']]);
    await refused([['parent', 'classmate'], ['parent', 'stranger'], ['parent', 'outsider'], ['parent', 'staff']]);
  });

  test('a parent is written to by the staff of their child\'s units only', async () => {
    await allowed([['curator', 'parent'], ['admin', 'parent'], ['student', 'parent']]);
    await refused([['outsider', 'parent'], ['staff', 'parent'], ['classmate', 'parent'], ['stranger', 'parent']]);
  });

  test('a shared chat does not open the way to or from a parent', async () => {
    const chat = await mkChat(W.director, { kind: 'group', title: 'Родительский комитет', user_ids: [W.parent.u.id, W.staff.u.id, W.stranger.u.id] });
    assert.equal((await members(W.director, chat.id)).length, 4);
    await refused([['parent', 'stranger'], ['parent', 'staff'], ['stranger', 'parent'], ['staff', 'parent']]);
  });
});

describe('adding people to chats follows the same policy', () => {
  test('a creator may put in a new chat only people they may write to', async () => {
    let r = await call(W.outsider.p, 'POST', '/api/v1/chats', { kind: 'group', title: 'Кружок робототехники', user_ids: [W.teacher.u.id, W.student.u.id] });
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.field, 'user_ids');
    assert.ok(!(await chatList(W.outsider)).some((x) => x.title === 'Кружок робототехники'), 'nothing created');
    r = await call(W.curator.p, 'POST', '/api/v1/chats', { kind: 'group', title: 'Кружок робототехники', user_ids: [W.student.u.id, W.parent.u.id] });
    assert.equal(r.status, 201, r.text);
    const chat = r.json.chat;
    // a member allowed to add (policy "all") still adds only people they may write to
    await call(W.curator.p, 'PATCH', `/api/v1/chats/${chat.id}`, { add_policy: 'all' });
    r = await call(W.student.p, 'POST', `/api/v1/chats/${chat.id}/members`, { user_ids: [W.outsider.u.id] });
    assert.equal(r.status, 403, r.text);
    r = await call(W.parent.p, 'POST', `/api/v1/chats/${chat.id}/members`, { user_ids: [W.classmate.u.id] });
    assert.equal(r.status, 403, r.text);
    r = await call(W.student.p, 'POST', `/api/v1/chats/${chat.id}/members`, { user_ids: [W.classmate.u.id] });
    assert.equal(r.status, 200, r.text);
    assert.equal((await members(W.curator, chat.id)).length, 4);
  });
});

describe('nobody outside the college', () => {
  test('a person whose roles ended can no longer be written to', async () => {
    const r0 = await call(c.admin, 'POST', '/api/v1/people', { login: 'leaver@college.ru', name: 'Уходящий Студент', role: 'student', unit_id: c.units.G1.id, password: 'college-pass-2024' });
    assert.equal(r0.status, 201, r0.text);
    const leaver = r0.json.user;
    let r = await call(W.curator.p, 'POST', '/api/v1/chats', { kind: 'group', title: 'Проверка', user_ids: [leaver.id] });
    assert.equal(r.status, 201, r.text);
    const person = await call(c.admin, 'GET', `/api/v1/people/${leaver.id}`);
    const a = person.json.assignments.find((x) => x.role === 'student');
    const end = await call(c.admin, 'DELETE', `/api/v1/people/${leaver.id}/roles/${a.id}`);
    assert.equal(end.status, 204, end.text);
    r = await call(W.curator.p, 'POST', '/api/v1/chats', { kind: 'direct', user_id: leaver.id });
    assert.equal(r.status, 403, r.text);
    r = await call(W.admin.p, 'POST', '/api/v1/chats', { kind: 'direct', user_id: leaver.id });
    assert.equal(r.status, 403, 'not even the administrator');
  });
});
