// SPDX-License-Identifier: MIT
// Chats API: creating direct chats (one per pair), group chats, channels and
// subject chats (who may create which), the chat list with unread counts and
// last messages, one chat, its settings (owner and admins; audited; an event
// of the chat), history pages limited to the reader's membership spans,
// edit history, the read report and pins. Refusals change nothing;
// malformed input is 400 with the field; no session is 401.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { request } from '../lib/http.mjs';
import { auditCount, call, chatList, college, lastAudit, members, mkChat, ws } from '../lib/chat_admin.mjs';

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

const ids = (list) => list.map((x) => x.id ?? x.user_id).sort((a, b) => a - b);

describe('POST /api/v1/chats: group chats and channels', () => {
  test('a teacher creates a group chat: owner, initial members, audited, listed for members', async () => {
    const chat = await mkChat(W.teacher, { kind: 'group', title: '  Учебный чат ТМ-21 ', description: 'Строка 1\nСтрока 2', user_ids: [W.student.u.id, W.curator.u.id, W.student.u.id] });
    assert.equal(chat.kind, 'group');
    assert.equal(chat.title, 'Учебный чат ТМ-21');
    assert.equal(chat.description, 'Строка 1\nСтрока 2');
    assert.equal(chat.my_role, 'owner');
    assert.equal(chat.mandatory, null);
    assert.equal(chat.post_policy, 'all');
    assert.equal(chat.members_count, 3);
    assert.equal(chat.created_by, W.teacher.u.id);
    const m = await members(W.teacher, chat.id);
    // the owner first, then by name
    assert.deepEqual(m.map((x) => [x.user_id, x.role, x.source]), [
      [W.teacher.u.id, 'owner', 'manual'],
      [W.curator.u.id, 'member', 'manual'],
      [W.student.u.id, 'member', 'manual'],
    ]);
    assert.ok((await chatList(W.student)).some((x) => x.id === chat.id && x.my_role === 'member'));
    const e = await lastAudit(c.admin, 'chat.create');
    assert.equal(e.target, `chat:${chat.id}`);
    assert.equal(e.actor.id, W.teacher.u.id);
    assert.deepEqual(e.after.members.sort(), [W.student.u.id, W.curator.u.id].sort());
  });

  test('every role the regulation names creates chats and channels; a channel posts admins only', async () => {
    for (const k of ['admin', 'director', 'manager', 'curator', 'teacher']) {
      const chat = await mkChat(W[k], { kind: 'channel', title: `Объявления (${k})` });
      assert.equal(chat.kind, 'channel');
      assert.equal(chat.post_policy, 'admins');
      assert.equal(chat.my_role, 'owner');
    }
    const chat = await mkChat(W.admin, { kind: 'group', title: 'Студенческий совет' });
    assert.equal(chat.my_role, 'owner');
  });

  test('the settings take effect: a channel\'s members do not post, slow mode holds members back', async () => {
    const chan = await mkChat(W.curator, { kind: 'channel', title: 'Объявления куратора', user_ids: [W.student.u.id] });
    const group = await mkChat(W.curator, { kind: 'group', title: 'Болталка', user_ids: [W.student.u.id] });
    const st = await ws(srv, W.student);
    const cu = await ws(srv, W.curator);
    try {
      await assert.rejects(st.send(chan.id, 'Можно спросить?'), (e) => e.code === 'forbidden');
      assert.ok((await cu.send(chan.id, 'Завтра пар нет')).seq > 0);
      const r = await call(W.curator.p, 'PATCH', `/api/v1/chats/${group.id}`, { slow_mode_s: 60 });
      assert.equal(r.status, 200, r.text);
      await st.send(group.id, 'Раз');
      await assert.rejects(st.send(group.id, 'Два'), (e) => e.code === 'rate_limited');
      await cu.send(group.id, 'Админов не сдерживает');
      await cu.send(group.id, 'Совсем');
    } finally {
      st.close();
      cu.close();
    }
  });

  test('students, parents and staff may not create group chats or channels: 403, nothing created', async () => {
    for (const k of ['student', 'parent', 'staff']) {
      const before = (await chatList(W[k])).length;
      for (const kind of ['group', 'channel']) {
        const r = await call(W[k].p, 'POST', '/api/v1/chats', { kind, title: 'Мой чат' });
        assert.equal(r.status, 403, `${k} ${kind}: ${r.text}`);
      }
      assert.equal((await chatList(W[k])).length, before);
    }
  });

  test('malformed input is 400 with the field; no session is 401', async () => {
    const long = 'я'.repeat(201);
    const cases = [
      [{}, 'kind'], [{ kind: 'room', title: 'x' }, 'kind'], [{ kind: 7 }, 'kind'],
      [{ kind: 'group' }, 'title'], [{ kind: 'group', title: '   ' }, 'title'], [{ kind: 'group', title: long }, 'title'],
      [{ kind: 'group', title: 'a\u0007b' }, 'title'], [{ kind: 'group', title: 5 }, 'title'],
      [{ kind: 'group', title: 'x', description: 'д'.repeat(1001) }, 'description'],
      [{ kind: 'group', title: 'x', user_ids: 'all' }, 'user_ids'], [{ kind: 'group', title: 'x', user_ids: [0] }, 'user_ids'],
      [{ kind: 'group', title: 'x', user_ids: ['5'] }, 'user_ids'], [{ kind: 'group', title: 'x', user_ids: Array(201).fill(1) }, 'user_ids'],
      [{ kind: 'group', title: 'x', user_ids: [987654] }, 'user_ids'],
      [{ kind: 'channel', title: 'x', unit_id: c.units.G1.id, subject: 'Физика' }, 'unit_id'],
      [{ kind: 'group', title: 'x', subject: 'Физика' }, 'subject'],
      [{ kind: 'group', unit_id: c.units.G1.id }, 'subject'], [{ kind: 'group', unit_id: c.units.G1.id, subject: ' ' }, 'subject'],
      [{ kind: 'group', unit_id: 'G1', subject: 'Физика' }, 'unit_id'],
      [{ kind: 'direct' }, 'user_id'], [{ kind: 'direct', user_id: -3 }, 'user_id'], [{ kind: 'direct', user_id: '5' }, 'user_id'],
      [{ kind: 'direct', user_id: W.teacher.u.id }, 'user_id'], // oneself
      [{ kind: 'direct', user_id: 987654 }, 'user_id'],
    ];
    const before = (await chatList(W.teacher)).length;
    for (const [body, field] of cases) {
      const r = await call(W.teacher.p, 'POST', '/api/v1/chats', body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.field, field, JSON.stringify(body));
    }
    assert.equal((await chatList(W.teacher)).length, before);
    const bad = await W.teacher.p.request('POST', '/api/v1/chats', { body: '{"kind":', headers: { 'Content-Type': 'application/json' }, csrf: true });
    assert.equal(bad.status, 400);
    const anon = await request(srv, 'POST', '/api/v1/chats', { json: { kind: 'group', title: 'x' } });
    assert.equal(anon.status, 401);
    assert.equal((await request(srv, 'GET', '/api/v1/chats')).status, 401);
  });
});

describe('POST /api/v1/chats: direct chats', () => {
  test('one chat per pair: opening it again, from either side, returns it (200)', async () => {
    const r1 = await call(W.student.p, 'POST', '/api/v1/chats', { kind: 'direct', user_id: W.curator.u.id });
    assert.equal(r1.status, 201, r1.text);
    const chat = r1.json.chat;
    assert.equal(chat.kind, 'direct');
    assert.equal(chat.title, 'Ольга Кураторова');
    assert.deepEqual(chat.peer, { id: W.curator.u.id, name: 'Ольга Кураторова' });
    assert.equal(chat.members_count, 2);
    const r2 = await call(W.student.p, 'POST', '/api/v1/chats', { kind: 'direct', user_id: W.curator.u.id });
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json.chat.id, chat.id);
    const r3 = await call(W.curator.p, 'POST', '/api/v1/chats', { kind: 'direct', user_id: W.student.u.id });
    assert.equal(r3.status, 200, r3.text);
    assert.equal(r3.json.chat.id, chat.id);
    assert.equal(r3.json.chat.title, 'Семён Студентов');
    const listed = (await chatList(W.curator)).filter((x) => x.kind === 'direct' && x.peer?.id === W.student.u.id);
    assert.equal(listed.length, 1);
  });

  test('a direct chat has no administration: no settings, no members added, nobody leaves', async () => {
    const chat = await mkChat(W.teacher, { kind: 'direct', user_id: W.director.u.id });
    let r = await call(W.teacher.p, 'PATCH', `/api/v1/chats/${chat.id}`, { title: 'Наш чат' });
    assert.equal(r.status, 403, r.text);
    r = await call(W.teacher.p, 'POST', `/api/v1/chats/${chat.id}/members`, { user_ids: [W.manager.u.id] });
    assert.equal(r.status, 403, r.text);
    r = await call(W.teacher.p, 'DELETE', `/api/v1/chats/${chat.id}/members/${W.teacher.u.id}`);
    assert.equal(r.status, 403, r.text);
    assert.equal((await members(W.teacher, chat.id)).length, 2);
  });
});

describe('subject chats', () => {
  test('a teacher creates one for a group: its students and curator join as system members', async () => {
    const r = await call(W.teacher.p, 'POST', '/api/v1/chats', { kind: 'group', unit_id: c.units.G1.id, subject: 'Техническая механика' });
    assert.equal(r.status, 201, r.text);
    const chat = r.json.chat;
    assert.equal(chat.mandatory, 'subject');
    assert.equal(chat.unit_id, c.units.G1.id);
    assert.equal(chat.subject, 'Техническая механика');
    assert.equal(chat.title, 'Техническая механика — ТМ-21');
    const m = await members(W.teacher, chat.id);
    const by = Object.fromEntries(m.map((x) => [x.user_id, x]));
    assert.equal(by[W.teacher.u.id].role, 'owner');
    for (const k of ['student', 'classmate']) assert.equal(by[W[k].u.id]?.source, 'system', k);
    assert.equal(by[W.curator.u.id]?.source, 'system');
    assert.equal(by[W.stranger.u.id], undefined);
    assert.equal(by[W.parent.u.id], undefined);
    // the same subject twice for the group: conflict
    const again = await call(W.curator.p, 'POST', '/api/v1/chats', { kind: 'group', unit_id: c.units.G1.id, subject: 'Техническая механика' });
    assert.equal(again.status, 409, again.text);
    assert.equal(again.json.error.field, 'subject');
    // it is mandatory: nobody leaves by hand, system members are not removed by hand
    let x = await call(W.student.p, 'DELETE', `/api/v1/chats/${chat.id}/members/${W.student.u.id}`);
    assert.equal(x.status, 403, x.text);
    x = await call(W.teacher.p, 'DELETE', `/api/v1/chats/${chat.id}/members/${W.classmate.u.id}`);
    assert.equal(x.status, 403, x.text);
    assert.equal((await members(W.teacher, chat.id)).length, m.length);
    // its owner teaches the group: they are now in the group's chat
    const groupChat = () => chatList(W.teacher).then((l) => l.find((x) => x.mandatory === 'study_group' && x.unit_id === c.units.G1.id));
    assert.ok(await groupChat(), 'the subject chat owner joined the group chat');
    // handing the subject chat over to the curator: the teacher leaves the group chat
    x = await call(W.teacher.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.curator.u.id}`, { role: 'owner' });
    assert.equal(x.status, 200, x.text);
    assert.equal(x.json.member.role, 'owner');
    const roles = Object.fromEntries((await members(W.curator, chat.id)).map((y) => [y.user_id, y.role]));
    assert.equal(roles[W.teacher.u.id], 'admin');
    assert.equal(await groupChat(), undefined, 'no longer teaching the group through a subject chat');
    // system members' roles follow the structure, not the owner
    x = await call(W.curator.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.student.u.id}`, { role: 'admin' });
    assert.equal(x.status, 403, x.text);
  });

  test('only staff covering the group create its subject chats; the unit must be a live study group', async () => {
    // the teacher of branch B does not cover G2 (directly under the college)
    let r = await call(W.teacher.p, 'POST', '/api/v1/chats', { kind: 'group', unit_id: c.units.G2.id, subject: 'Физика' });
    assert.equal(r.status, 403, r.text);
    r = await call(W.outsider.p, 'POST', '/api/v1/chats', { kind: 'group', unit_id: c.units.G1.id, subject: 'Физика' });
    assert.equal(r.status, 403, r.text);
    for (const k of ['student', 'parent', 'staff']) {
      r = await call(W[k].p, 'POST', '/api/v1/chats', { kind: 'group', unit_id: c.units.G1.id, subject: 'Физика' });
      assert.equal(r.status, 403, `${k}: ${r.text}`);
    }
    r = await call(W.teacher.p, 'POST', '/api/v1/chats', { kind: 'group', unit_id: c.units.B.id, subject: 'Физика' });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.field, 'unit_id');
    r = await call(W.teacher.p, 'POST', '/api/v1/chats', { kind: 'group', unit_id: 987654, subject: 'Физика' });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.field, 'unit_id');
    assert.ok(!(await chatList(W.student)).some((x) => x.subject === 'Физика'));
    // the curator of G1, the administration of B and the administrator may
    for (const k of ['curator', 'manager', 'admin']) {
      const chat = await mkChat(W[k], { kind: 'group', unit_id: c.units.G1.id, subject: `Предмет ${k}`, title: `Чат ${k}` });
      assert.equal(chat.title, `Чат ${k}`);
      assert.equal(chat.mandatory, 'subject');
    }
  });
});

describe('GET /api/v1/chats and GET /api/v1/chats/:id', () => {
  test('unread counts, the last message (its first 200 characters), most recent first', async () => {
    const a = await mkChat(W.director, { kind: 'group', title: 'Педсовет', user_ids: [W.manager.u.id] });
    const b = await mkChat(W.director, { kind: 'group', title: 'Совещание', user_ids: [W.manager.u.id] });
    const d = await ws(srv, W.director);
    try {
      await d.send(a.id, 'Первое');
      await d.send(a.id, 'Второе');
      await d.send(b.id, 'Ж'.repeat(300));
      let list = await chatList(W.manager);
      const ia = list.findIndex((x) => x.id === a.id);
      const ib = list.findIndex((x) => x.id === b.id);
      assert.ok(ib < ia, 'the chat with the newest message comes first');
      assert.equal(list[ia].unread, 2);
      assert.equal(list[ia].last_message.text, 'Второе');
      assert.equal(list[ia].last_message.author.id, W.director.u.id);
      assert.equal(list[ib].last_message.text, 'Ж'.repeat(200));
      assert.equal(list[ib].unread, 1);
      assert.equal((await chatList(W.director)).find((x) => x.id === a.id).unread, 0, 'own messages are read');
      // the manager reads chat a: unread falls to 0
      const m = await ws(srv, W.manager);
      await m.request({ type: 'read', chat_id: a.id, seq: list[ia].last_message.seq });
      m.close();
      list = await chatList(W.manager);
      assert.equal(list.find((x) => x.id === a.id).unread, 0);
      assert.equal(list.find((x) => x.id === a.id).read_seq, list.find((x) => x.id === a.id).last_message.seq);
      const one = await call(W.manager.p, 'GET', `/api/v1/chats/${a.id}`);
      assert.equal(one.status, 200, one.text);
      assert.equal(one.json.chat.title, 'Педсовет');
      assert.equal(one.json.chat.my_role, 'member');
      assert.equal(one.json.chat.add_policy, 'admins');
      assert.equal(one.json.chat.slow_mode_s, 0);
    } finally {
      d.close();
    }
  });

  test('non-members and former members get 403, unknown chats 404, bad ids 400', async () => {
    const chat = await mkChat(W.director, { kind: 'group', title: 'Закрытый', user_ids: [W.manager.u.id] });
    let r = await call(W.teacher.p, 'GET', `/api/v1/chats/${chat.id}`);
    assert.equal(r.status, 403);
    r = await call(W.admin.p, 'GET', `/api/v1/chats/${chat.id}`);
    assert.equal(r.status, 403, 'administrators do not read chats they are not in');
    r = await call(W.manager.p, 'DELETE', `/api/v1/chats/${chat.id}/members/${W.manager.u.id}`);
    assert.equal(r.status, 204, r.text);
    r = await call(W.manager.p, 'GET', `/api/v1/chats/${chat.id}`);
    assert.equal(r.status, 403);
    assert.ok(!(await chatList(W.manager)).some((x) => x.id === chat.id));
    assert.equal((await call(W.manager.p, 'GET', '/api/v1/chats/987654')).status, 404);
    r = await call(W.manager.p, 'GET', '/api/v1/chats/abc');
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'id');
    assert.equal((await request(srv, 'GET', `/api/v1/chats/${chat.id}`)).status, 401);
  });
});

describe('PATCH /api/v1/chats/:id', () => {
  test('the owner and admins change the settings: an event of the chat, audited before/after', async () => {
    const chat = await mkChat(W.curator, { kind: 'group', title: 'Группа', user_ids: [W.student.u.id, W.classmate.u.id] });
    const cl = await ws(srv, W.student);
    try {
      let r = await call(W.curator.p, 'PATCH', `/api/v1/chats/${chat.id}`, { title: 'Группа ТМ-21', description: 'Правила: без спама', slow_mode_s: 30, add_policy: 'all', post_policy: 'admins' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.chat.title, 'Группа ТМ-21');
      assert.equal(r.json.chat.slow_mode_s, 30);
      assert.equal(r.json.chat.add_policy, 'all');
      assert.equal(r.json.chat.post_policy, 'admins');
      await cl.until(() => (cl.events[chat.id] || []).some((e) => e.kind === 'chat.updated'), { what: 'chat.updated' });
      const ev = cl.events[chat.id].find((e) => e.kind === 'chat.updated');
      assert.equal(ev.data.title, 'Группа ТМ-21');
      assert.equal(ev.data.by, W.curator.u.id);
      const e = await lastAudit(c.admin, 'chat.update');
      assert.equal(e.target, `chat:${chat.id}`);
      assert.equal(e.before.title, 'Группа');
      assert.equal(e.after.title, 'Группа ТМ-21');
      assert.equal(e.after.slow_mode_s, 30);
      // an admin may too
      r = await call(W.curator.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.student.u.id}`, { role: 'admin' });
      assert.equal(r.status, 200, r.text);
      r = await call(W.student.p, 'PATCH', `/api/v1/chats/${chat.id}`, { slow_mode_s: 0 });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.chat.slow_mode_s, 0);
      // the same values again change nothing (no event, no audit)
      const n = await auditCount(c.admin, 'chat.update');
      r = await call(W.curator.p, 'PATCH', `/api/v1/chats/${chat.id}`, { title: 'Группа ТМ-21' });
      assert.equal(r.status, 200, r.text);
      assert.equal(await auditCount(c.admin, 'chat.update'), n);
    } finally {
      cl.close();
    }
  });

  test('a member, a stranger: 403 and nothing changes; malformed: 400 with the field', async () => {
    const chat = await mkChat(W.curator, { kind: 'channel', title: 'Новости группы', user_ids: [W.student.u.id] });
    for (const k of ['student', 'teacher', 'admin']) {
      const r = await call(W[k].p, 'PATCH', `/api/v1/chats/${chat.id}`, { title: 'Взлом' });
      assert.equal(r.status, 403, `${k}: ${r.text}`);
    }
    const cases = [
      [{}, 'body'], [{ title: '' }, 'title'], [{ title: 'я'.repeat(201) }, 'title'], [{ description: 'x'.repeat(1001) }, 'description'],
      [{ post_policy: 'owner' }, 'post_policy'], [{ add_policy: 'everyone' }, 'add_policy'],
      [{ slow_mode_s: 3601 }, 'slow_mode_s'], [{ slow_mode_s: -1 }, 'slow_mode_s'], [{ slow_mode_s: '10' }, 'slow_mode_s'],
      [{ post_policy: 'all' }, 'post_policy'], // a channel stays admins-only
    ];
    for (const [body, field] of cases) {
      const r = await call(W.curator.p, 'PATCH', `/api/v1/chats/${chat.id}`, body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.field, field);
    }
    const now = await call(W.curator.p, 'GET', `/api/v1/chats/${chat.id}`);
    assert.equal(now.json.chat.title, 'Новости группы');
    assert.equal(now.json.chat.post_policy, 'admins');
    assert.equal((await call(W.curator.p, 'PATCH', '/api/v1/chats/987654', { title: 'x' })).status, 404);
    assert.equal((await request(srv, 'PATCH', `/api/v1/chats/${chat.id}`, { json: { title: 'x' } })).status, 401);
  });
});

describe('history', () => {
  let chat;
  const seqs = [];
  let lateSeq;

  before(async () => {
    chat = await mkChat(W.teacher, { kind: 'group', title: 'История', user_ids: [W.curator.u.id, W.student.u.id] });
    const t = await ws(srv, W.teacher);
    for (let i = 1; i <= 30; i++) seqs.push((await t.send(chat.id, `Сообщение ${i}`)).seq);
    // the student leaves, a classmate joins: spans differ
    let r = await call(W.teacher.p, 'DELETE', `/api/v1/chats/${chat.id}/members/${W.student.u.id}`);
    assert.equal(r.status, 204, r.text);
    r = await call(W.teacher.p, 'POST', `/api/v1/chats/${chat.id}/members`, { user_ids: [W.classmate.u.id] });
    assert.equal(r.status, 200, r.text);
    lateSeq = (await t.send(chat.id, 'После перемен')).seq;
    t.close();
  });

  const page = async (w, q = '') => {
    const r = await call(w.p, 'GET', `/api/v1/chats/${chat.id}/messages${q}`);
    assert.equal(r.status, 200, r.text);
    return r.json;
  };

  test('latest page, before, after and around a message, with has_more flags', async () => {
    let p = await page(W.teacher);
    assert.equal(p.messages.length, 31);
    assert.equal(p.has_more_before, false);
    assert.equal(p.has_more_after, false);
    assert.equal(p.messages[0].text, 'Сообщение 1');
    assert.equal(p.messages[30].seq, lateSeq);
    const m = p.messages[0];
    assert.equal(m.author.id, W.teacher.u.id);
    assert.equal(m.author.name, 'Пётр Учителев');
    assert.equal(m.deleted, false);
    assert.equal(m.edited_at, null);
    assert.deepEqual(m.reactions, []);
    assert.deepEqual(m.mentions, []);
    assert.equal(typeof m.at, 'number');

    p = await page(W.teacher, '?limit=10');
    assert.deepEqual(p.messages.map((x) => x.seq), [...seqs.slice(21), lateSeq]);
    assert.equal(p.has_more_before, true);
    assert.equal(p.has_more_after, false);
    p = await page(W.teacher, `?before=${seqs[10]}&limit=5`);
    assert.deepEqual(p.messages.map((x) => x.seq), seqs.slice(5, 10));
    assert.equal(p.has_more_before, true);
    assert.equal(p.has_more_after, true);
    p = await page(W.teacher, `?after=${seqs[25]}&limit=3`);
    assert.deepEqual(p.messages.map((x) => x.seq), seqs.slice(26, 29));
    assert.equal(p.has_more_before, true);
    assert.equal(p.has_more_after, true);
    p = await page(W.teacher, `?around=${seqs[15]}&limit=6`);
    assert.deepEqual(p.messages.map((x) => x.seq), seqs.slice(12, 18));
    assert.ok(p.has_more_before && p.has_more_after);
    // near the start the other side fills in
    p = await page(W.teacher, `?around=${seqs[1]}&limit=6`);
    assert.deepEqual(p.messages.map((x) => x.seq), seqs.slice(0, 6));
    assert.equal(p.has_more_before, false);
    assert.equal(p.has_more_after, true);
    p = await page(W.teacher, `?before=${seqs[0]}`);
    assert.deepEqual(p.messages, []);
    assert.equal(p.has_more_after, true);
  });

  test('each reader sees only what was written while they were a member', async () => {
    const former = await page(W.student);
    assert.deepEqual(former.messages.map((x) => x.seq), seqs, 'the former member keeps what they saw');
    const late = await page(W.classmate);
    assert.deepEqual(late.messages.map((x) => x.seq), [lateSeq], 'the newcomer sees from joining on');
    assert.equal(late.has_more_before, false);
    const around = await page(W.classmate, `?around=${seqs[5]}`);
    assert.deepEqual(around.messages.map((x) => x.seq), [lateSeq]);
    for (const k of ['stranger', 'admin', 'parent']) {
      const r = await call(W[k].p, 'GET', `/api/v1/chats/${chat.id}/messages`);
      assert.equal(r.status, 403, `${k}: ${r.text}`);
    }
    assert.equal((await call(W.teacher.p, 'GET', '/api/v1/chats/987654/messages')).status, 404);
  });

  test('malformed paging is 400 with the field', async () => {
    for (const [q, field] of [['?limit=0', 'limit'], ['?limit=101', 'limit'], ['?limit=x', 'limit'], ['?before=x', 'before'],
      ['?after=-1', 'after'], ['?around=', 'around'], [`?before=${seqs[3]}&after=${seqs[1]}`, 'after'],
      [`?around=1&before=2`, 'before']]) {
      const r = await call(W.teacher.p, 'GET', `/api/v1/chats/${chat.id}/messages${q}`);
      assert.equal(r.status, 400, `${q}: ${r.text}`);
      assert.equal(r.json.error.field, field, q);
    }
    assert.equal((await request(srv, 'GET', `/api/v1/chats/${chat.id}/messages`)).status, 401);
  });
});

describe('messages: deletions, reactions, edits, reads, pins', () => {
  test('history shows deletions (by the author or a moderator), reactions, edits and pins', async () => {
    const chat = await mkChat(W.curator, { kind: 'group', title: 'Группа: объявления', user_ids: [W.student.u.id, W.classmate.u.id] });
    const cur = await ws(srv, W.curator);
    const st = await ws(srv, W.student);
    try {
      const m1 = await st.send(chat.id, 'Черновик');
      const m2 = await st.send(chat.id, 'Лишнее');
      const m3 = await st.send(chat.id, 'Грубость');
      const m4 = await cur.send(chat.id, 'Экскурсия в пятницу');
      await st.op('edit', chat.id, m1.seq, { text: 'Черновик 2' });
      await st.op('edit', chat.id, m1.seq, { text: 'Итог' });
      await st.op('delete', chat.id, m2.seq);
      await cur.op('delete', chat.id, m3.seq);
      await st.op('react', chat.id, m4.seq, { emoji: '👍' });
      await cur.op('react', chat.id, m4.seq, { emoji: '👍' });
      await cur.op('react', chat.id, m4.seq, { emoji: '🎉' });
      await cur.op('pin', chat.id, m4.seq);
      const r = await call(W.student.p, 'GET', `/api/v1/chats/${chat.id}/messages`);
      assert.equal(r.status, 200, r.text);
      const by = Object.fromEntries(r.json.messages.map((x) => [x.seq, x]));
      assert.equal(by[m1.seq].text, 'Итог');
      assert.equal(typeof by[m1.seq].edited_at, 'number');
      assert.equal(by[m2.seq].text, null);
      assert.equal(by[m2.seq].deleted, true);
      assert.equal(by[m2.seq].deleted_by_moderator, false);
      assert.equal(by[m3.seq].deleted_by_moderator, true);
      assert.deepEqual(by[m4.seq].reactions, [{ emoji: '👍', count: 2, mine: true }, { emoji: '🎉', count: 1, mine: false }]);
      assert.equal(by[m4.seq].pinned, true);

      // edit history: the versions, oldest first; members only; deleted messages show none
      let e = await call(W.classmate.p, 'GET', `/api/v1/chats/${chat.id}/messages/${m1.seq}/edits`);
      assert.equal(e.status, 200, e.text);
      assert.deepEqual(e.json.versions.map((v) => v.text), ['Черновик', 'Черновик 2', 'Итог']);
      assert.ok(e.json.versions[0].at <= e.json.versions[1].at);
      e = await call(W.classmate.p, 'GET', `/api/v1/chats/${chat.id}/messages/${m2.seq}/edits`);
      assert.equal(e.status, 200);
      assert.equal(e.json.deleted, true);
      assert.deepEqual(e.json.versions, []);
      assert.equal((await call(W.stranger.p, 'GET', `/api/v1/chats/${chat.id}/messages/${m1.seq}/edits`)).status, 403);
      assert.equal((await call(W.classmate.p, 'GET', `/api/v1/chats/${chat.id}/messages/999999/edits`)).status, 404);
      assert.equal((await call(W.classmate.p, 'GET', `/api/v1/chats/${chat.id}/messages/x/edits`)).status, 400);

      // pins
      let p = await call(W.classmate.p, 'GET', `/api/v1/chats/${chat.id}/pins`);
      assert.equal(p.status, 200, p.text);
      assert.deepEqual(p.json.messages.map((x) => x.seq), [m4.seq]);
      await cur.op('pin', chat.id, m4.seq, { pinned: false });
      p = await call(W.classmate.p, 'GET', `/api/v1/chats/${chat.id}/pins`);
      assert.deepEqual(p.json.messages, []);
      assert.equal((await call(W.stranger.p, 'GET', `/api/v1/chats/${chat.id}/pins`)).status, 403);
      assert.equal((await request(srv, 'GET', `/api/v1/chats/${chat.id}/pins`)).status, 401);
    } finally {
      cur.close();
      st.close();
    }
  });

  test('the read report: who has read an announcement and who has not', async () => {
    const chat = await mkChat(W.curator, { kind: 'channel', title: 'Объявления ТМ-21', user_ids: [W.student.u.id, W.classmate.u.id, W.teacher.u.id] });
    const cur = await ws(srv, W.curator);
    try {
      const ann = await cur.send(chat.id, 'Родительское собрание в четверг в 18:00');
      const report = async (w, seq = ann.seq) => call(w.p, 'GET', `/api/v1/chats/${chat.id}/messages/${seq}/reads`);
      let r = await report(W.curator);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.read, []);
      assert.deepEqual(ids(r.json.unread), ids([W.student.u, W.classmate.u, W.teacher.u]));
      assert.equal(r.json.unread.find((x) => x.user_id === W.student.u.id).name, 'Семён Студентов');
      const st = await ws(srv, W.student);
      await st.request({ type: 'read', chat_id: chat.id, seq: ann.seq });
      st.close();
      r = await report(W.curator);
      assert.deepEqual(r.json.read.map((x) => x.user_id), [W.student.u.id]);
      assert.deepEqual(ids(r.json.unread), ids([W.classmate.u, W.teacher.u]));
      // someone who joined after the message could not see it: not counted
      await call(W.curator.p, 'POST', `/api/v1/chats/${chat.id}/members`, { user_ids: [W.director.u.id] });
      r = await report(W.curator);
      assert.ok(![...r.json.read, ...r.json.unread].some((x) => x.user_id === W.director.u.id));
      // an admin may see it; a plain member may not (but may for their own message)
      await call(W.curator.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.teacher.u.id}`, { role: 'admin' });
      assert.equal((await report(W.teacher)).status, 200);
      assert.equal((await report(W.classmate)).status, 403);
      assert.equal((await report(W.stranger)).status, 403);
      assert.equal((await report(W.curator, 999999)).status, 404);
      // the director joined after the message: for them it does not exist
      assert.equal((await report(W.director)).status, 404);
      const tc = await ws(srv, W.teacher);
      const mine = await tc.send(chat.id, 'Подтверждаю');
      tc.close();
      await call(W.curator.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.teacher.u.id}`, { role: 'member' });
      const rr = await report(W.teacher, mine.seq);
      assert.equal(rr.status, 200, 'the author sees the report of their own message');
      assert.ok(!rr.json.unread.some((x) => x.user_id === W.teacher.u.id), 'not the author themselves');
      assert.equal((await request(srv, 'GET', `/api/v1/chats/${chat.id}/messages/${ann.seq}/reads`)).status, 401);
    } finally {
      cur.close();
    }
  });
});
