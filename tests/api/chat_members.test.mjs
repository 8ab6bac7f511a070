// SPDX-License-Identifier: MIT
// Chat members and moderation: the member list, adding people (owner and
// admins, or anyone when the add policy says "all"; each person must pass
// the contact policy), removing and leaving, roles (the owner only; handing
// ownership over), muting for a time (the real-time core then refuses the
// member's sends), and moderation of messages: a chat admin can mute and
// delete, a member cannot. Every change is an event of the chat; moderation
// is audited; refusals change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { request } from '../lib/http.mjs';
import { auditCount, call, college, lastAudit, members, mkChat, ws } from '../lib/chat_admin.mjs';

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

const memberIds = async (w, chatId) => (await members(w, chatId)).map((m) => m.user_id).sort((a, b) => a - b);
const sorted = (...ws) => ws.map((w) => w.u.id).sort((a, b) => a - b);

describe('GET /api/v1/chats/:id/members', () => {
  test('members see the members; others 403; unknown 404; no session 401', async () => {
    const chat = await mkChat(W.teacher, { kind: 'group', title: 'Кружок', user_ids: [W.student.u.id] });
    const m = await members(W.student, chat.id);
    assert.deepEqual(m[0], { user_id: W.teacher.u.id, name: 'Пётр Учителев', role: 'owner', source: 'manual', muted_until: null });
    assert.equal(m.length, 2);
    for (const k of ['classmate', 'admin', 'curator']) {
      const r = await call(W[k].p, 'GET', `/api/v1/chats/${chat.id}/members`);
      assert.equal(r.status, 403, `${k}: ${r.text}`);
    }
    assert.equal((await call(W.teacher.p, 'GET', '/api/v1/chats/987654/members')).status, 404);
    assert.equal((await call(W.teacher.p, 'GET', '/api/v1/chats/0/members')).status, 400);
    assert.equal((await request(srv, 'GET', `/api/v1/chats/${chat.id}/members`)).status, 401);
  });
});

describe('POST /api/v1/chats/:id/members', () => {
  test('the owner and admins add people; members only when the add policy is "all"', async () => {
    const chat = await mkChat(W.curator, { kind: 'group', title: 'Группа ТМ-21 (неофициальная)', user_ids: [W.student.u.id] });
    const cl = await ws(srv, W.student);
    try {
      let r = await call(W.curator.p, 'POST', `/api/v1/chats/${chat.id}/members`, { user_ids: [W.classmate.u.id, W.classmate.u.id, W.student.u.id] });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.added, [W.classmate.u.id], 'repeats and current members are skipped');
      await cl.until(() => (cl.events[chat.id] || []).some((e) => e.kind === 'member.added' && e.data.user_id === W.classmate.u.id), { what: 'member.added' });
      const e = await lastAudit(c.admin, 'chat.member_add');
      assert.equal(e.target, `chat:${chat.id}`);
      assert.deepEqual(e.after.user_ids, [W.classmate.u.id]);
      // a plain member may not add (policy "admins")
      r = await call(W.student.p, 'POST', `/api/v1/chats/${chat.id}/members`, { user_ids: [W.teacher.u.id] });
      assert.equal(r.status, 403, r.text);
      assert.deepEqual(await memberIds(W.curator, chat.id), sorted(W.curator, W.student, W.classmate));
      // "all": any member adds (still within the contact policy)
      r = await call(W.curator.p, 'PATCH', `/api/v1/chats/${chat.id}`, { add_policy: 'all' });
      assert.equal(r.status, 200, r.text);
      r = await call(W.student.p, 'POST', `/api/v1/chats/${chat.id}/members`, { user_ids: [W.teacher.u.id] });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.added, [W.teacher.u.id]);
      // an admin adds too
      r = await call(W.curator.p, 'PATCH', `/api/v1/chats/${chat.id}`, { add_policy: 'admins' });
      r = await call(W.curator.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.teacher.u.id}`, { role: 'admin' });
      assert.equal(r.status, 200, r.text);
      r = await call(W.teacher.p, 'POST', `/api/v1/chats/${chat.id}/members`, { user_ids: [W.manager.u.id] });
      assert.equal(r.status, 200, r.text);
    } finally {
      cl.close();
    }
  });

  test('a person the adder may not write to: 403 user_ids and nobody is added', async () => {
    const chat = await mkChat(W.outsider, { kind: 'group', title: 'Методобъединение', user_ids: [W.staff.u.id] });
    const before = await memberIds(W.outsider, chat.id);
    const n = await auditCount(c.admin, 'chat.member_add');
    // the teacher of department D does not teach G1: the classmate is refused,
    // and the director, whom they could add, is not added either
    const r = await call(W.outsider.p, 'POST', `/api/v1/chats/${chat.id}/members`, { user_ids: [W.director.u.id, W.classmate.u.id] });
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.field, 'user_ids');
    assert.deepEqual(await memberIds(W.outsider, chat.id), before);
    assert.equal(await auditCount(c.admin, 'chat.member_add'), n);
  });

  test('malformed: 400 user_ids; unknown chat 404; not a member 403; no session 401', async () => {
    const chat = await mkChat(W.teacher, { kind: 'group', title: 'Проверка ввода' });
    for (const body of [{}, { user_ids: [] }, { user_ids: 'x' }, { user_ids: [1.5] }, { user_ids: [-1] }, { user_ids: Array(201).fill(2) }, { user_ids: [987654] }]) {
      const r = await call(W.teacher.p, 'POST', `/api/v1/chats/${chat.id}/members`, body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.field, 'user_ids');
    }
    assert.equal((await call(W.teacher.p, 'POST', '/api/v1/chats/987654/members', { user_ids: [W.student.u.id] })).status, 404);
    assert.equal((await call(W.director.p, 'POST', `/api/v1/chats/${chat.id}/members`, { user_ids: [W.manager.u.id] })).status, 403);
    assert.equal((await request(srv, 'POST', `/api/v1/chats/${chat.id}/members`, { json: { user_ids: [1] } })).status, 401);
    assert.deepEqual(await memberIds(W.teacher, chat.id), [W.teacher.u.id]);
  });
});

describe('DELETE /api/v1/chats/:id/members/:user_id', () => {
  test('owner and admins remove; the removed keep their history; moderation is audited, leaving is not', async () => {
    const chat = await mkChat(W.director, { kind: 'group', title: 'Администрация', user_ids: [W.manager.u.id, W.teacher.u.id, W.staff.u.id, W.curator.u.id] });
    await call(W.director.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.manager.u.id}`, { role: 'admin' });
    await call(W.director.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.curator.u.id}`, { role: 'admin' });
    const d = await ws(srv, W.director);
    const seq = (await d.send(chat.id, 'Повестка')).seq;
    d.close();
    // an admin removes a member
    let r = await call(W.manager.p, 'DELETE', `/api/v1/chats/${chat.id}/members/${W.teacher.u.id}`);
    assert.equal(r.status, 204, r.text);
    const e = await lastAudit(c.admin, 'chat.member_remove');
    assert.equal(e.target, `chat:${chat.id}`);
    assert.equal(e.actor.id, W.manager.u.id);
    assert.equal(e.before.user_id, W.teacher.u.id);
    const h = await call(W.teacher.p, 'GET', `/api/v1/chats/${chat.id}/messages`);
    assert.equal(h.status, 200, 'a former member reads what was written while they were in');
    assert.deepEqual(h.json.messages.map((m) => m.seq), [seq]);
    // refusals: an admin removes an admin, anyone removes the owner, a member removes another
    const n = await auditCount(c.admin, 'chat.member_remove');
    for (const [who, target] of [['manager', 'curator'], ['manager', 'director'], ['curator', 'director'], ['staff', 'curator']]) {
      r = await call(W[who].p, 'DELETE', `/api/v1/chats/${chat.id}/members/${W[target].u.id}`);
      assert.equal(r.status, 403, `${who} removes ${target}: ${r.text}`);
    }
    // a former member cannot act any more
    r = await call(W.teacher.p, 'DELETE', `/api/v1/chats/${chat.id}/members/${W.staff.u.id}`);
    assert.equal(r.status, 403, r.text);
    assert.deepEqual(await memberIds(W.director, chat.id), sorted(W.director, W.manager, W.staff, W.curator));
    // the owner removes an admin
    r = await call(W.director.p, 'DELETE', `/api/v1/chats/${chat.id}/members/${W.curator.u.id}`);
    assert.equal(r.status, 204, r.text);
    // a member leaves by removing themself: no audit
    r = await call(W.staff.p, 'DELETE', `/api/v1/chats/${chat.id}/members/${W.staff.u.id}`);
    assert.equal(r.status, 204, r.text);
    assert.equal(await auditCount(c.admin, 'chat.member_remove'), n + 1);
    // the owner must hand ownership over first; not a member: 404
    r = await call(W.director.p, 'DELETE', `/api/v1/chats/${chat.id}/members/${W.director.u.id}`);
    assert.equal(r.status, 409, r.text);
    r = await call(W.director.p, 'DELETE', `/api/v1/chats/${chat.id}/members/${W.stranger.u.id}`);
    assert.equal(r.status, 404, r.text);
    r = await call(W.director.p, 'DELETE', `/api/v1/chats/${chat.id}/members/abc`);
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'user_id');
    assert.equal((await request(srv, 'DELETE', `/api/v1/chats/${chat.id}/members/${W.manager.u.id}`)).status, 401);
    assert.deepEqual(await memberIds(W.director, chat.id), sorted(W.director, W.manager));
  });

  test('mandatory chats: nobody leaves them by hand; their system members are not removed by hand', async () => {
    const list = (await call(W.curator.p, 'GET', '/api/v1/chats')).json.chats;
    const group = list.find((x) => x.mandatory === 'study_group' && x.unit_id === c.units.G1.id);
    assert.ok(group, 'the group chat of G1 exists');
    const before = await memberIds(W.curator, group.id);
    let r = await call(W.student.p, 'DELETE', `/api/v1/chats/${group.id}/members/${W.student.u.id}`);
    assert.equal(r.status, 403, r.text);
    r = await call(W.curator.p, 'DELETE', `/api/v1/chats/${group.id}/members/${W.classmate.u.id}`);
    assert.equal(r.status, 403, r.text);
    assert.deepEqual(await memberIds(W.curator, group.id), before);
  });
});

describe('PATCH /api/v1/chats/:id/members/:user_id', () => {
  test('the owner promotes and demotes, and hands ownership over', async () => {
    const chat = await mkChat(W.admin, { kind: 'group', title: 'ЦМК', user_ids: [W.teacher.u.id, W.outsider.u.id] });
    let r = await call(W.admin.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.teacher.u.id}`, { role: 'admin' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.member.role, 'admin');
    let e = await lastAudit(c.admin, 'chat.member_role');
    assert.equal(e.before.role, 'member');
    assert.equal(e.after.role, 'admin');
    // an admin does not change roles
    r = await call(W.teacher.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.outsider.u.id}`, { role: 'admin' });
    assert.equal(r.status, 403, r.text);
    r = await call(W.admin.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.admin.u.id}`, { role: 'member' });
    assert.equal(r.status, 409, r.text);
    // the administrator hands the chat to the teacher and stays an admin
    r = await call(W.admin.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.teacher.u.id}`, { role: 'owner' });
    assert.equal(r.status, 200, r.text);
    const m = Object.fromEntries((await members(W.teacher, chat.id)).map((x) => [x.user_id, x.role]));
    assert.equal(m[W.teacher.u.id], 'owner');
    assert.equal(m[W.admin.u.id], 'admin');
    assert.equal(m[W.outsider.u.id], 'member');
    r = await call(W.admin.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.outsider.u.id}`, { role: 'admin' });
    assert.equal(r.status, 403, 'no longer the owner');
    r = await call(W.teacher.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.admin.u.id}`, { role: 'member' });
    assert.equal(r.status, 200, r.text);
    e = await lastAudit(c.admin, 'chat.member_role');
    assert.equal(e.actor.id, W.teacher.u.id);
    for (const [body, field] of [[{}, 'body'], [{ role: 'boss' }, 'role'], [{ role: 1 }, 'role'], [{ muted_for_s: 30 }, 'muted_for_s'],
      [{ muted_for_s: 2592001 }, 'muted_for_s'], [{ muted_for_s: 'long' }, 'muted_for_s']]) {
      r = await call(W.teacher.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.outsider.u.id}`, body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.field, field);
    }
    r = await call(W.teacher.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.stranger.u.id}`, { role: 'admin' });
    assert.equal(r.status, 404);
    assert.equal((await request(srv, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.outsider.u.id}`, { json: { role: 'admin' } })).status, 401);
  });
});

describe('moderation: a chat admin can mute and delete; a member cannot', () => {
  test('mute for a time, sends refused meanwhile, unmute; deletion of others\' messages', async () => {
    const chat = await mkChat(W.curator, { kind: 'group', title: 'Чат группы (модерация)', user_ids: [W.student.u.id, W.classmate.u.id, W.teacher.u.id] });
    await call(W.curator.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.teacher.u.id}`, { role: 'admin' });
    const st = await ws(srv, W.student);
    const cm = await ws(srv, W.classmate);
    const te = await ws(srv, W.teacher);
    try {
      const rude = await st.send(chat.id, 'Грубое сообщение');
      const fine = await cm.send(chat.id, 'Нормальное сообщение');
      // a member cannot mute or delete someone else's message
      let r = await call(W.classmate.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.student.u.id}`, { muted_for_s: 600 });
      assert.equal(r.status, 403, r.text);
      await assert.rejects(cm.op('delete', chat.id, rude.seq), (e) => e.code === 'forbidden');
      // an admin cannot mute the owner or another admin
      r = await call(W.teacher.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.curator.u.id}`, { muted_for_s: 600 });
      assert.equal(r.status, 403, r.text);
      await st.send(chat.id, 'Ещё можно писать');
      // the admin mutes the student for 10 minutes
      const t0 = Date.now();
      r = await call(W.teacher.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.student.u.id}`, { muted_for_s: 600 });
      assert.equal(r.status, 200, r.text);
      assert.ok(Math.abs(r.json.member.muted_until - (t0 + 600000)) < 5000, `muted_until ${r.json.member.muted_until}`);
      await cm.until(() => (cm.events[chat.id] || []).some((e) => e.kind === 'member.muted'), { what: 'member.muted' });
      const ev = cm.events[chat.id].find((e) => e.kind === 'member.muted');
      assert.equal(ev.data.user_id, W.student.u.id);
      assert.equal(ev.data.by, W.teacher.u.id);
      let e = await lastAudit(c.admin, 'chat.mute');
      assert.equal(e.actor.id, W.teacher.u.id);
      assert.equal(e.after.user_id, W.student.u.id);
      await assert.rejects(st.send(chat.id, 'Меня не заглушить'), (err) => err.code === 'forbidden');
      const chatNow = (await call(W.student.p, 'GET', `/api/v1/chats/${chat.id}`)).json.chat;
      assert.ok(chatNow.muted_until > Date.now());
      // the admin deletes the rude message: shown as deleted by a moderator, the text kept in the audit log
      await te.op('delete', chat.id, rude.seq);
      const h = await call(W.classmate.p, 'GET', `/api/v1/chats/${chat.id}/messages?around=${rude.seq}`);
      const m = h.json.messages.find((x) => x.seq === rude.seq);
      assert.equal(m.deleted, true);
      assert.equal(m.text, null);
      assert.equal(m.deleted_by_moderator, true);
      assert.equal(h.json.messages.find((x) => x.seq === fine.seq).deleted, false);
      e = await lastAudit(c.admin, 'chat.message_delete');
      assert.equal(e.before.text, 'Грубое сообщение');
      // unmute: the student writes again
      r = await call(W.teacher.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.student.u.id}`, { muted_for_s: 0 });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.member.muted_until, null);
      assert.ok((await lastAudit(c.admin, 'chat.unmute')));
      const back = await st.send(chat.id, 'Извините');
      assert.ok(back.seq > rude.seq);
      // a member may not mute themself away from others either, nor an admin themself
      r = await call(W.teacher.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.teacher.u.id}`, { muted_for_s: 600 });
      assert.equal(r.status, 409, r.text);
    } finally {
      st.close();
      cm.close();
      te.close();
    }
  });
});
