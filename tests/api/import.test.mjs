// SPDX-License-Identifier: MIT
// CSV import: a 5,000-person e-journal file (200 groups, 4,000 students, 600
// parents, 200 staff, rows in any order) with exactly 20 bad rows of different
// kinds reports exactly those 20 lines and imports the rest; the dry run
// reports the same and changes nothing; re-running changes nothing; a
// Windows-1251 file keeps its Cyrillic names; a changed group is a transfer
// (the parents follow) and a changed name an update; only the platform
// administrator may import or export (others get 403 and nothing changes);
// malformed uploads get 400 with field "file" or 415; the personal-link export
// (mail merge) makes new single-use links, revokes the previous ones, and a
// link hands the imported account over to its person.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { ADMIN, createFirstAdmin, loginAs, Person, request } from '../lib/http.mjs';

const HEADER = 'type;external_id;last_name;first_name;middle_name;login;group_code;group_name;branch;' +
  'enrolment_year;staff_role;student_external_id';
const PASSWORD = 'test-password-1';
const BRANCHES = ['Бардымский филиал', 'Куединский филиал', 'Октябрьский филиал', 'Уинский филиал'];
const SURNAMES = ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов', 'Фёдоров', 'Морозов'];
const NAMES = ['Пётр', 'Иван', 'Олег', 'Денис', 'Артём', 'Егор', 'Илья', 'Никита'];
const MIDDLES = ['Иванович', 'Петрович', 'Сергеевич', 'Олегович'];

let srv;
let admin;      // platform administrator (cookie)
let teacher;    // a teacher of the college
let director;   // administration with the director flag

const pad = (n, w) => String(n).padStart(w, '0');

function row(f) {
  return [f.type, f.id, f.last ?? '', f.first ?? '', f.middle ?? '', f.login ?? '', f.group ?? '', f.gname ?? '',
    f.branch ?? '', f.year ?? '', f.role ?? '', f.child ?? ''].join(';');
}

function person(i) {
  return { last: SURNAMES[i % SURNAMES.length], first: NAMES[(i * 7) % NAMES.length], middle: MIDDLES[i % MIDDLES.length] };
}

// The big file: parents first, then staff and students, groups last (the
// import resolves groups, then people, then parents, whatever the order).
// Returns { text, bad: [{ line, code, field }] }.
function bigFile() {
  const good = [];
  for (let i = 1; i <= 600; i++) {
    const child = i % 50 === 0 ? `s${i * 6} s${i * 6 - 1}` : `s${i * 6}`;
    good.push(row({ type: 'parent', id: `p${i}`, ...person(i), last: `${person(i).last}а`, middle: '-',
      login: i % 3 === 0 ? `+7900${pad(i, 7)}` : '', child }));
  }
  for (let i = 1; i <= 200; i++) {
    const role = i <= 20 ? 'curator' : i <= 30 ? 'administration' : i <= 50 ? 'staff' : 'teacher';
    good.push(row({ type: 'staff', id: `t${i}`, ...person(i + 3), login: `t${i}@college.example`, role,
      group: role === 'curator' ? `G-${pad(i, 3)}` : '' }));
  }
  for (let i = 1; i <= 4000; i++) {
    good.push(row({ type: 'student', id: `s${i}`, ...person(i), login: i % 10 === 0 ? `s${i}@college.example` : '',
      group: `G-${pad(1 + ((i - 1) % 200), 3)}` }));
  }
  for (let i = 1; i <= 200; i++) {
    good.push(row({ type: 'group', id: `g${i}`, group: `G-${pad(i, 3)}`, gname: `Группа ${i}`,
      branch: i % 5 === 0 ? '' : BRANCHES[i % 4], year: 2021 + (i % 4) }));
  }
  // 20 bad rows: [text, code, field]; those that need an earlier row to
  // collide with go to the end of the file
  const early = [
    [row({ type: 'teacher', id: 'x1', ...person(1), group: 'G-001' }), 'unsupported_type', 'type'],
    [row({ type: 'student', id: '', ...person(2), group: 'G-001' }), 'missing', 'external_id'],
    [row({ type: 'student', id: 'bad3', first: 'Иван', group: 'G-001' }), 'missing', 'last_name'],
    [row({ type: 'student', id: 'bad4', ...person(4), login: 'not-a-login', group: 'G-001' }), 'invalid', 'login'],
    [row({ type: 'student', id: 'bad5', ...person(5), group: 'NOPE-1' }), 'unknown_group', 'group_code'],
    [row({ type: 'parent', id: 'bad6', ...person(6), child: 's999999' }), 'unknown_student', 'student_external_id'],
    [row({ type: 'staff', id: 'bad9', ...person(9), role: 'teacher' }), 'missing', 'login'],
    [row({ type: 'staff', id: 'bad10', ...person(10), login: 'bad10@college.example', role: 'boss' }), 'invalid', 'staff_role'],
    [row({ type: 'staff', id: 'bad11', ...person(11), login: 'bad11@college.example', role: 'curator' }), 'missing', 'group_code'],
    [row({ type: 'group', id: 'bad12', group: 'BAD-12', year: '20x1' }), 'invalid', 'enrolment_year'],
    [row({ type: 'student', id: 'bad13', last: 'Ива"нов', first: 'Иван', group: 'G-001' }), 'invalid', null],
    [row({ type: 'student', id: 'bad14', last: 'Я'.repeat(2100), first: 'Иван', group: 'G-001' }), 'invalid', null],
    [`student;bad15${';x'.repeat(70)}`, 'invalid', null],
    [row({ type: 'student', id: 'bad16', ...person(16), login: ADMIN.login, group: 'G-001' }), 'conflict', 'login'],
    [row({ type: 'parent', id: 'bad17', ...person(17), child: 's1 s2 s3 s4 s5 s6 s7 s8 s9 s10 s11' }), 'invalid', 'student_external_id'],
    [row({ type: 'student', id: 'bad 18', ...person(18), group: 'G-001' }), 'invalid', 'external_id'],
    [row({ type: 'student', id: 'bad19', last: '"Иванов\nПетров"', first: 'Иван', group: 'G-001' }), 'invalid', 'last_name'],
  ];
  const late = [
    [row({ type: 'student', id: 's5', last: 'Двойник', first: 'Иван', group: 'G-002' }), 'duplicate', 'external_id'],
    [row({ type: 'student', id: 'bad8', ...person(8), login: 't1@college.example', group: 'G-001' }), 'duplicate', 'login'],
    [row({ type: 'group', id: 'bad20', group: 'G-001' }), 'duplicate', 'group_code'],
  ];
  const rows = good.map((text) => ({ text }));
  early.forEach(([text, code, field], k) => rows.splice(100 + k * 280, 0, { text, code, field }));
  for (const [text, code, field] of late) rows.push({ text, code, field });
  const bad = [];
  let line = 2;
  for (const r of rows) {
    if (r.code) bad.push({ line, code: r.code, field: r.field });
    line += 1 + (r.text.match(/\n/g) || []).length;
  }
  assert.equal(bad.length, 20);
  return { text: [HEADER, ...rows.map((r) => r.text)].join('\r\n') + '\r\n', bad };
}

function upload(p, body, { dry = false, type = 'text/csv; charset=utf-8', csrf = true, query } = {}) {
  const q = query ?? (dry ? '?dry_run=1' : '');
  const headers = type ? { 'Content-Type': type } : {};
  return p.request('POST', `/api/v1/import${q}`, { body, headers, csrf });
}

async function total(role) {
  const r = await admin.get(`/api/v1/people?role=${role}&limit=1`);
  assert.equal(r.status, 200, r.text);
  return r.json.total;
}

async function tree() {
  const r = await admin.get('/api/v1/org/tree');
  assert.equal(r.status, 200, r.text);
  return r.json.units;
}

async function findPerson(q) {
  const r = await admin.get(`/api/v1/people?q=${encodeURIComponent(q)}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.people.length, 1, `one person for ${q}: ${r.text}`);
  return r.json.people[0];
}

async function auditCount(action) {
  const r = await admin.get(`/api/v1/audit?action=${action}&limit=100`);
  assert.equal(r.status, 200, r.text);
  return r.json.entries;
}

function today() {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)}`;
}

before(async () => {
  srv = await startServer({ args: ['--login-ip-per-minute=10000', '--invite-ip-per-minute=10000'] });
  admin = await createFirstAdmin(srv);
  await admin.login(ADMIN.login, ADMIN.password);
  for (const [login, role, extra] of [['teacher@college.example', 'teacher', {}],
    ['director@college.example', 'administration', { director: true }]]) {
    const r = await admin.post('/api/v1/people', { login, name: `Тест ${role}`, password: PASSWORD, role, unit_id: 1, ...extra },
      { csrf: true });
    assert.equal(r.status, 201, r.text);
  }
  teacher = await loginAs(srv, 'teacher@college.example', PASSWORD);
  director = await loginAs(srv, 'director@college.example', PASSWORD);
});

after(async () => { await srv?.stop(); });

describe('an e-journal file of 5,000 people with 20 bad rows', () => {
  const file = bigFile();
  let dry;

  function checkReport(r, dryRun) {
    assert.equal(r.status, 200, r.text.slice(0, 500));
    assert.equal(r.json.dry_run, dryRun);
    assert.equal(r.json.encoding, 'utf-8');
    assert.equal(r.json.delimiter, ';');
    assert.equal(r.json.rows, 5020);
    assert.equal(r.json.skipped, 20);
    const lines = [...new Set(r.json.errors.map((e) => e.line))];
    assert.deepEqual(lines, file.bad.map((b) => b.line), 'exactly the 20 bad lines, sorted');
    for (const b of file.bad) {
      const e = r.json.errors.find((x) => x.line === b.line);
      assert.equal(e.code, b.code, `line ${b.line}: ${JSON.stringify(e)}`);
      assert.equal(e.field, b.field, `line ${b.line}: ${JSON.stringify(e)}`);
      assert.ok(e.message.length > 10 && /[а-яё]/i.test(e.message), 'a Russian message');
    }
  }

  test('the file fits the default body limit', () => {
    assert.ok(Buffer.byteLength(file.text) < 1024 * 1024, `${Buffer.byteLength(file.text)} bytes`);
  });

  test('the dry run reports every bad row and changes nothing', async (t) => {
    const started = Date.now();
    dry = await upload(admin, file.text, { dry: true });
    t.diagnostic(`dry run: ${Date.now() - started} ms`);
    checkReport(dry, true);
    assert.deepEqual(dry.json.created, { groups: 200, students: 4000, parents: 600, staff: 200, branches: 4 });
    assert.equal(await total('student'), 0);
    assert.equal(await total('parent'), 0);
    assert.equal((await tree()).length, 0);
    assert.equal((await auditCount('import.apply')).length, 0);
  });

  test('the real run imports everything else, in one go', async (t) => {
    const started = Date.now();
    const r = await upload(admin, file.text);
    t.diagnostic(`import: ${Date.now() - started} ms`);
    checkReport(r, false);
    assert.deepEqual(r.json.created, dry.json.created);
    assert.equal(r.json.updated, 0);
    assert.equal(r.json.unchanged, 0);
    assert.deepEqual(r.json.errors, dry.json.errors, 'the dry run said exactly this');
    assert.equal(await total('student'), 4000);
    assert.equal(await total('parent'), 600);
    assert.equal(await total('curator'), 20);
    const units = await tree();
    const groups = units.filter((u) => u.kind === 'study_group');
    assert.equal(groups.length, 200);
    assert.deepEqual(units.filter((u) => u.kind === 'branch').map((u) => u.name).sort(), [...BRANCHES].sort());
    assert.equal(groups.reduce((a, g) => a + g.counts.students, 0), 4000);
    const g1 = groups.find((g) => g.code === 'G-001');
    assert.equal(g1.name, 'Группа 1');
    assert.equal(g1.enrolment_year, 2022);
    assert.equal(units.find((u) => u.id === g1.parent_id).name, BRANCHES[1]);
    assert.equal(g1.curator.name, `${person(4).last} ${person(4).first} ${person(4).middle}`);
    assert.equal(groups.find((g) => g.code === 'G-005').parent_id, 1, 'no branch: directly under the college');
    const mv = await admin.get('/api/v1/movements?kind=enrolment&limit=1');
    assert.equal(mv.status, 200, mv.text);
    assert.equal(mv.json.total, 4000);
    const hired = await admin.get('/api/v1/movements?kind=hiring&limit=1');
    assert.equal(hired.json.total, 200);
    // an audit entry with the counts, not the people
    const entries = await auditCount('import.apply');
    assert.equal(entries.length, 1);
    assert.equal(entries[0].after.created.students, 4000);
    assert.equal(entries[0].after.skipped, 20);
    assert.ok(!/[а-яё@]/i.test(JSON.stringify(entries[0].after)), 'counts, no names or logins');
    assert.equal(entries[0].before, null);
  });

  test('imported people: names, logins, guardianships, no password', async () => {
    const p = await admin.get('/api/v1/people?q=s10@college.example');
    assert.equal(p.json.people.length, 1);
    const s10 = p.json.people[0];
    assert.equal(s10.name, `${person(10).last} ${person(10).first} ${person(10).middle}`);
    assert.deepEqual(s10.roles.map((x) => [x.role, x.unit_name]), [['student', 'Группа 10']]);
    // no password: the login does not work
    const login = await new Person(srv).login('s10@college.example', PASSWORD);
    assert.equal(login.status, 401);
    // parent 50 has two children (s300, s299), both confirmed, parent of both groups
    const par = await admin.get(`/api/v1/people?q=${encodeURIComponent('+79000000051')}`);
    assert.equal(par.json.people.length, 1);
    assert.equal(par.json.people[0].name, `${person(51).last}а ${person(51).first}`, 'a "-" patronymic is none');
    const p50 = await admin.get(`/api/v1/people?role=parent&q=${encodeURIComponent(`${person(50).last}а ${person(50).first}`)}&limit=100`);
    const two = [];
    for (const cand of p50.json.people) {
      const roles = cand.roles.filter((x) => x.role === 'parent').map((x) => x.unit_name).sort();
      if (roles.length === 2) two.push(roles);
    }
    assert.ok(two.some((r) => r.join() === ['Группа 100', 'Группа 99'].sort().join()), JSON.stringify(two));
  });

  test('re-running the same file changes nothing', async () => {
    const r = await upload(admin, file.text);
    checkReport(r, false);
    assert.deepEqual(r.json.created, { groups: 0, students: 0, parents: 0, staff: 0, branches: 0 });
    assert.equal(r.json.updated, 0);
    assert.equal(r.json.unchanged, 5000);
    assert.equal(await total('student'), 4000);
    assert.equal(await total('parent'), 600);
    assert.equal((await tree()).filter((u) => u.kind === 'study_group').length, 200);
    const mv = await admin.get('/api/v1/movements?limit=1');
    assert.equal(mv.json.total, 4200, 'no new movements');
  });
});

describe('encodings and changes', () => {
  function cp1251(s) {
    const out = [];
    for (const ch of s) {
      const c = ch.codePointAt(0);
      if (c < 0x80) out.push(c);
      else if (c >= 0x410 && c <= 0x44f) out.push(c - 0x410 + 0xc0);
      else if (c === 0x401) out.push(0xa8);
      else if (c === 0x451) out.push(0xb8);
      else throw new Error(`no cp1251 for ${ch}`);
    }
    return Buffer.from(out);
  }

  test('a Windows-1251 file (comma-separated, with a BOM-less header) keeps its Cyrillic names', async () => {
    const text = 'type,external_id,last_name,first_name,middle_name,group_code,group_name\r\n' +
      'group,cp-g,,,,ЁЖ-1,Электроника и связь\r\n' +
      'student,cp-s,Ёлкина,Дарья,Петровна,ЁЖ-1,\r\n';
    const r = await upload(admin, cp1251(text), { type: 'text/csv; charset=windows-1251' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.encoding, 'windows-1251');
    assert.equal(r.json.delimiter, ',');
    assert.deepEqual(r.json.errors, []);
    assert.equal(r.json.created.students, 1);
    const p = await findPerson('Ёлкина');
    assert.equal(p.name, 'Ёлкина Дарья Петровна');
    assert.equal(p.roles[0].unit_name, 'Электроника и связь');
    // the same file in UTF-8 with a BOM is the same people: nothing changes
    const again = await upload(admin, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    assert.equal(again.json.encoding, 'utf-8');
    assert.equal(again.json.unchanged, 2);
  });

  const A = [HEADER,
    row({ type: 'group', id: 'tr-g1', group: 'TR-1', gname: 'Перевод один' }),
    row({ type: 'group', id: 'tr-g2', group: 'TR-2', gname: 'Перевод два' }),
    row({ type: 'student', id: 'tr-s', last: 'Переводов', first: 'Кирилл', middle: 'Ильич', group: 'TR-1' }),
    row({ type: 'parent', id: 'tr-p', last: 'Переводова', first: 'Ольга', middle: 'Ивановна', child: 'tr-s' }),
  ].join('\n');

  test('a changed group is a transfer dated today; parents follow; a changed name is an update', async () => {
    let r = await upload(admin, A);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.created, { groups: 2, students: 1, parents: 1, staff: 0, branches: 0 });
    const B = A.replace('Ильич;;TR-1', 'Ильич;;TR-2').replace('Ольга;Ивановна', 'Ольга;Игоревна');
    assert.notEqual(A, B);
    r = await upload(admin, B, { dry: true });
    assert.equal(r.json.updated, 2);
    const student = await findPerson('Переводов Кирилл');
    assert.equal(student.roles[0].unit_name, 'Перевод один', 'the dry run moved nobody');
    r = await upload(admin, B);
    assert.equal(r.json.updated, 2);
    assert.equal(r.json.unchanged, 2);
    const moved = await findPerson('Переводов Кирилл');
    assert.deepEqual(moved.roles.map((x) => [x.role, x.unit_name]), [['student', 'Перевод два']]);
    const hist = await admin.get(`/api/v1/people/${student.id}/movements`);
    assert.equal(hist.status, 200, hist.text);
    const kinds = hist.json.movements.map((m) => m.kind).sort();
    assert.deepEqual(kinds, ['enrolment', 'transfer']);
    const tr = hist.json.movements.find((m) => m.kind === 'transfer');
    assert.equal(tr.from_unit.name, 'Перевод один');
    assert.equal(tr.to_unit.name, 'Перевод два');
    assert.equal(tr.date, today());
    const parent = await findPerson('Переводова');
    assert.equal(parent.name, 'Переводова Ольга Игоревна');
    assert.deepEqual(parent.roles.map((x) => [x.role, x.unit_name]), [['parent', 'Перевод два']]);
    r = await upload(admin, B);
    assert.equal(r.json.updated, 0);
    assert.equal(r.json.unchanged, 4);

    // the college expels him in Parta: the same file again does not undo it
    const ex = await admin.post('/api/v1/movements', { user_id: student.id, kind: 'expulsion', date: today() }, { csrf: true });
    assert.equal(ex.status, 201, ex.text);
    r = await upload(admin, B);
    assert.equal(r.json.unchanged, 4);
    assert.deepEqual((await findPerson('Переводов Кирилл')).roles, []);
    // the e-journal itself puts him into a group again: enrolment
    r = await upload(admin, A);
    assert.equal(r.json.updated, 2);
    assert.deepEqual((await findPerson('Переводов Кирилл')).roles.map((x) => x.unit_name), ['Перевод один']);
    const kinds2 = (await admin.get(`/api/v1/people/${student.id}/movements`)).json.movements.map((m) => m.kind).sort();
    assert.deepEqual(kinds2, ['enrolment', 'enrolment', 'expulsion', 'transfer']);
  });

  test('staff: another role or unit is a staff transfer; a dismissal recorded in Parta stands', async () => {
    const S = (role, branch) => `${HEADER}\n${row({ type: 'staff', id: 'st-1', last: 'Штатов', first: 'Лев', login: 'shtatov@college.example', role, branch })}\n`;
    let r = await upload(admin, S('teacher', ''));
    assert.equal(r.json.created.staff, 1);
    r = await upload(admin, S('teacher', 'Октябрьский филиал'));
    assert.equal(r.json.updated, 1);
    let p = await findPerson('Штатов Лев');
    assert.deepEqual(p.roles.map((x) => [x.role, x.unit_name]), [['teacher', 'Октябрьский филиал']]);
    let hist = (await admin.get(`/api/v1/people/${p.id}/movements`)).json.movements;
    assert.deepEqual(hist.map((m) => m.kind).sort(), ['hiring', 'staff_transfer']);
    const dis = await admin.post('/api/v1/movements', { user_id: p.id, kind: 'dismissal', date: today() }, { csrf: true });
    assert.equal(dis.status, 201, dis.text);
    r = await upload(admin, S('teacher', 'Октябрьский филиал'));
    assert.equal(r.json.unchanged, 1);
    assert.deepEqual((await findPerson('Штатов Лев')).roles, []);
    r = await upload(admin, S('administration', ''));
    assert.equal(r.json.updated, 1);
    p = await findPerson('Штатов Лев');
    assert.deepEqual(p.roles.map((x) => x.role), ['administration']);
    assert.equal(p.roles[0].unit_id, 1);
    hist = (await admin.get(`/api/v1/people/${p.id}/movements`)).json.movements;
    assert.deepEqual(hist.map((m) => m.kind).sort(), ['dismissal', 'hiring', 'hiring', 'staff_transfer']);
  });

  test('a header without required columns is reported on line 1 and nothing is read', async () => {
    const r = await upload(admin, 'type;external_id;first_name\nstudent;zz1;Иван\n');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.rows, 0);
    assert.deepEqual(r.json.errors.map((e) => [e.line, e.field, e.code]),
      [[1, 'last_name', 'missing'], [1, 'group_code', 'missing']]);
  });

  test('messages follow Accept-Language', async () => {
    const en = new Person(srv, { lang: 'en' });
    await en.login(ADMIN.login, ADMIN.password);
    const r = await upload(en, `${HEADER}\nstudent;en1;Иванов;Иван;;;NOPE-2;;;;;\n`, { dry: true });
    assert.equal(r.json.errors[0].code, 'unknown_group');
    assert.match(r.json.errors[0].message, /^The group in "group_code"/);
  });
});

describe('who may import', () => {
  const FORBIDDEN = `${HEADER}\ngroup;fb;;;;;FORBID-1;;;;;\nstudent;fb-s;Запретов;Иван;;;FORBID-1;;;;;\n`;

  test('teachers and the director get 403 and nothing changes', async () => {
    const before = await total('student');
    for (const p of [teacher, director]) {
      for (const dry of [false, true]) {
        const r = await upload(p, FORBIDDEN, { dry });
        assert.equal(r.status, 403, r.text);
        assert.equal(r.json.error.code, 'forbidden');
      }
      const e = await p.get('/api/v1/import/invitations.csv', { csrf: true });
      assert.equal(e.status, 403);
    }
    assert.equal(await total('student'), before);
    assert.ok(!(await tree()).some((u) => u.code === 'FORBID-1'));
  });

  test('no session: 401', async () => {
    const r = await request(srv, 'POST', '/api/v1/import', { body: FORBIDDEN, headers: { 'Content-Type': 'text/csv' } });
    assert.equal(r.status, 401);
    const e = await request(srv, 'GET', '/api/v1/import/invitations.csv');
    assert.equal(e.status, 401);
  });

  test('a bearer token needs no CSRF header; a cookie does', async () => {
    const r = await upload(admin, FORBIDDEN, { dry: true, csrf: false });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'csrf_failed');
    const b = await loginAs(srv, ADMIN.login, ADMIN.password, { bearer: true });
    const ok = await b.request('POST', '/api/v1/import?dry_run=true', { body: FORBIDDEN, headers: { 'Content-Type': 'text/csv' }, bearer: true });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.created.groups, 1);
    assert.ok(!(await tree()).some((u) => u.code === 'FORBID-1'));
  });
});

describe('malformed uploads', () => {
  test('415 for anything but text/csv', async () => {
    for (const type of [null, 'application/json', 'text/plain', 'text/csvx', 'multipart/form-data; boundary=x']) {
      const r = await upload(admin, `${HEADER}\n`, { type });
      assert.equal(r.status, 415, `${type}: ${r.text}`);
      assert.equal(r.json.error.code, 'unsupported');
    }
  });

  test('400 with field "file" for an empty body or bytes that are not our CSV', async () => {
    const bodies = ['', '\r\n\r\n', '{"type":"student"}', 'name,age\nАнна,17\n',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])];
    for (const body of bodies) {
      const r = await upload(admin, body);
      assert.equal(r.status, 400, `${JSON.stringify(String(body))}: ${r.text}`);
      assert.equal(r.json.error.field, 'file');
    }
  });

  test('400 for a bad dry_run; 413 past the body limit', async () => {
    for (const q of ['?dry_run=yes', '?dry_run=', '?dry_run=2', '?dry_run=%zz']) {
      const r = await upload(admin, `${HEADER}\n`, { query: q });
      assert.equal(r.status, 400, q);
      assert.equal(r.json.error.field, 'dry_run');
    }
    const big = `${HEADER}\n${'x'.repeat(1024 * 1024)}`;
    const r = await upload(admin, big);
    assert.equal(r.status, 413);
  });
});

describe('personal invitation links for a mail merge', () => {
  const FILE = [HEADER,
    row({ type: 'group', id: 'ml-g', group: 'ML-1', gname: 'Рассылка', branch: 'Куединский филиал' }),
    row({ type: 'student', id: 'ml-s1', last: 'Письмов', first: 'Антон', middle: 'Ильич', group: 'ML-1' }),
    row({ type: 'student', id: 'ml-s2', last: 'Почтова', first: '=Анна', group: 'ML-1', login: 'ml-s2@college.example' }),
    row({ type: 'parent', id: 'ml-p', last: 'Письмова', first: 'Вера', login: '+79990001122', child: 'ml-s1' }),
    row({ type: 'staff', id: 'ml-c', last: 'Кураторов', first: 'Глеб', login: 'ml-c@college.example', role: 'curator', group: 'ML-1' }),
  ].join('\n');
  let unit;

  function parse(text) {
    assert.equal(text.charCodeAt(0), 0xfeff, 'a BOM for Excel');
    const lines = text.slice(1).split('\r\n').filter(Boolean);
    assert.equal(lines[0], 'last_name;first_name;middle_name;role;group_code;login;invitation_url');
    return lines.slice(1).map((l) => {
      const f = l.match(/("([^"]|"")*"|[^;]*)(;|$)/g).map((x) => x.replace(/;$/, '')).map((x) =>
        (x.startsWith('"') ? x.slice(1, -1).replace(/""/g, '"') : x));
      return { last: f[0], first: f[1], middle: f[2], role: f[3], group: f[4], login: f[5], url: f[6] };
    });
  }

  async function exportLinks(p = admin, query = `?unit_id=${unit}`) {
    const r = await p.get(`/api/v1/import/invitations.csv${query}`, { csrf: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['content-type'], 'text/csv; charset=utf-8');
    assert.match(r.headers['content-disposition'], /attachment; filename="invitations.csv"/);
    return parse(r.text);
  }

  const token = (url) => url.match(/\/join\/([A-Za-z0-9_-]{22})$/)[1];

  test('one link per imported person without a password in the unit', async () => {
    const r = await upload(admin, FILE);
    assert.deepEqual(r.json.errors, []);
    unit = (await tree()).find((u) => u.code === 'ML-1').id;
    const rows = await exportLinks();
    assert.deepEqual(rows.map((x) => [x.last, x.role, x.group, x.login]), [
      ['Кураторов', 'curator', 'ML-1', 'ml-c@college.example'],
      ['Письмов', 'student', 'ML-1', ''],
      ['Письмова', 'parent', 'ML-1', '+79990001122'],
      ['Почтова', 'student', 'ML-1', 'ml-s2@college.example'],
    ]);
    assert.equal(rows[1].middle, 'Ильич');
    assert.equal(rows[3].first, "'=Анна", 'a formula-looking name is defused');
    for (const x of rows) assert.ok(x.url.startsWith(`${srv.url}/join/`), x.url);
    // the link shows the person's own name
    const pv = await request(srv, 'GET', `/api/v1/join/${token(rows[1].url)}`);
    assert.equal(pv.status, 200, pv.text);
    assert.equal(pv.json.personal.name, 'Письмов Антон Ильич');
    const audit = await auditCount('import.export_invitations');
    assert.equal(audit[0].after.links, 4);
  });

  test('exporting again makes new links and revokes the old ones; a link hands over the account', async () => {
    const first = await exportLinks();
    const second = await exportLinks();
    assert.equal(second.length, 4);
    for (let i = 0; i < 4; i++) assert.notEqual(first[i].url, second[i].url);
    const old = await request(srv, 'GET', `/api/v1/join/${token(first[1].url)}`);
    assert.equal(old.status, 410);
    assert.equal(old.json.error.field, 'revoked');
    // the student claims the account with the new link
    const claim = await new Person(srv).post(`/api/v1/join/${token(second[1].url)}`,
      { register: { login: 'anton@college.example', password: PASSWORD } });
    assert.ok([200, 201].includes(claim.status), claim.text);
    const anton = await loginAs(srv, 'anton@college.example', PASSWORD);
    assert.equal(anton.user.name, 'Письмов Антон Ильич');
    // now he has a password: no link for him any more; the link was single-use
    const third = await exportLinks();
    assert.deepEqual(third.map((x) => x.last), ['Кураторов', 'Письмова', 'Почтова']);
    const reuse = await new Person(srv).post(`/api/v1/join/${token(second[1].url)}`,
      { register: { login: 'other@college.example', password: PASSWORD } });
    assert.equal(reuse.status, 410);
  });

  test('the whole college at once; bad and unknown units; CSRF for cookies', async () => {
    const all = await exportLinks(admin, '');
    assert.ok(all.length >= 4800, `${all.length}`);
    assert.ok(all.every((x) => /\/join\/[A-Za-z0-9_-]{22}$/.test(x.url)));
    for (const q of ['?unit_id=abc', '?unit_id=0', '?unit_id=-1', '?unit_id=']) {
      const r = await admin.get(`/api/v1/import/invitations.csv${q}`, { csrf: true });
      assert.equal(r.status, 400, q);
      assert.equal(r.json.error.field, 'unit_id');
    }
    const missing = await admin.get('/api/v1/import/invitations.csv?unit_id=999999', { csrf: true });
    assert.equal(missing.status, 404);
    const before = (await auditCount('import.export_invitations')).length;
    const noCsrf = await admin.get(`/api/v1/import/invitations.csv?unit_id=${unit}`);
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.json.error.code, 'csrf_failed');
    assert.equal((await auditCount('import.export_invitations')).length, before, 'nothing was made');
  });
});
