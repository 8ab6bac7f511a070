// SPDX-License-Identifier: MIT
// Helpers for the chat administration tests (chats, members, contact policy):
//  - college(): buildCollege() plus, logged in by cookie and with a bearer
//    token for the real-time client: a classmate of the student (G1), a
//    student of G2, a teacher in department D (outside G1's units) and a
//    confirmed parent of the student; every person as { p (Person), u (user),
//    token }.
//  - mkChat(): POST /api/v1/chats as someone, failing on anything but 201/200.
//  - ws(): a synced real-time client of a person (tests/lib/chat.mjs).
//  - lastAudit(): the newest audit entry of an action.
import assert from 'node:assert/strict';
import { buildCollege, call, createPerson, PASSWORD } from './org.mjs';
import { ADMIN, loginAs, Person } from './http.mjs';
import { ChatClient, bearerOf } from './chat.mjs';

const LOGINS = {
  director: 'director@college.ru', manager: 'zav@college.ru', curator: 'curator@college.ru',
  teacher: 'teacher@college.ru', student: 'student@college.ru', staff: 'staff@college.ru',
};

async function person(srv, admin, spec) {
  const u = await createPerson(admin, { ...spec, password: PASSWORD });
  const p = await loginAs(srv, spec.login, PASSWORD);
  return { u, p, login: spec.login };
}

// A parent of studentId joined through a parent link of groupId and approved.
export async function addParent(srv, admin, groupId, studentId, login, name) {
  const link = await call(admin, 'POST', '/api/v1/invites', { role: 'parent', unit_id: groupId });
  assert.equal(link.status, 201, link.text);
  const p = new Person(srv);
  const join = await p.post(`/api/v1/join/${link.json.token}`, {
    register: { login, name, password: PASSWORD }, student_id: studentId,
  });
  assert.equal(join.status, 201, join.text);
  const ok = await call(admin, 'POST', `/api/v1/join-requests/${join.json.request_id}/approve`);
  assert.ok(ok.status === 200 || ok.status === 204, ok.text);
  const logged = await loginAs(srv, login, PASSWORD);
  return { u: join.json.user, p: logged, login };
}

export async function college(srv) {
  const c = await buildCollege(srv);
  const who = {};
  for (const k of Object.keys(LOGINS)) who[k] = { u: c.users[k], p: c.people[k], login: LOGINS[k] };
  who.admin = { u: c.adminUser, p: c.admin, login: c.adminUser.login };
  const [classmate, stranger, outsider] = await Promise.all([
    person(srv, c.admin, { login: 'classmate@college.ru', name: 'Алёна Одногруппница', role: 'student', unit_id: c.units.G1.id }),
    person(srv, c.admin, { login: 'stranger@college.ru', name: 'Игорь Чужой', role: 'student', unit_id: c.units.G2.id }),
    person(srv, c.admin, { login: 'outsider@college.ru', name: 'Тамара Методистова', role: 'teacher', unit_id: c.units.D.id }),
  ]);
  Object.assign(who, { classmate, stranger, outsider });
  who.parent = await addParent(srv, c.admin, c.units.G1.id, who.student.u.id, 'parent@mail.ru', 'Мария Студентова');
  return { ...c, who };
}

// Bearer token of a person (cached on it).
export async function tokenOf(srv, w) {
  if (!w.token) w.token = await bearerOf(srv, w.login, w.login === ADMIN.login ? ADMIN.password : PASSWORD);
  return w.token;
}

export async function ws(srv, w) {
  return new ChatClient(srv.port, { bearer: await tokenOf(srv, w) }).connect();
}

// Create a chat as w; returns the chat object.
export async function mkChat(w, body) {
  const r = await call(w.p, 'POST', '/api/v1/chats', body);
  assert.ok(r.status === 201 || r.status === 200, `${r.status} ${r.text}`);
  return r.json.chat;
}

export async function chatList(w) {
  const r = await call(w.p, 'GET', '/api/v1/chats');
  assert.equal(r.status, 200, r.text);
  return r.json.chats;
}

export async function members(w, chatId) {
  const r = await call(w.p, 'GET', `/api/v1/chats/${chatId}/members`);
  assert.equal(r.status, 200, r.text);
  return r.json.members;
}

export async function lastAudit(admin, action) {
  const r = await call(admin, 'GET', `/api/v1/audit?action=${action}&limit=1`);
  assert.equal(r.status, 200, r.text);
  return r.json.entries[0];
}

export async function auditCount(admin, action) {
  const r = await call(admin, 'GET', `/api/v1/audit?action=${action}&limit=200`);
  assert.equal(r.status, 200, r.text);
  return r.json.entries.length;
}

export { call };
