// SPDX-License-Identifier: MIT
// Full-text search (GET /api/v1/search) through the real server: messages
// are sent, edited and deleted over the WebSocket (docs/protocol.md), then
// searched. Russian and English morphology; snippets with highlights in
// UTF-16 units; nobody finds messages of chats they may not read (not even
// the administrators); a removed member still finds what was written while
// they belonged and nothing after; an edited message is found by its new
// text only; a deleted one never; paging by before_id; malformed queries are
// 400 with the field; no session is 401.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { ADMIN, request } from '../lib/http.mjs';
import { buildCollege, call, PASSWORD } from '../lib/org.mjs';
import { ChatClient, bearerOf } from '../lib/chat.mjs';

const LOGINS = {
  admin: ADMIN.login,
  director: 'director@college.ru',
  manager: 'zav@college.ru',
  curator: 'curator@college.ru',
  teacher: 'teacher@college.ru',
  student: 'student@college.ru',
  staff: 'staff@college.ru',
};

let srv;
let college;
const clients = {};
let methodChat;   // teacher (owner), curator, staff, manager
let councilChat;  // director (owner), manager: the teacher and curator are not in it

const person = (who) => (who === 'admin' ? college.admin : college.people[who]);
const uid = (who) => (who === 'admin' ? college.adminUser.id : college.users[who].id);

async function search(who, params) {
  const qs = new URLSearchParams(params).toString();
  return person(who).get(`/api/v1/search?${qs}`);
}

// The results for q as the person sees them (asserting 200).
async function found(who, q, extra = {}) {
  const r = await search(who, { q, ...extra });
  assert.equal(r.status, 200, r.text);
  return r.json.results;
}

async function createChat(owner, title, members) {
  const r = await call(person(owner), 'POST', '/api/v1/chats', {
    kind: 'group', title, user_ids: members.map(uid),
  });
  assert.equal(r.status, 201, r.text);
  return r.json.id ?? r.json.chat?.id;
}

async function send(who, chatId, text) {
  const ack = await clients[who].send(chatId, text);
  assert.equal(ack.type, 'ack');
  return ack;
}

// The snippet's highlighted parts, sliced as a JavaScript client would.
const marked = (hit) => hit.snippet.highlights.map(([s, l]) => hit.snippet.text.slice(s, s + l));

before(async () => {
  srv = await startServer({ args: ['--login-ip-per-minute=10000'] });
  college = await buildCollege(srv);
  for (const who of Object.keys(LOGINS)) {
    const password = who === 'admin' ? ADMIN.password : PASSWORD;
    clients[who] = await new ChatClient(srv.port, { bearer: await bearerOf(srv, LOGINS[who], password) }).connect();
  }
  methodChat = await createChat('teacher', 'Методический совет', ['curator', 'staff', 'manager']);
  councilChat = await createChat('director', 'Совет директора', ['manager']);
  assert.ok(methodChat > 0 && councilChat > 0);
});

after(async () => {
  for (const c of Object.values(clients)) c.close();
  const r = await srv.stop();
  assert.equal(r.code, 0);
});

describe('morphology', () => {
  const sent = {};
  before(async () => {
    for (const [key, text] of Object.entries({
      exam1: 'Экзамен по математике перенесли на пятницу',
      exam2: 'Все экзамены группы ТМ-21 сданы',
      exam3: 'Поговорим перед экзаменом в 14:00',
      exam4: 'Результаты экзамена вывешены у деканата',
      stud1: 'Список студентов обновлён',
      stud2: 'Студенты, не опаздывайте!',
      en1: 'The exams start on Monday',
      en2: 'One exam runs late today',
      en3: 'We are running out of rooms',
    })) sent[key] = await send('teacher', methodChat, text);
  });

  test('«экзамен» finds экзамены, экзаменом, экзамена — newest first — whatever form is asked', async () => {
    const want = ['exam4', 'exam3', 'exam2', 'exam1'].map((k) => sent[k].seq);
    for (const q of ['экзамен', 'экзамены', 'экзаменом', 'ЭКЗАМЕНА']) {
      const hits = await found('curator', q, { chat_id: methodChat });
      assert.deepEqual(hits.map((h) => h.seq), want, q);
    }
    const [top] = await found('curator', 'экзамен', { chat_id: methodChat });
    assert.equal(top.chat_id, methodChat);
    assert.equal(top.chat_title, 'Методический совет');
    assert.deepEqual(top.author, { id: uid('teacher'), name: college.users.teacher.name });
    assert.equal(top.at, sent.exam4.at);
    assert.equal(top.snippet.text, 'Результаты экзамена вывешены у деканата');
    assert.deepEqual(marked(top), ['экзамена']);
  });

  test('«студенты» finds студентов', async () => {
    const hits = await found('staff', 'студенты', { chat_id: methodChat });
    assert.deepEqual(hits.map((h) => h.seq), [sent.stud2.seq, sent.stud1.seq]);
    assert.deepEqual(marked(hits[1]), ['студентов']);
  });

  test('English: exams finds exam, running finds runs (Snowball: run)', async () => {
    let hits = await found('curator', 'exams', { chat_id: methodChat });
    assert.deepEqual(hits.map((h) => h.seq), [sent.en2.seq, sent.en1.seq]);
    hits = await found('curator', 'running', { chat_id: methodChat });
    assert.deepEqual(hits.map((h) => h.seq), [sent.en3.seq, sent.en2.seq]);
    assert.deepEqual(marked(hits[1]), ['runs']);
  });

  test('phrases, prefixes and several words', async () => {
    let hits = await found('curator', '"по математике"', { chat_id: methodChat });
    assert.deepEqual(hits.map((h) => h.seq), [sent.exam1.seq]);
    assert.deepEqual(marked(hits[0]), ['по математике']);
    assert.equal((await found('curator', '"математике по"', { chat_id: methodChat })).length, 0);
    hits = await found('curator', 'матем*', { chat_id: methodChat });
    assert.deepEqual(hits.map((h) => h.seq), [sent.exam1.seq]);
    hits = await found('curator', 'экзамен пятница');
    assert.deepEqual(hits.map((h) => h.seq), [sent.exam1.seq]);
  });

  test('FTS5 syntax typed by a user is only words', async () => {
    for (const q of ['экзамен AND (NOT "x" NEAR', 'NEAR(экзамен', 'text:экзамен', '^экзамен*', '"экзамен', 'экзамен OR -зачёт +{}']) {
      const r = await search('curator', { q });
      assert.equal(r.status, 200, `${q}: ${r.text}`);
    }
    // «AND» is a word like any other: nothing has it
    assert.equal((await found('curator', 'экзамен AND математика')).length, 0);
    assert.equal((await found('curator', 'экзамен математика')).length, 1);
  });
});

describe('who finds what', () => {
  let inMethod;
  let inCouncil;
  before(async () => {
    inMethod = await send('teacher', methodChat, 'Аттестация преподавателей в марте');
    inCouncil = await send('director', councilChat, 'Аттестация: конфиденциальный список');
  });

  test('every role may search and finds only chats it belongs to; administrators no more', async () => {
    for (const who of Object.keys(LOGINS)) {
      const hits = await found(who, 'аттестация');
      const mine = (await person(who).get('/api/v1/chats')).json.chats.map((c) => c.id);
      for (const h of hits) assert.ok(mine.includes(h.chat_id), `${who} sees chat ${h.chat_id}`);
      const seqs = hits.map((h) => `${h.chat_id}:${h.seq}`).sort();
      const expect = [];
      if (['teacher', 'curator', 'staff', 'manager'].includes(who)) expect.push(`${methodChat}:${inMethod.seq}`);
      if (['director', 'manager'].includes(who)) expect.push(`${councilChat}:${inCouncil.seq}`);
      assert.deepEqual(seqs, expect.sort(), who);
    }
  });

  test('a chat the user never belonged to is 403, whether it exists or not', async () => {
    for (const chatId of [councilChat, 999999]) {
      const r = await search('teacher', { q: 'аттестация', chat_id: chatId });
      assert.equal(r.status, 403, r.text);
      assert.equal(r.json.error.code, 'forbidden');
    }
    const r = await search('admin', { q: 'аттестация', chat_id: methodChat });
    assert.equal(r.status, 403);
  });

  test('a direct chat is titled with the other person', async () => {
    const r = await call(college.people.teacher, 'POST', '/api/v1/chats', { kind: 'direct', user_id: uid('curator') });
    assert.ok(r.status === 201 || r.status === 200, r.text);
    const direct = r.json.id ?? r.json.chat?.id;
    await send('teacher', direct, 'Лично: аттестационный лист готов');
    const hits = await found('curator', 'аттестационный', { chat_id: direct });
    assert.equal(hits.length, 1);
    assert.equal(hits[0].chat_title, college.users.teacher.name);
    assert.equal((await found('staff', 'аттестационный')).length, 0);
  });
});

describe('the index follows the log', () => {
  test('a removed member finds what was written while they belonged, nothing after', async () => {
    const chat = await createChat('teacher', 'Олимпиадная группа', ['staff', 'curator']);
    const before1 = await send('teacher', chat, 'Олимпиада: регистрация открыта');
    const del = await call(college.people.teacher, 'DELETE', `/api/v1/chats/${chat}/members/${uid('staff')}`);
    assert.ok(del.status === 204 || del.status === 200, del.text);
    const after1 = await send('teacher', chat, 'Олимпиада: списки участников');
    let hits = await found('staff', 'олимпиада');
    assert.deepEqual(hits.map((h) => `${h.chat_id}:${h.seq}`), [`${chat}:${before1.seq}`]);
    hits = await found('staff', 'олимпиада', { chat_id: chat });
    assert.deepEqual(hits.map((h) => h.seq), [before1.seq]);
    hits = await found('curator', 'олимпиада', { chat_id: chat });
    assert.deepEqual(hits.map((h) => h.seq), [after1.seq, before1.seq]);
  });

  test('an edited message is found by its new text and not by its old', async () => {
    const m = await send('teacher', methodChat, 'Расписание консультаций на неделю');
    assert.equal((await found('curator', 'консультации', { chat_id: methodChat })).length, 1);
    await clients.teacher.op('edit', methodChat, m.seq, { text: 'График пересдач на неделю' });
    assert.equal((await found('curator', 'консультации', { chat_id: methodChat })).length, 0);
    const hits = await found('curator', 'пересдача', { chat_id: methodChat });
    assert.deepEqual(hits.map((h) => h.seq), [m.seq]);
    assert.equal(hits[0].snippet.text, 'График пересдач на неделю');
    assert.deepEqual(marked(hits[0]), ['пересдач']);
  });

  test('a deleted message is never found, by its author nor by a moderator', async () => {
    const own = await send('curator', methodChat, 'Семинар по охране труда отменён');
    const moderated = await send('staff', methodChat, 'Семинар: ссылка на запись');
    assert.equal((await found('manager', 'семинар', { chat_id: methodChat })).length, 2);
    await clients.curator.op('delete', methodChat, own.seq);
    await clients.teacher.op('delete', methodChat, moderated.seq); // the owner moderates
    for (const who of ['manager', 'curator', 'staff', 'teacher'])
      assert.equal((await found(who, 'семинар')).length, 0, who);
  });

  test('snippets of long texts are windows around the match, highlights in UTF-16 units', async () => {
    const filler = 'слово '.repeat(150);
    const text = `😀 ${filler}главное: коллоквиум в среду ${filler}конец`;
    await send('teacher', methodChat, text);
    const [hit] = await found('curator', 'коллоквиум');
    assert.ok(hit.snippet.text.startsWith('…') && hit.snippet.text.endsWith('…'), hit.snippet.text);
    assert.ok([...hit.snippet.text].length <= 202);
    assert.deepEqual(marked(hit), ['коллоквиум']);
    const [short] = await found('curator', 'смайлик');
    assert.equal(short, undefined);
    await send('teacher', methodChat, '👍🏽 смайлик');
    const [withEmoji] = await found('curator', 'смайлик');
    assert.deepEqual(withEmoji.snippet.highlights, [[5, 7]]);
    assert.deepEqual(marked(withEmoji), ['смайлик']);
  });
});

describe('paging', () => {
  test('limit and before_id walk every match once, newest first', async () => {
    const chat = await createChat('teacher', 'Контрольные', ['curator']);
    const seqs = [];
    for (let i = 1; i <= 7; i++) seqs.push((await send('teacher', chat, `Контрольная работа №${i}`)).seq);
    const got = [];
    let before_id;
    for (let page = 0; page < 5; page++) {
      const params = { q: 'контрольная', chat_id: chat, limit: 3 };
      if (before_id) params.before_id = before_id;
      const r = await search('curator', params);
      assert.equal(r.status, 200, r.text);
      got.push(...r.json.results.map((h) => h.seq));
      if (r.json.next_before_id === null) break;
      assert.equal(r.json.results.length, 3);
      before_id = r.json.next_before_id;
    }
    assert.deepEqual(got, seqs.reverse());
    const all = await search('curator', { q: 'контрольная', chat_id: chat, limit: 50 });
    assert.equal(all.json.results.length, 7);
    assert.equal(all.json.next_before_id, null);
    const def = await search('curator', { q: 'контрольная', chat_id: chat });
    assert.equal(def.json.results.length, 7); // default limit 20
  });
});

describe('malformed requests', () => {
  test('q, limit, chat_id and before_id are checked: 400 with the field', async () => {
    const cases = [
      ['', 'q'],
      ['q=', 'q'],
      ['q=%21%21%21', 'q'],                       // "!!!": no word
      ['q=%22%22+***+()', 'q'],
      [`q=${encodeURIComponent('я'.repeat(201))}`, 'q'],
      ['q=%FF%FE', 'q'],                          // not UTF-8
      ['q=%zz', 'q'],                             // bad percent-encoding
      [`q=${'a'.repeat(2000)}`, 'q'],
      ['q=x&limit=0', 'limit'],
      ['q=x&limit=51', 'limit'],
      ['q=x&limit=abc', 'limit'],
      ['q=x&limit=', 'limit'],
      ['q=x&chat_id=0', 'chat_id'],
      ['q=x&chat_id=x', 'chat_id'],
      ['q=x&before_id=-1', 'before_id'],
      ['q=x&before_id=99999999999999999999', 'before_id'],
    ];
    for (const [qs, field] of cases) {
      const r = await college.people.curator.get(`/api/v1/search?${qs}`);
      assert.equal(r.status, 400, `${qs}: ${r.text}`);
      assert.equal(r.json.error.code, 'invalid_input');
      assert.equal(r.json.error.field, field, qs);
    }
    // 200 characters are fine
    const ok = await search('curator', { q: 'я'.repeat(200) });
    assert.equal(ok.status, 200, ok.text);
  });

  test('no session: 401', async () => {
    const r = await request(srv, 'GET', `/api/v1/search?q=${encodeURIComponent('экзамен')}`);
    assert.equal(r.status, 401);
    const bad = await request(srv, 'GET', '/api/v1/search?q=x', { headers: { Authorization: 'Bearer nope' } });
    assert.equal(bad.status, 401);
  });
});
