// SPDX-License-Identifier: MIT
// Joining a chat by link: the owner and admins of a group chat or channel
// (never a mandatory or direct chat) create, list and revoke links; a person
// of the college opens one and joins by it. Joining re-checks everything in
// one transaction: the link live (not revoked, expired or used up — five
// people racing for two places get exactly two), the person not a member,
// not removed by a moderator, and reachable by the link's creator under the
// contact policy, so a link passed around cannot bring a student of another
// branch into a teacher's chat. The member.added event reaches the members
// live; refusals change nothing; opening and joining spend the per-IP budget
// of invitation links.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { createFirstAdmin, loginAs, request } from '../lib/http.mjs';
import { createPerson, PASSWORD } from '../lib/org.mjs';
import { auditCount, call, chatList, college, lastAudit, members, mkChat, ws } from '../lib/chat_admin.mjs';

let srv;
let c;
let W;

before(async () => {
  srv = await startServer({ args: ['--login-ip-per-minute=10000'] });
  c = await college(srv);
  W = c.who;
});

after(async () => {
  const r = await srv?.stop();
  assert.equal(r?.code, 0, `the server exited cleanly${srv ? `: ${srv.stderr().slice(-2000)}` : ''}`);
});

const DAY = 86400;
const randomToken = () => randomBytes(16).toString('base64url');
const memberIds = async (w, chatId) => (await members(w, chatId)).map((m) => m.user_id).sort((a, b) => a - b);
const sorted = (...ws) => ws.map((w) => w.u.id).sort((a, b) => a - b);

function sql(query) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', join(srv.dataDir, 'parta.db'), query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

async function mkLink(w, chatId, body = {}) {
  const r = await call(w.p, 'POST', `/api/v1/chats/${chatId}/links`, body);
  assert.equal(r.status, 201, r.text);
  return r.json.link;
}

async function links(w, chatId) {
  const r = await call(w.p, 'GET', `/api/v1/chats/${chatId}/links`);
  assert.equal(r.status, 200, r.text);
  return r.json.links;
}

const open = (w, token) => call(w.p, 'GET', `/api/v1/chat-links/${token}`);
const joinBy = (w, token) => call(w.p, 'POST', `/api/v1/chat-links/${token}/join`);

// A chat of the teacher (owner) with the curator as an admin and the staff member as a member.
async function teachersChat(title) {
  const chat = await mkChat(W.teacher, { kind: 'group', title, user_ids: [W.curator.u.id, W.staff.u.id] });
  const r = await call(W.teacher.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.curator.u.id}`, { role: 'admin' });
  assert.equal(r.status, 200, r.text);
  return chat;
}

async function mandatoryChat(w, kind) {
  const chat = (await chatList(w)).find((x) => x.mandatory === kind);
  assert.ok(chat, `${kind} chat of ${w.login}`);
  return chat;
}

describe('POST /api/v1/chats/:id/links', () => {
  test('the owner and admins create links: 201 with url, token and defaults; audited without the token', async () => {
    const chat = await teachersChat('Кружок робототехники');
    const t0 = Date.now();
    const link = await mkLink(W.teacher, chat.id);
    assert.match(link.token, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(link.url, `${srv.url}/chat-link/${link.token}`);
    assert.equal(link.chat_id, chat.id);
    assert.equal(link.max_uses, 100);
    assert.equal(link.uses, 0);
    assert.equal(link.revoked, false);
    assert.equal(link.state, 'live');
    assert.deepEqual(link.created_by, { id: W.teacher.u.id, name: 'Пётр Учителев' });
    assert.ok(Math.abs(link.expires_at - (t0 + 7 * DAY * 1000)) < 5000, `expires_at ${link.expires_at}`);
    const e = await lastAudit(c.admin, 'chat.link_create');
    assert.equal(e.target, `chat:${chat.id}`);
    assert.equal(e.actor.id, W.teacher.u.id);
    assert.equal(e.after.link_id, link.id);
    assert.ok(!JSON.stringify(e).includes(link.token), 'the token is not in the audit log');

    // an admin of the chat, with explicit limits
    const mine = await mkLink(W.curator, chat.id, { expires_in_s: 3600, max_uses: 5 });
    assert.equal(mine.max_uses, 5);
    assert.ok(Math.abs(mine.expires_at - (Date.now() + 3600 * 1000)) < 5000);
    assert.equal(mine.created_by.id, W.curator.u.id);
    // the bounds themselves are accepted
    await mkLink(W.curator, chat.id, { expires_in_s: 31536000, max_uses: 10000 });
    await mkLink(W.curator, chat.id, { expires_in_s: null, max_uses: 1 });

    // a channel too
    const channel = await mkChat(W.director, { kind: 'channel', title: 'Объявления филиала' });
    await mkLink(W.director, channel.id, { max_uses: 1 });
  });

  test('refused: plain members and outsiders 403, mandatory and direct chats 409 "chat"; nothing is created', async () => {
    const chat = await teachersChat('Методический совет');
    const direct = await mkChat(W.teacher, { kind: 'direct', user_id: W.director.u.id });
    const mandatory = await mandatoryChat(W.curator, 'study_group');
    const teachers = await mandatoryChat(W.teacher, 'teachers');
    const before = (await links(W.teacher, chat.id)).length;
    const n = await auditCount(c.admin, 'chat.link_create');
    for (const k of ['staff', 'director', 'student', 'admin']) {
      const r = await call(W[k].p, 'POST', `/api/v1/chats/${chat.id}/links`, {});
      assert.equal(r.status, 403, `${k}: ${r.text}`);
    }
    for (const [w, id] of [[W.teacher, direct.id], [W.curator, mandatory.id], [W.teacher, teachers.id]]) {
      const r = await call(w.p, 'POST', `/api/v1/chats/${id}/links`, {});
      assert.equal(r.status, 409, r.text);
      assert.equal(r.json.error.field, 'chat');
    }
    assert.equal((await call(W.teacher.p, 'POST', '/api/v1/chats/987654/links', {})).status, 404);
    assert.equal((await links(W.teacher, chat.id)).length, before);
    assert.equal(await auditCount(c.admin, 'chat.link_create'), n);
  });

  test('malformed: 400 with the field; not JSON 415; no session 401', async () => {
    const chat = await teachersChat('Проверка ссылок');
    const bad = [
      [{ expires_in_s: 3599 }, 'expires_in_s'], [{ expires_in_s: 31536001 }, 'expires_in_s'],
      [{ expires_in_s: '3600' }, 'expires_in_s'], [{ expires_in_s: 3600.5 }, 'expires_in_s'],
      [{ max_uses: 0 }, 'max_uses'], [{ max_uses: 10001 }, 'max_uses'], [{ max_uses: -1 }, 'max_uses'],
      [{ max_uses: true }, 'max_uses'],
    ];
    for (const [body, field] of bad) {
      const r = await call(W.teacher.p, 'POST', `/api/v1/chats/${chat.id}/links`, body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.field, field);
    }
    let r = await call(W.teacher.p, 'POST', '/api/v1/chats/abc/links', {});
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'id');
    r = await W.teacher.p.request('POST', `/api/v1/chats/${chat.id}/links`, { csrf: true, body: 'max_uses=5', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, 415, r.text);
    r = await W.teacher.p.request('POST', `/api/v1/chats/${chat.id}/links`, { json: {} });
    assert.equal(r.status, 403, 'a cookie write without the CSRF header');
    assert.equal((await request(srv, 'POST', `/api/v1/chats/${chat.id}/links`, { json: {} })).status, 401);
    assert.equal((await links(W.teacher, chat.id)).length, 0);
  });
});

describe('GET /api/v1/chats/:id/links', () => {
  test('owners and admins list every link with its url and uses, newest first; others refused', async () => {
    const chat = await teachersChat('Олимпиада');
    const a = await mkLink(W.teacher, chat.id, { max_uses: 3 });
    const b = await mkLink(W.curator, chat.id);
    for (const w of [W.teacher, W.curator]) {
      const l = await links(w, chat.id);
      assert.deepEqual(l.map((x) => x.id), [b.id, a.id]);
      assert.equal(l[1].token, a.token, 'the sealed token is shown again');
      assert.equal(l[1].url, a.url);
      assert.equal(l[1].max_uses, 3);
      assert.equal(l[0].created_by.id, W.curator.u.id);
    }
    for (const k of ['staff', 'director', 'admin']) {
      const r = await call(W[k].p, 'GET', `/api/v1/chats/${chat.id}/links`);
      assert.equal(r.status, 403, `${k}: ${r.text}`);
    }
    const mandatory = await mandatoryChat(W.curator, 'study_group');
    const r = await call(W.curator.p, 'GET', `/api/v1/chats/${mandatory.id}/links`);
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.error.field, 'chat');
    assert.equal((await call(W.teacher.p, 'GET', '/api/v1/chats/987654/links')).status, 404);
    assert.equal((await call(W.teacher.p, 'GET', '/api/v1/chats/0/links')).status, 400);
    assert.equal((await request(srv, 'GET', `/api/v1/chats/${chat.id}/links`)).status, 401);
  });
});

describe('POST /api/v1/chats/:id/links/:link_id/revoke', () => {
  test('owners and admins revoke; the link stops working; members are refused and nothing changes', async () => {
    const chat = await teachersChat('Субботник');
    const link = await mkLink(W.curator, chat.id);
    // a member may not
    let r = await call(W.staff.p, 'POST', `/api/v1/chats/${chat.id}/links/${link.id}/revoke`);
    assert.equal(r.status, 403, r.text);
    assert.equal((await open(W.manager, link.token)).status, 200, 'still live');
    // a link of another chat, or none at all
    const other = await teachersChat('Другой чат');
    r = await call(W.teacher.p, 'POST', `/api/v1/chats/${other.id}/links/${link.id}/revoke`);
    assert.equal(r.status, 404, r.text);
    r = await call(W.teacher.p, 'POST', `/api/v1/chats/${chat.id}/links/abc/revoke`);
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'link_id');
    assert.equal((await request(srv, 'POST', `/api/v1/chats/${chat.id}/links/${link.id}/revoke`)).status, 401);
    // the owner revokes the admin's link
    const n = await auditCount(c.admin, 'chat.link_revoke');
    r = await call(W.teacher.p, 'POST', `/api/v1/chats/${chat.id}/links/${link.id}/revoke`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.link.revoked, true);
    assert.equal(r.json.link.state, 'revoked');
    const e = await lastAudit(c.admin, 'chat.link_revoke');
    assert.equal(e.target, `chat:${chat.id}`);
    assert.equal(e.before.link_id, link.id);
    // again: nothing more happens
    r = await call(W.curator.p, 'POST', `/api/v1/chats/${chat.id}/links/${link.id}/revoke`);
    assert.equal(r.status, 200, r.text);
    assert.equal(await auditCount(c.admin, 'chat.link_revoke'), n + 1);
    // opened or used: 410 "revoked"
    for (const res of [await open(W.manager, link.token), await joinBy(W.manager, link.token)]) {
      assert.equal(res.status, 410, res.text);
      assert.equal(res.json.error.field, 'revoked');
    }
    assert.deepEqual(await memberIds(W.teacher, chat.id), sorted(W.teacher, W.curator, W.staff));
  });
});

describe('GET /api/v1/chat-links/:token', () => {
  test('shows the chat and whether one is in or may join; unknown 404; no session 401', async () => {
    const chat = await teachersChat('Клуб читателей');
    const link = await mkLink(W.teacher, chat.id);
    let r = await open(W.manager, link.token);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.chat, { id: chat.id, title: 'Клуб читателей', kind: 'group', members_count: 3 });
    assert.equal(r.json.already_member, false);
    assert.equal(r.json.may_join, true);
    assert.equal(r.json.refused, null);
    assert.equal(r.json.expires_at, link.expires_at);
    r = await open(W.staff, link.token);
    assert.equal(r.json.already_member, true);
    assert.equal(r.json.may_join, false);
    assert.equal(r.json.refused, null);
    for (const t of [randomToken(), 'abc', `${link.token}x`]) {
      r = await open(W.manager, t);
      assert.equal(r.status, 404, `${t}: ${r.text}`);
    }
    assert.equal((await request(srv, 'GET', `/api/v1/chat-links/${link.token}`)).status, 401);
    // opening changes nothing
    assert.equal((await links(W.teacher, chat.id))[0].uses, 0);
    assert.deepEqual(await memberIds(W.teacher, chat.id), sorted(W.teacher, W.curator, W.staff));
  });

  test('someone with an account but no role in the college any more: 403 to open and to join', async () => {
    const u = await createPerson(c.admin, { login: 'former@college.ru', name: 'Фёдор Бывший', role: 'teacher', unit_id: c.units.B.id, password: PASSWORD });
    const p = await loginAs(srv, 'former@college.ru', PASSWORD);
    const who = { u, p };
    const chat = await teachersChat('Выпускники');
    const link = await mkLink(W.teacher, chat.id);
    assert.equal((await open(who, link.token)).status, 200);
    const person = await call(c.admin, 'GET', `/api/v1/people/${u.id}`);
    const r0 = await call(c.admin, 'DELETE', `/api/v1/people/${u.id}/roles/${person.json.assignments[0].id}`);
    assert.ok(r0.status === 200 || r0.status === 204, r0.text);
    assert.equal((await open(who, link.token)).status, 403);
    assert.equal((await joinBy(who, link.token)).status, 403);
    assert.equal((await links(W.teacher, chat.id))[0].uses, 0);
    assert.deepEqual(await memberIds(W.teacher, chat.id), sorted(W.teacher, W.curator, W.staff));
  });
});

describe('POST /api/v1/chat-links/:token/join', () => {
  test('joins as a member, counts the use, audits, and members see member.added live', async () => {
    const chat = await teachersChat('Волонтёры');
    const link = await mkLink(W.curator, chat.id, { max_uses: 3 });
    const owner = await ws(srv, W.teacher);
    try {
      const r = await joinBy(W.manager, link.token);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.chat.id, chat.id);
      assert.equal(r.json.chat.title, 'Волонтёры');
      assert.equal(r.json.chat.my_role, 'member');
      assert.equal(r.json.chat.members_count, 4);
      await owner.until(() => (owner.events[chat.id] || []).some((e) => e.kind === 'member.added' && e.data.user_id === W.manager.u.id),
        { what: 'member.added of the person who joined' });
      const ev = owner.events[chat.id].find((e) => e.kind === 'member.added' && e.data.user_id === W.manager.u.id);
      assert.equal(ev.data.role, 'member');
      assert.equal(ev.data.by, W.manager.u.id, 'joined by themself');
    } finally {
      owner.close();
    }
    const m = (await members(W.teacher, chat.id)).find((x) => x.user_id === W.manager.u.id);
    assert.deepEqual({ role: m.role, source: m.source }, { role: 'member', source: 'manual' });
    assert.equal((await links(W.curator, chat.id))[0].uses, 1);
    const e = await lastAudit(c.admin, 'chat.join_link');
    assert.equal(e.target, `chat:${chat.id}`);
    assert.equal(e.actor.id, W.manager.u.id);
    assert.deepEqual(e.after, { user_id: W.manager.u.id, link_id: link.id });
    // the new member reads the chat and writes to it
    const cl = await ws(srv, W.manager);
    try {
      const ack = await cl.send(chat.id, 'Спасибо за приглашение!');
      assert.ok(ack.seq > 0);
    } finally {
      cl.close();
    }
    // already a member: 409, no use counted
    const again = await joinBy(W.manager, link.token);
    assert.equal(again.status, 409, again.text);
    assert.equal((await open(W.manager, link.token)).json.already_member, true);
    assert.equal((await links(W.curator, chat.id))[0].uses, 1);
    // unknown or malformed: 404; no session: 401
    assert.equal((await joinBy(W.director, randomToken())).status, 404);
    assert.equal((await joinBy(W.director, 'not-a-token')).status, 404);
    assert.equal((await request(srv, 'POST', `/api/v1/chat-links/${link.token}/join`)).status, 401);
    const csrf = await W.director.p.request('POST', `/api/v1/chat-links/${link.token}/join`);
    assert.equal(csrf.status, 403, 'a cookie write without the CSRF header');
    assert.ok(!(await memberIds(W.teacher, chat.id)).includes(W.director.u.id));
  });

  test('an expired link: 410 "expired" to open and to join, nothing changes', async () => {
    const chat = await teachersChat('Экскурсия');
    const link = await mkLink(W.teacher, chat.id);
    sql(`UPDATE chat_links SET expires_at = strftime('%s','now') - 5 WHERE id = ${link.id}`);
    for (const r of [await open(W.manager, link.token), await joinBy(W.manager, link.token)]) {
      assert.equal(r.status, 410, r.text);
      assert.equal(r.json.error.field, 'expired');
    }
    const [l] = await links(W.teacher, chat.id);
    assert.equal(l.state, 'expired');
    assert.equal(l.uses, 0);
    assert.deepEqual(await memberIds(W.teacher, chat.id), sorted(W.teacher, W.curator, W.staff));
  });

  test('a used-up link: 410 "exhausted"', async () => {
    const chat = await teachersChat('Хор');
    const link = await mkLink(W.teacher, chat.id, { max_uses: 1 });
    assert.equal((await joinBy(W.manager, link.token)).status, 200);
    for (const r of [await open(W.director, link.token), await joinBy(W.director, link.token)]) {
      assert.equal(r.status, 410, r.text);
      assert.equal(r.json.error.field, 'exhausted');
    }
    assert.equal((await links(W.teacher, chat.id))[0].state, 'exhausted');
    assert.deepEqual(await memberIds(W.teacher, chat.id), sorted(W.teacher, W.curator, W.staff, W.manager));
  });

  test('five people racing for a link of two places: exactly two join', async () => {
    const racers = await Promise.all([1, 2, 3, 4, 5].map(async (i) => {
      const login = `racer${i}@college.ru`;
      const u = await createPerson(c.admin, { login, name: `Гонщик ${i}`, role: 'teacher', unit_id: c.units.D.id, password: PASSWORD });
      return { u, p: await loginAs(srv, login, PASSWORD), login };
    }));
    const chat = await teachersChat('Два места');
    const link = await mkLink(W.teacher, chat.id, { max_uses: 2 });
    const results = await Promise.all(racers.map((w) => joinBy(w, link.token)));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 410, 410, 410], results.map((r) => r.text).join('\n'));
    for (const r of results.filter((x) => x.status === 410)) assert.equal(r.json.error.field, 'exhausted');
    const joined = racers.filter((_, i) => results[i].status === 200);
    assert.deepEqual(await memberIds(W.teacher, chat.id), sorted(W.teacher, W.curator, W.staff, ...joined));
    assert.equal((await links(W.teacher, chat.id))[0].uses, 2);
    assert.equal(sql(`SELECT uses FROM chat_links WHERE id = ${link.id}`), '2');
  });

  test('the contact policy: a teacher\'s link lets in a student they teach, not a student of another branch', async () => {
    const chat = await mkChat(W.teacher, { kind: 'group', title: 'Робототехника для студентов' });
    const link = await mkLink(W.teacher, chat.id);
    // the student of G2 (not under the teacher's branch, no relationship)
    let r = await open(W.stranger, link.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.may_join, false);
    assert.equal(r.json.refused, 'link');
    const n = await auditCount(c.admin, 'chat.join_link');
    r = await joinBy(W.stranger, link.token);
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.field, 'link');
    assert.deepEqual(await memberIds(W.teacher, chat.id), sorted(W.teacher));
    assert.equal((await links(W.teacher, chat.id))[0].uses, 0);
    assert.equal(await auditCount(c.admin, 'chat.join_link'), n);
    // the student of G1, in the teacher's branch
    assert.equal((await open(W.student, link.token)).json.may_join, true);
    r = await joinBy(W.student, link.token);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await memberIds(W.teacher, chat.id), sorted(W.teacher, W.student));
    // a parent is reached only by the staff over their child's group: the link of a
    // teacher of another department is refused to them
    const staffChat = await mkChat(W.outsider, { kind: 'group', title: 'Методобъединение' });
    const staffLink = await mkLink(W.outsider, staffChat.id);
    r = await joinBy(W.parent, staffLink.token);
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.field, 'link');
  });

  test('removed by a moderator: cannot come back by a link; someone who left can', async () => {
    const chat = await teachersChat('Дежурство');
    const link = await mkLink(W.teacher, chat.id);
    let r = await call(W.teacher.p, 'DELETE', `/api/v1/chats/${chat.id}/members/${W.staff.u.id}`);
    assert.equal(r.status, 204, r.text);
    r = await open(W.staff, link.token);
    assert.equal(r.json.may_join, false);
    assert.equal(r.json.refused, 'removed');
    r = await joinBy(W.staff, link.token);
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.field, 'removed');
    // the owner may still add them back by hand; leaving then coming back by link is fine
    r = await call(W.teacher.p, 'POST', `/api/v1/chats/${chat.id}/members`, { user_ids: [W.staff.u.id] });
    assert.equal(r.status, 200, r.text);
    r = await call(W.staff.p, 'DELETE', `/api/v1/chats/${chat.id}/members/${W.staff.u.id}`);
    assert.equal(r.status, 204, r.text);
    r = await joinBy(W.staff, link.token);
    assert.equal(r.status, 200, r.text);
  });

  test('a link dies with its creator\'s rights: an admin made a member again leaves their links revoked', async () => {
    const chat = await teachersChat('Редколлегия');
    const byAdmin = await mkLink(W.curator, chat.id);
    const byOwner = await mkLink(W.teacher, chat.id);
    const r = await call(W.teacher.p, 'PATCH', `/api/v1/chats/${chat.id}/members/${W.curator.u.id}`, { role: 'member' });
    assert.equal(r.status, 200, r.text);
    const res = await joinBy(W.manager, byAdmin.token);
    assert.equal(res.status, 410, res.text);
    assert.equal(res.json.error.field, 'revoked');
    const l = (await links(W.teacher, chat.id)).find((x) => x.id === byAdmin.id);
    assert.deepEqual({ revoked: l.revoked, state: l.state }, { revoked: false, state: 'revoked' });
    assert.equal((await joinBy(W.manager, byOwner.token)).status, 200);
  });
});

describe('rate limit', () => {
  test('opening and joining chat links share the per-IP budget of invitation links', async () => {
    const s2 = await startServer({ args: ['--invite-ip-per-minute=4'] });
    try {
      const admin = await createFirstAdmin(s2);
      assert.equal((await admin.get(`/api/v1/join/${randomToken()}`)).status, 404);
      assert.equal((await admin.get(`/api/v1/chat-links/${randomToken()}`)).status, 404);
      assert.equal((await admin.post(`/api/v1/chat-links/${randomToken()}/join`, undefined, { csrf: true })).status, 404);
      assert.equal((await admin.get(`/api/v1/join/${randomToken()}`)).status, 404);
      const r = await admin.get(`/api/v1/chat-links/${randomToken()}`);
      assert.equal(r.status, 429, r.text);
      assert.ok(Number(r.headers['retry-after']) > 0);
      assert.equal((await admin.get(`/api/v1/join/${randomToken()}`)).status, 429);
    } finally {
      await s2.stop();
    }
  });
});
