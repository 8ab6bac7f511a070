// SPDX-License-Identifier: MIT
// The real-time core through the real server: delivery across clients,
// message operations seen live, resume after a disconnect, idempotent
// client ids, one order for every reader under concurrent senders, slow
// consumers, and nothing acknowledged lost across kill -9.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { buildCollege, PASSWORD } from '../lib/org.mjs';
import { ChatClient, bearerOf } from '../lib/chat.mjs';

let srv;
let college;
let chatId;
const tokens = {};

async function openClient(who, cursors) {
  return new ChatClient(srv.port, { bearer: tokens[who] }, cursors).connect();
}

before(async () => {
  srv = await startServer({ args: ['--send-queue-max=65536'] });
  college = await buildCollege(srv);
  for (const who of ['teacher', 'curator', 'staff', 'director', 'manager'])
    tokens[who] = await bearerOf(srv, `${{ teacher: 'teacher', curator: 'curator', staff: 'staff', director: 'director', manager: 'zav' }[who]}@college.ru`, PASSWORD);
  const res = await college.people.teacher.request('POST', '/api/v1/chats', {
    json: { kind: 'group', title: 'Методический совет', user_ids: ['curator', 'staff', 'director', 'manager'].map((k) => college.users[k].id) },
    csrf: true,
  });
  assert.equal(res.status, 201, res.text);
  chatId = res.json.id ?? res.json.chat?.id;
  assert.ok(chatId > 0);
});

after(async () => {
  const r = await srv.stop();
  assert.equal(r.code, 0);
});

test('a message sent by one member reaches another live, after its ack', async () => {
  const a = await openClient('teacher');
  const b = await openClient('curator');
  const ack = await a.send(chatId, 'Добрый день, коллеги!');
  assert.equal(ack.type, 'ack');
  assert.equal(ack.chat_id, chatId);
  assert.equal(ack.duplicate, false);
  await b.until(() => b.messages(chatId).some((e) => e.seq === ack.seq), { what: 'the message at b' });
  const ev = b.messages(chatId).find((e) => e.seq === ack.seq);
  assert.equal(ev.data.text, 'Добрый день, коллеги!');
  assert.equal(ev.data.author.id, college.users.teacher.id);
  assert.equal(ev.author_id, college.users.teacher.id);
  a.close();
  b.close();
});

test('edit, reaction, pin and delete are seen live by other members', async () => {
  const a = await openClient('teacher');
  const b = await openClient('curator');
  const m = await a.send(chatId, 'Черновик объявления');
  await a.op('edit', chatId, m.seq, { text: 'Объявление: совет в пятницу' });
  await b.op('react', chatId, m.seq, { emoji: '👍' });
  await a.op('pin', chatId, m.seq); // the chat owner pins
  await a.op('delete', chatId, m.seq);
  const kinds = () => (b.events[chatId] || []).filter((e) => e.data.seq === m.seq).map((e) => e.kind);
  await b.until(() => kinds().length === 4, { what: 'four operations at b' });
  assert.deepEqual(kinds(), ['message.edit', 'reaction', 'pin', 'message.delete']);
  const edit = b.events[chatId].find((e) => e.kind === 'message.edit' && e.data.seq === m.seq);
  assert.equal(edit.data.text, 'Объявление: совет в пятницу');
  // a plain member may not edit someone else's message nor pin
  await assert.rejects(b.op('edit', chatId, m.seq, { text: 'чужое' }), (e) => e.code === 'forbidden');
  const m2 = await a.send(chatId, 'ещё одно');
  await assert.rejects(b.op('pin', chatId, m2.seq), (e) => e.code === 'forbidden');
  // deleting twice is a conflict
  await assert.rejects(a.op('delete', chatId, m.seq), (e) => e.code === 'conflict');
  a.close();
  b.close();
});

test('the same client id sent three times yields one message', async () => {
  const a = await openClient('teacher');
  const b = await openClient('staff');
  const cid = 'fixed-client-id-1';
  const acks = [];
  for (let i = 0; i < 3; i++) acks.push(await a.send(chatId, 'только один раз', { client_id: cid }));
  assert.equal(acks[0].duplicate, false);
  assert.equal(acks[1].duplicate, true);
  assert.equal(acks[2].duplicate, true);
  assert.equal(new Set(acks.map((x) => x.seq)).size, 1);
  const last = await a.send(chatId, 'маркер');
  await b.until(() => b.cursors[chatId] >= last.seq, { what: 'the marker' });
  assert.equal(b.messages(chatId).filter((e) => e.data.text === 'только один раз').length, 1);
  a.close();
  b.close();
});

test('a client disconnected while 500 messages arrive resumes and gets all 500 once, in order', async () => {
  const reader = await openClient('staff');
  const cursors = { ...reader.cursors };
  reader.close();
  const writer = await openClient('teacher');
  const acks = [];
  for (let i = 0; i < 500; i++) acks.push(writer.send(chatId, `сообщение ${i}`));
  const done = await Promise.all(acks);
  writer.close();
  const back = await openClient('staff', cursors);
  const got = back.messages(chatId).filter((e) => e.data.text.startsWith('сообщение '));
  assert.equal(got.length, 500);
  assert.deepEqual(got.map((e) => e.seq), done.map((x) => x.seq));
  assert.deepEqual(got.map((e) => e.data.text), done.map((_, i) => `сообщение ${i}`));
  assert.equal(back.dupEvents, 0);
  assert.equal(back.gaps, 0);
  back.close();
});

test('20 concurrent senders: every reader sees the same order', async () => {
  const senders = [];
  for (const who of ['teacher', 'curator', 'staff', 'director', 'manager'])
    for (let k = 0; k < 4; k++) senders.push(await openClient(who));
  const readers = [await openClient('teacher'), await openClient('curator'), await openClient('director')];
  const start = Object.fromEntries(readers.map((r, i) => [i, r.cursors[chatId]]));
  const acks = await Promise.all(senders.flatMap((s, i) =>
    Array.from({ length: 10 }, (_, j) => s.send(chatId, `поток ${i}-${j}`))));
  const maxSeq = Math.max(...acks.map((a) => a.seq));
  const orders = [];
  for (const [i, r] of readers.entries()) {
    await r.until(() => r.cursors[chatId] >= maxSeq, { what: `reader ${i} to catch up` });
    const seqs = r.events[chatId].filter((e) => e.seq > start[i] && e.seq <= maxSeq);
    orders.push(seqs.map((e) => `${e.seq}:${e.data.text}`));
    assert.equal(r.gaps, 0);
    assert.equal(r.dupEvents, 0);
  }
  assert.equal(orders[0].filter((x) => x.includes('поток')).length, 200);
  assert.deepEqual(orders[1], orders[0]);
  assert.deepEqual(orders[2], orders[0]);
  for (const c of [...senders, ...readers]) c.close();
});

test('a reader that stops reading is cut off without slowing the others, then resumes without loss', async () => {
  const slow = await openClient('staff');
  const cursors = { ...slow.cursors };
  slow.ws.sock.pause();              // stops reading: the kernel buffers fill, then the server's queue
  const fast = await openClient('curator');
  const writer = await openClient('teacher');
  const big = 'б'.repeat(3000);
  const acks = [];
  // ~6 MB: more than the kernel buffers between the server and the paused reader
  for (let round = 0; round < 20; round++)
    acks.push(...await Promise.all(Array.from({ length: 50 }, (_, i) => writer.send(chatId, `${round * 50 + i} ${big}`))));
  const last = acks[acks.length - 1].seq;
  await fast.until(() => fast.cursors[chatId] >= last, { what: 'the fast reader' });
  // the slow one was disconnected by the server (its send queue overflowed)
  slow.ws.sock.resume();
  await slow.ws.closed;
  const back = await openClient('staff', cursors);
  const got = back.messages(chatId).filter((e) => e.data.text.endsWith(big));
  assert.equal(got.length, 1000);
  assert.deepEqual(got.map((e) => e.seq), acks.map((a) => a.seq));
  for (const c of [fast, writer, back]) c.close();
});

test('messages of a chat are not delivered to non-members, and non-members cannot send', async () => {
  const tokenStudent = await bearerOf(srv, 'student@college.ru', PASSWORD);
  const s = await new ChatClient(srv.port, { bearer: tokenStudent }).connect();
  const a = await openClient('teacher');
  const m = await a.send(chatId, 'только для педагогов');
  await assert.rejects(s.send(chatId, 'можно?'), (e) => e.code === 'forbidden');
  const marker = await a.send(chatId, 'маркер 2');
  await a.until(() => a.cursors[chatId] >= marker.seq);
  assert.equal(s.events[chatId], undefined);
  assert.ok(m.seq > 0);
  s.close();
  a.close();
});

test('malformed writes get invalid_input with the field', async () => {
  const a = await openClient('teacher');
  await assert.rejects(a.request({ type: 'send', chat_id: chatId, text: 'x' }), (e) => e.field === 'client_id');
  await assert.rejects(a.request({ type: 'send', chat_id: 0, text: 'x', client_id: 'c1' }), (e) => e.field === 'chat_id');
  await assert.rejects(a.request({ type: 'send', chat_id: chatId, text: '   ', client_id: 'c2' }), (e) => e.field === 'text');
  await assert.rejects(a.request({ type: 'send', chat_id: chatId, text: 'x'.repeat(8001), client_id: 'c3' }), (e) => e.field === 'text');
  await assert.rejects(a.request({ type: 'edit', chat_id: chatId, client_id: 'c4', text: 'x' }), (e) => e.field === 'seq');
  await assert.rejects(a.request({ type: 'react', chat_id: chatId, seq: 1, client_id: 'c5' }), (e) => e.field === 'emoji');
  await assert.rejects(a.request({ type: 'send', chat_id: chatId, text: 'x', client_id: 'bad id!' }), (e) => e.field === 'client_id');
  await assert.rejects(a.request({ type: 'fly' }), (e) => e.code === 'unsupported');
  a.close();
});

test('kill -9 under a steady stream of sends: every acknowledged message is there exactly once', async () => {
  const dataDir = srv.dataDir;
  const a = await openClient('teacher');
  const start = a.cursors[chatId];
  const acked = new Map();
  let stop = false;
  const pump = (async () => {
    let i = 0;
    while (!stop) {
      const text = `crash-${i++}`;
      try {
        const ack = await a.send(chatId, text);
        acked.set(text, ack.seq);
      } catch {
        return;
      }
    }
  })();
  await new Promise((r) => setTimeout(r, 400));
  await srv.kill9();
  stop = true;
  await pump;
  assert.ok(acked.size > 10, `only ${acked.size} acks before the crash`);
  srv = await startServer({ dataDir, args: ['--send-queue-max=65536'] });
  tokens.teacher = await bearerOf(srv, 'teacher@college.ru', PASSWORD);
  const back = await new ChatClient(srv.port, { bearer: tokens.teacher }, { [chatId]: start }).connect();
  const seen = new Map();
  for (const e of back.messages(chatId)) {
    if (!e.data.text.startsWith('crash-')) continue;
    seen.set(e.data.text, (seen.get(e.data.text) || 0) + 1);
  }
  for (const [text, seq] of acked) {
    assert.equal(seen.get(text), 1, `${text} (seq ${seq}) should be there once`);
  }
  for (const [text, n] of seen) assert.equal(n, 1, `${text} duplicated`);
  back.close();
});
