// SPDX-License-Identifier: MIT
// Mandatory chats kept in sync with the college structure, through the real
// server: after buildCollege() and joins by link, everyone's chat list
// (GET /api/v1/chats) shows exactly the mandatory chats of their roles; a
// transfer moves the student between the group chats and their parent
// between the parents' chats, and the student's WebSocket client receives
// the member.removed / member.added events live; expulsion removes them while
// the history written during their membership stays readable to them (and
// what came after does not); dismissal removes staff from «Преподаватели»
// and the group chats they taught in; subject chats follow their group;
// members added by hand stay; a group's code change renames its chats; a
// database from before the chats gets them at its first start, and an
// administrator made by the command line joins «Преподаватели» at the next.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { Person, createAdminCli, loginAs } from '../lib/http.mjs';
import { buildCollege, call, createUnit, PASSWORD } from '../lib/org.mjs';
import { ChatClient, bearerOf } from '../lib/chat.mjs';

let srv;
let college;
let G3;            // a second group in the branch: the transfer's target
let parent;        // a Person: the student's confirmed guardian
let parentId;
let joiner;        // a student who joined G3 by a link without approval
let joinerId;

const ids = {};
const uid = (key) => college.users[key].id;

// The mandatory chats the person belongs to, as sorted "kind:title(role)".
async function mandatory(person) {
  const r = await person.get('/api/v1/chats');
  assert.equal(r.status, 200, r.text);
  return r.json.chats.filter((c) => c.mandatory).map((c) => `${c.mandatory}:${c.title}(${c.my_role})`).sort();
}

// The id of a mandatory chat, seen by a member.
async function chatOf(person, kind, unitId) {
  const r = await person.get('/api/v1/chats');
  assert.equal(r.status, 200, r.text);
  const c = r.json.chats.find((x) => x.mandatory === kind && x.unit_id === unitId);
  return c ? c.id : null;
}

async function move(body) {
  const r = await call(college.admin, 'POST', '/api/v1/movements', body);
  assert.equal(r.status, 201, `${JSON.stringify(body)}: ${r.text}`);
  return r.json;
}

async function client(login) {
  return new ChatClient(srv.port, { bearer: await bearerOf(srv, login, PASSWORD) }).connect();
}

before(async () => {
  srv = await startServer({ args: ['--login-ip-per-minute=10000'] });
  college = await buildCollege(srv);
  const { admin, units } = college;
  G3 = await createUnit(admin, { kind: 'study_group', parent_id: units.B.id, name: 'Сварочное производство', code: 'СВ-22', enrolment_year: 2022 });

  // the student's parent joins by a link and the administrator approves
  const link = await call(admin, 'POST', '/api/v1/invites', { role: 'parent', unit_id: units.G1.id });
  assert.equal(link.status, 201, link.text);
  const p = new Person(srv);
  const join = await p.post(`/api/v1/join/${link.json.token}`, {
    register: { login: 'mama@college.ru', name: 'Мария Студентова', password: PASSWORD },
    student_id: uid('student'),
  });
  assert.equal(join.status, 201, join.text);
  parentId = join.json.user.id;
  const ok = await call(admin, 'POST', `/api/v1/join-requests/${join.json.request_id}/approve`);
  assert.ok(ok.status === 200 || ok.status === 204, ok.text);
  parent = await loginAs(srv, 'mama@college.ru', PASSWORD);

  // a student joins G3 directly (a link without approval)
  const slink = await call(admin, 'POST', '/api/v1/invites', { role: 'student', unit_id: G3.id, needs_approval: false });
  assert.equal(slink.status, 201, slink.text);
  const s = new Person(srv);
  const sj = await s.post(`/api/v1/join/${slink.json.token}`, {
    register: { login: 'novichok@college.ru', name: 'Никита Новичков', password: PASSWORD },
  });
  assert.equal(sj.status, 201, sj.text);
  assert.equal(sj.json.status, 'joined', sj.text);
  joinerId = sj.json.user.id;
  joiner = await loginAs(srv, 'novichok@college.ru', PASSWORD);
});

after(async () => {
  const r = await srv?.stop();
  if (r) assert.equal(r.code, 0);
});

describe('who is in which mandatory chat', () => {
  test('each role sees exactly the mandatory chats it belongs to', async () => {
    const { people, admin } = college;
    const teachers = 'teachers:Преподаватели';
    const branch = 'teachers:Преподаватели — Бардымский филиал';
    assert.deepEqual(await mandatory(admin), [`${teachers}(admin)`], 'the platform administrator');
    assert.deepEqual(await mandatory(people.director), [`${teachers}(admin)`], 'college administration: not a branch chat');
    assert.deepEqual(await mandatory(people.manager), [`${teachers}(admin)`, `${branch}(admin)`].sort());
    assert.deepEqual(await mandatory(people.teacher), [`${teachers}(member)`, `${branch}(member)`].sort());
    assert.deepEqual(await mandatory(people.curator), [
      `${teachers}(member)`, `${branch}(member)`, 'study_group:ТМ-21(admin)', 'parents:Родители ТМ-21(admin)',
    ].sort());
    assert.deepEqual(await mandatory(people.student), ['study_group:ТМ-21(member)']);
    assert.deepEqual(await mandatory(parent), ['parents:Родители ТМ-21(member)']);
    assert.deepEqual(await mandatory(people.staff), [], 'staff are not teaching staff');
    assert.deepEqual(await mandatory(joiner), ['study_group:СВ-22(member)'], 'a direct join by link');
  });
});

describe('subject chats and manual members', () => {
  test('a subject chat follows its group; its teacher joins the group chat', async () => {
    const { people, units } = college;
    const r = await call(people.teacher, 'POST', '/api/v1/chats', { kind: 'group', unit_id: units.G1.id, subject: 'Физика' });
    assert.equal(r.status, 201, r.text);
    ids.physics = r.json.id ?? r.json.chat?.id;
    assert.ok(ids.physics > 0, r.text);
    assert.ok((await mandatory(people.student)).includes('subject:Физика — ТМ-21(member)'));
    assert.ok((await mandatory(people.curator)).includes('subject:Физика — ТМ-21(admin)'));
    const mine = await mandatory(people.teacher);
    assert.ok(mine.includes('subject:Физика — ТМ-21(owner)'), mine.join());
    assert.ok(mine.includes('study_group:ТМ-21(member)'), 'the group\'s teacher is in its chat');
    assert.deepEqual(await mandatory(parent), ['parents:Родители ТМ-21(member)'], 'parents are not in subject chats');
  });

  test('someone a curator added by hand stays through the structure\'s changes', async () => {
    const { people, units } = college;
    const g1 = await chatOf(people.curator, 'study_group', units.G1.id);
    const add = await call(people.curator, 'POST', `/api/v1/chats/${g1}/members`, { user_ids: [uid('staff')] });
    assert.ok(add.status === 200 || add.status === 201, add.text);
    assert.deepEqual(await mandatory(people.staff), ['study_group:ТМ-21(member)']);
    // a newcomer enrolled into the group: the chat is reconciled, the staff member stays
    const r = await call(college.admin, 'POST', '/api/v1/people', {
      login: 'vtoroy@college.ru', name: 'Вера Второва', password: PASSWORD, role: 'student', unit_id: units.G1.id,
    });
    assert.equal(r.status, 201, r.text);
    const members = await people.curator.get(`/api/v1/chats/${g1}/members`);
    assert.equal(members.status, 200, members.text);
    const by = Object.fromEntries(members.json.members.map((m) => [m.user_id, m]));
    assert.equal(by[uid('staff')]?.source, 'manual');
    assert.equal(by[r.json.user.id]?.source, 'system');
    assert.equal(by[uid('curator')]?.role, 'admin');
    assert.deepEqual(await mandatory(people.staff), ['study_group:ТМ-21(member)']);
  });
});

describe('movements drive membership', () => {
  test('a transfer moves the student between group chats and the parent between parents\' chats, live', async () => {
    const { people, units } = college;
    ids.g1 = await chatOf(people.student, 'study_group', units.G1.id);
    ids.p1 = await chatOf(parent, 'parents', units.G1.id);
    assert.ok(ids.g1 && ids.p1);
    const ws = await client('student@college.ru');
    const pws = await client('mama@college.ru');
    assert.ok(ws.cursors[ids.g1] > 0, 'the student follows the group chat');

    await move({ user_id: uid('student'), kind: 'transfer', to_unit_id: G3.id, date: '2024-09-02' });

    ids.g3 = await chatOf(people.student, 'study_group', G3.id);
    ids.p3 = await chatOf(parent, 'parents', G3.id);
    assert.ok(ids.g3 && ids.p3);
    assert.deepEqual(await mandatory(people.student), ['study_group:СВ-22(member)'], 'out of ТМ-21 and its subject chat');
    assert.deepEqual(await mandatory(parent), ['parents:Родители СВ-22(member)']);
    // the curator of ТМ-21 keeps their chats
    assert.ok((await mandatory(people.curator)).includes('study_group:ТМ-21(admin)'));

    const isMe = (e) => e.data.user_id === uid('student');
    await ws.until(() => (ws.events[ids.g1] || []).some((e) => e.kind === 'member.removed' && isMe(e))
      && (ws.events[ids.g3] || []).some((e) => e.kind === 'member.added' && isMe(e)),
    { what: 'member.removed from ТМ-21 and member.added to СВ-22 at the student' });
    const removed = ws.events[ids.g1].find((e) => e.kind === 'member.removed');
    assert.equal(removed.author_id, 0, 'the system removed them');
    const added = ws.events[ids.g3].find((e) => e.kind === 'member.added');
    assert.equal(added.data.role, 'member');
    assert.equal(added.data.name, 'Семён Студентов');
    const pid = (e) => e.data.user_id === parentId;
    await pws.until(() => (pws.events[ids.p1] || []).some((e) => e.kind === 'member.removed' && pid(e))
      && (pws.events[ids.p3] || []).some((e) => e.kind === 'member.added' && pid(e)),
    { what: 'the parent moving between the parents\' chats' });
    ws.close();
    pws.close();
  });

  test('expulsion removes the student and the parent; the history of their membership stays readable', async () => {
    const curator = await client('curator@college.ru');
    // the curator of ТМ-21 takes over СВ-22 too (a role assignment): admin there
    const a = await call(college.admin, 'POST', `/api/v1/people/${uid('curator')}/roles`, { role: 'curator', unit_id: G3.id });
    assert.equal(a.status, 201, a.text);
    await curator.until(() => (curator.events[ids.g3] || []).some((e) => e.kind === 'member.added' && e.data.user_id === uid('curator')),
      { what: 'the curator added to СВ-22 live' });
    assert.equal(curator.events[ids.g3].find((e) => e.kind === 'member.added').data.role, 'admin');

    const early = await curator.send(ids.g3, 'Завтра практика в мастерских');
    const ws = await client('student@college.ru');
    await move({ user_id: uid('student'), kind: 'expulsion', date: '2024-10-01' });
    await ws.until(() => (ws.events[ids.g3] || []).some((e) => e.kind === 'member.removed' && e.data.user_id === uid('student')),
      { what: 'member.removed at the expelled student' });
    const afterMsg = await curator.send(ids.g3, 'Сообщение после отчисления');

    assert.deepEqual(await mandatory(college.people.student), []);
    assert.deepEqual(await mandatory(parent), [], 'no child left in the group: the parent leaves too');
    const r = await college.people.student.get(`/api/v1/chats/${ids.g3}/messages`);
    assert.equal(r.status, 200, r.text);
    const seqs = r.json.messages.map((m) => m.seq);
    assert.ok(seqs.includes(early.seq), 'written while a member: readable');
    assert.ok(!seqs.includes(afterMsg.seq), 'written after: not readable');
    // nothing arrives live after the removal either
    await new Promise((res) => setTimeout(res, 200));
    assert.ok(!(ws.events[ids.g3] || []).some((e) => e.seq >= afterMsg.seq));
    ws.close();
    curator.close();
  });

  test('dismissal removes the teacher from «Преподаватели», the branch chat and the group chat', async () => {
    const ws = await client('teacher@college.ru');
    const t = await chatOf(college.people.teacher, 'teachers', 1);
    assert.ok(t);
    await move({ user_id: uid('teacher'), kind: 'dismissal', date: '2024-12-31' });
    await ws.until(() => (ws.events[t] || []).some((e) => e.kind === 'member.removed' && e.data.user_id === uid('teacher')),
      { what: 'member.removed from «Преподаватели»' });
    // the subject chat stays theirs (an owner is never removed by the system)
    assert.deepEqual(await mandatory(college.people.teacher), ['subject:Физика — ТМ-21(owner)']);
    // the others stay
    assert.ok((await mandatory(college.people.curator)).includes('teachers:Преподаватели — Бардымский филиал(member)'));
    ws.close();
  });
});

describe('chats follow their units', () => {
  test('a new group gets its chats; a code change renames them, a curator\'s rename stands until then', async () => {
    const { admin, units } = college;
    const g = await createUnit(admin, { kind: 'study_group', parent_id: units.B.id, name: 'Повара', code: 'ПВ-23', enrolment_year: 2023 });
    const a = await call(admin, 'POST', `/api/v1/people/${uid('manager')}/roles`, { role: 'curator', unit_id: g.id });
    assert.equal(a.status, 201, a.text);
    let mine = await mandatory(college.people.manager);
    assert.ok(mine.includes('study_group:ПВ-23(admin)') && mine.includes('parents:Родители ПВ-23(admin)'), mine.join());
    // the curator renames the group chat; the name stands through later changes in the group
    const chat = await chatOf(college.people.manager, 'study_group', g.id);
    const t = await call(college.people.manager, 'PATCH', `/api/v1/chats/${chat}`, { title: 'ПВ-23 — повара' });
    assert.equal(t.status, 200, t.text);
    const st = await call(admin, 'POST', '/api/v1/people', {
      login: 'povar@college.ru', name: 'Павел Поваров', password: PASSWORD, role: 'student', unit_id: g.id,
    });
    assert.equal(st.status, 201, st.text);
    assert.ok((await mandatory(college.people.manager)).includes('study_group:ПВ-23 — повара(admin)'));
    // a new code: the structure's name wins again
    const r = await call(admin, 'PATCH', `/api/v1/org/units/${g.id}`, { code: 'ПВ-24' });
    assert.equal(r.status, 200, r.text);
    mine = await mandatory(college.people.manager);
    assert.ok(mine.includes('study_group:ПВ-24(admin)') && mine.includes('parents:Родители ПВ-24(admin)'), mine.join());
  });
});

describe('start-up', () => {
  test('a college from before the chats gets its mandatory chats at the first start', async () => {
    const first = await startServer();
    await buildCollege(first);
    await first.stop({ keepData: true });
    // what a database of the previous version looks like: no chats at all
    const db = join(first.dataDir, 'parta.db');
    const wipe = spawnSync('sqlite3', [db, 'DELETE FROM chat_member_spans; DELETE FROM chat_members; '
      + 'DELETE FROM chat_events; DELETE FROM chats;'], { encoding: 'utf8' });
    assert.equal(wipe.status, 0, wipe.stderr);
    let again = await startServer({ dataDir: first.dataDir });
    try {
      const student = await loginAs(again, 'student@college.ru', PASSWORD);
      const curator = await loginAs(again, 'curator@college.ru', PASSWORD);
      assert.deepEqual(await mandatory(student), ['study_group:ТМ-21(member)']);
      assert.deepEqual(await mandatory(curator), [
        'parents:Родители ТМ-21(admin)', 'study_group:ТМ-21(admin)',
        'teachers:Преподаватели(member)', 'teachers:Преподаватели — Бардымский филиал(member)',
      ].sort());
      // an administrator created while the server is down joins «Преподаватели» at the next start
      await again.stop({ keepData: true });
      const cli = createAdminCli(first.dataDir, { login: 'admin2@college.ru', name: 'Второй Администратор', password: PASSWORD });
      assert.equal(cli.status, 0, cli.stderr);
      again = await startServer({ dataDir: first.dataDir });
      const admin2 = await loginAs(again, 'admin2@college.ru', PASSWORD);
      assert.deepEqual(await mandatory(admin2), ['teachers:Преподаватели(admin)']);
      assert.deepEqual(await mandatory(await loginAs(again, 'student@college.ru', PASSWORD)), ['study_group:ТМ-21(member)']);
    } finally {
      await again.stop({ keepData: true });
      rmSync(first.dataDir, { recursive: true, force: true });
    }
  });
});
