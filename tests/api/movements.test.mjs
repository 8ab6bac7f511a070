// SPDX-License-Identifier: MIT
// Movements API: enrolment, transfer (also between branches), academic leave
// and return, expulsion, graduation; hiring, staff transfer and dismissal;
// reversal; the role assignments each leaves behind (read back through
// GET /api/v1/people/:id), parents who follow their child's group, the
// person's history and a unit's journal, the audit trail; refusals: 403 for
// everyone but the platform administrator (and nothing changes), 400 with the
// field for malformed input, 409 with the field for state conflicts, 401
// without a session.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { createFirstAdmin, loginAs, Person, request } from '../lib/http.mjs';

let srv;
let admin;
let adminId; // admin.user changes with every response that carries a "user"
const U = {}; // unit ids
const P = {}; // people

let seq = 0;

async function mkUnit(body) {
  const r = await admin.post('/api/v1/org/units', body, { csrf: true });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

async function mkPerson(name, role, unitId) {
  seq += 1;
  const who = { login: `mv${seq}@college.example`, password: 'person-password-1', name };
  const r = await admin.post('/api/v1/people', { ...who, role, unit_id: unitId }, { csrf: true });
  assert.equal(r.status, 201, r.text);
  return { ...who, id: r.json.user.id };
}

// The person's active assignments as sorted "role@unit" strings.
async function roles(id) {
  const r = await admin.get(`/api/v1/people/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json.assignments.filter((a) => a.until === null).map((a) => `${a.role}@${a.unit_id}`).sort();
}

function move(body, who = admin) {
  return who.post('/api/v1/movements', body, { csrf: true });
}

async function moveOk(body) {
  const r = await move(body);
  assert.equal(r.status, 201, `${JSON.stringify(body)}: ${r.text}`);
  return r.json;
}

async function expectError(res, status, field) {
  assert.equal(res.status, status, res.text);
  if (field !== undefined) assert.equal(res.json.error.field, field, res.text);
}

async function history(id, who = admin) {
  const r = await who.get(`/api/v1/people/${id}/movements`);
  assert.equal(r.status, 200, r.text);
  return r.json.movements;
}

function reverse(id, body, who = admin) {
  return who.post(`/api/v1/movements/${id}/reverse`, body, { csrf: true });
}

before(async () => {
  srv = await startServer({ args: ['--login-ip-per-minute=10000'] });
  admin = await createFirstAdmin(srv);
  adminId = admin.user.id;
  U.branchA = await mkUnit({ kind: 'branch', parent_id: 1, name: 'Бардымский филиал' });
  U.branchB = await mkUnit({ kind: 'branch', parent_id: 1, name: 'Куединский филиал' });
  U.dept = await mkUnit({ kind: 'department', parent_id: 1, name: 'ЦМК общеобразовательных дисциплин' });
  U.g1 = await mkUnit({ kind: 'study_group', parent_id: U.branchA, name: 'Технология машиностроения', code: 'ТМ-21', enrolment_year: 2021 });
  U.g2 = await mkUnit({ kind: 'study_group', parent_id: U.branchA, name: 'Сварочное производство', code: 'СВ-22', enrolment_year: 2022 });
  U.g3 = await mkUnit({ kind: 'study_group', parent_id: U.branchB, name: 'Электромонтёры', code: 'ЭЛ-21', enrolment_year: 2021 });
  U.g4 = await mkUnit({ kind: 'study_group', parent_id: U.branchB, name: 'Повара', code: 'ПК-23', enrolment_year: 2023 });
  P.curator = await mkPerson('Куратор Ирина Петровна', 'curator', U.g1);
  P.teacher = await mkPerson('Учитель Олег Иванович', 'teacher', U.branchA);
  P.student = await mkPerson('Студент Пётр Сидоров', 'student', U.g1);
  for (const k of ['curator', 'teacher', 'student']) P[k].session = await loginAs(srv, P[k].login, P[k].password);
});

after(async () => { await srv?.stop(); });

describe('student movements', () => {
  test('transfer, transfer to another branch, leave, return, graduation: assignments and history', async () => {
    const s = await mkPerson('Анна Ковалёва', 'student', U.g1);
    assert.deepEqual(await roles(s.id), [`student@${U.g1}`]);

    const t1 = await moveOk({ user_id: s.id, kind: 'transfer', to_unit_id: U.g2, date: '2024-09-02', order_ref: 'Приказ № 101-К', note: 'по заявлению' });
    assert.equal(t1.kind, 'transfer');
    assert.equal(t1.role, 'student');
    assert.deepEqual(t1.user, { id: s.id, name: s.name });
    assert.deepEqual(t1.from_unit, { id: U.g1, name: 'Технология машиностроения' });
    assert.deepEqual(t1.to_unit, { id: U.g2, name: 'Сварочное производство' });
    assert.equal(t1.date, '2024-09-02');
    assert.equal(t1.order_ref, 'Приказ № 101-К');
    assert.equal(t1.note, 'по заявлению');
    assert.equal(t1.reverses_id, null);
    assert.equal(t1.reversed_by, null);
    assert.equal(t1.created_by.id, adminId);
    assert.match(t1.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(t1.recorded_ids, [t1.id]);
    assert.deepEqual(await roles(s.id), [`student@${U.g2}`]);

    const t2 = await moveOk({ user_id: s.id, kind: 'transfer', from_unit_id: U.g2, to_unit_id: U.g3, date: '2024-10-01' });
    assert.deepEqual(await roles(s.id), [`student@${U.g3}`], 'a transfer between branches is a transfer to a group there');

    const leave = await moveOk({ user_id: s.id, kind: 'academic_leave', date: '2024-11-01' });
    assert.equal(leave.from_unit.id, U.g3);
    assert.equal(leave.to_unit, null);
    assert.deepEqual(await roles(s.id), [], 'a student on leave holds no student assignment');

    // what leave does not allow
    await expectError(await move({ user_id: s.id, kind: 'academic_leave', date: '2024-11-02' }), 409, 'user_id');
    await expectError(await move({ user_id: s.id, kind: 'transfer', to_unit_id: U.g1, date: '2024-11-02' }), 409, 'user_id');
    await expectError(await move({ user_id: s.id, kind: 'enrolment', to_unit_id: U.g1, date: '2024-11-02' }), 409, 'kind');
    await expectError(await move({ user_id: s.id, kind: 'return', from_unit_id: U.g1, date: '2024-11-02' }), 409, 'from_unit_id');
    assert.deepEqual(await roles(s.id), []);

    const ret = await moveOk({ user_id: s.id, kind: 'return', date: '2025-02-01' });
    assert.deepEqual([ret.from_unit.id, ret.to_unit.id], [U.g3, U.g3], 'by default back into the group left');
    assert.deepEqual(await roles(s.id), [`student@${U.g3}`]);
    await expectError(await move({ user_id: s.id, kind: 'return', date: '2025-02-02' }), 409, 'user_id');

    const grad = await moveOk({ user_id: s.id, kind: 'graduation', date: '2025-06-30', order_ref: 'Приказ № 200-К' });
    assert.equal(grad.from_unit.id, U.g3);
    assert.deepEqual(await roles(s.id), []);
    await expectError(await move({ user_id: s.id, kind: 'graduation', date: '2025-07-01' }), 409, 'user_id');
    await expectError(await move({ user_id: s.id, kind: 'expulsion', date: '2025-07-01' }), 409, 'user_id');

    const h = await history(s.id);
    assert.deepEqual(h.map((m) => m.kind), ['transfer', 'transfer', 'academic_leave', 'return', 'graduation']);
    assert.deepEqual(h.map((m) => m.id), [t1.id, t2.id, leave.id, ret.id, grad.id], 'oldest first');
    assert.ok(h.every((m) => m.reversed_by === null));
    assert.deepEqual(h[1].from_unit, { id: U.g2, name: 'Сварочное производство' });
  });

  test('expulsion, then enrolment into another group; the conflicts of an active student', async () => {
    const s = await mkPerson('Борис Лещёв', 'student', U.g1);
    await expectError(await move({ user_id: s.id, kind: 'return', date: '2024-09-01' }), 409, 'user_id');
    await expectError(await move({ user_id: s.id, kind: 'enrolment', to_unit_id: U.g2, date: '2024-09-01' }), 409, 'user_id');
    await expectError(await move({ user_id: s.id, kind: 'transfer', to_unit_id: U.g1, date: '2024-09-01' }), 409, 'to_unit_id');
    await expectError(await move({ user_id: s.id, kind: 'transfer', from_unit_id: U.g2, to_unit_id: U.g3, date: '2024-09-01' }), 409, 'from_unit_id');
    await expectError(await move({ user_id: s.id, kind: 'expulsion', from_unit_id: U.g2, date: '2024-09-01' }), 409, 'from_unit_id');
    await expectError(await move({ user_id: s.id, kind: 'transfer', to_unit_id: U.branchA, date: '2024-09-01' }), 400, 'to_unit_id');
    await expectError(await move({ user_id: s.id, kind: 'dismissal', date: '2024-09-01' }), 409, 'user_id');
    assert.deepEqual(await roles(s.id), [`student@${U.g1}`], 'refusals change nothing');

    const ex = await moveOk({ user_id: s.id, kind: 'expulsion', date: '2024-12-20', order_ref: 'Приказ № 150-К' });
    assert.equal(ex.from_unit.id, U.g1);
    assert.deepEqual(await roles(s.id), []);
    const en = await moveOk({ user_id: s.id, kind: 'enrolment', to_unit_id: U.g2, date: '2025-01-15' });
    assert.equal(en.from_unit, null);
    assert.equal(en.to_unit.id, U.g2);
    assert.deepEqual(await roles(s.id), [`student@${U.g2}`]);
    assert.deepEqual((await history(s.id)).map((m) => m.kind), ['expulsion', 'enrolment']);
  });

  test('an archived group takes no one', async () => {
    const g = await mkUnit({ kind: 'study_group', parent_id: U.branchB, name: 'Выпуск 2020', code: 'АР-20', enrolment_year: 2020 });
    const r = await admin.post(`/api/v1/org/units/${g}/archive`, undefined, { csrf: true });
    assert.ok(r.status === 200 || r.status === 204, r.text);
    const s = await mkPerson('Вера Архипова', 'student', U.g4);
    await expectError(await move({ user_id: s.id, kind: 'transfer', to_unit_id: g, date: '2024-09-01' }), 409, 'to_unit_id');
    assert.deepEqual(await roles(s.id), [`student@${U.g4}`]);
  });
});

describe('reversal', () => {
  test('only the latest movement, once; undoes leave, return, expulsion and transfer', async () => {
    const s = await mkPerson('Глеб Обратнов', 'student', U.g1);
    const tr = await moveOk({ user_id: s.id, kind: 'transfer', to_unit_id: U.g2, date: '2024-09-01' });
    const lv = await moveOk({ user_id: s.id, kind: 'academic_leave', date: '2024-10-01' });
    await expectError(await reverse(tr.id, { date: '2024-10-02' }), 409, 'id');

    const r1 = await reverse(lv.id, { date: '2024-10-05', note: 'приказ отменён' });
    assert.equal(r1.status, 201, r1.text);
    assert.equal(r1.json.kind, 'return');
    assert.equal(r1.json.reverses_id, lv.id);
    assert.equal(r1.json.to_unit.id, U.g2);
    assert.equal(r1.json.note, 'приказ отменён');
    assert.deepEqual(await roles(s.id), [`student@${U.g2}`]);
    await expectError(await reverse(lv.id, { date: '2024-10-06' }), 409, 'id');
    assert.deepEqual(await roles(s.id), [`student@${U.g2}`], 'a refused second reversal changes nothing');

    // a reversal is a movement too, and can itself be reversed
    const r2 = await reverse(r1.json.id, { date: '2024-10-07' });
    assert.equal(r2.status, 201, r2.text);
    assert.equal(r2.json.kind, 'academic_leave');
    assert.deepEqual(await roles(s.id), []);

    const ex = await moveOk({ user_id: s.id, kind: 'expulsion', date: '2024-12-01' });
    assert.equal(ex.from_unit.id, U.g2, 'expelled while on leave: from the group left');
    const r3 = await reverse(ex.id, { date: '2024-12-02' });
    assert.equal(r3.status, 201, r3.text);
    assert.equal(r3.json.kind, 'enrolment');
    assert.equal(r3.json.to_unit.id, U.g2, 're-enrolled into the group left');
    assert.deepEqual(await roles(s.id), [`student@${U.g2}`]);

    const tr2 = await moveOk({ user_id: s.id, kind: 'transfer', to_unit_id: U.g3, date: '2025-01-10' });
    const r4 = await reverse(tr2.id, { date: '2025-01-11', order_ref: 'Приказ № 3-К' });
    assert.equal(r4.status, 201, r4.text);
    assert.deepEqual([r4.json.kind, r4.json.from_unit.id, r4.json.to_unit.id], ['transfer', U.g3, U.g2]);
    assert.deepEqual(await roles(s.id), [`student@${U.g2}`]);

    const h = await history(s.id);
    const byId = new Map(h.map((m) => [m.id, m]));
    assert.equal(byId.get(lv.id).reversed_by, r1.json.id);
    assert.equal(byId.get(r1.json.id).reverses_id, lv.id);
    assert.equal(byId.get(r1.json.id).reversed_by, r2.json.id);
    assert.equal(byId.get(tr.id).reversed_by, null);
    assert.equal(byId.get(tr2.id).reversed_by, r4.json.id);
    assert.deepEqual(h.map((m) => m.id), [...h.map((m) => m.id)].sort((a, b) => a - b));
  });

  test('reversing an enrolment removes the student; malformed reversals', async () => {
    const s = await mkPerson('Дарья Отменова', 'student', U.g4);
    const ex = await moveOk({ user_id: s.id, kind: 'expulsion', date: '2024-09-01' });
    const en = await moveOk({ user_id: s.id, kind: 'enrolment', to_unit_id: U.g3, date: '2024-09-02' });
    await expectError(await reverse(ex.id, { date: '2024-09-03' }), 409, 'id');
    const r = await reverse(en.id, { date: '2024-09-03' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.kind, 'expulsion');
    assert.equal(r.json.from_unit.id, U.g3);
    assert.deepEqual(await roles(s.id), []);

    await expectError(await reverse(999999, { date: '2024-09-03' }), 404);
    await expectError(await reverse('abc', { date: '2024-09-03' }), 400, 'id');
    await expectError(await reverse(r.json.id, {}), 400, 'date');
    await expectError(await reverse(r.json.id, { date: '2024-02-30' }), 400, 'date');
    await expectError(await reverse(r.json.id, { date: '2024-09-03', note: 'x'.repeat(501) }), 400, 'note');
    assert.deepEqual(await roles(s.id), []);
  });
});

describe('staff movements', () => {
  test('hiring, staff transfer, dismissal of one role and of all, and their reversal', async () => {
    const t = await mkPerson('Елена Кадрова', 'teacher', U.branchA);
    const h1 = await moveOk({ user_id: t.id, kind: 'hiring', role: 'teacher', to_unit_id: U.dept, date: '2024-09-01', order_ref: 'Приказ № 55-ЛС' });
    assert.deepEqual([h1.kind, h1.role, h1.from_unit, h1.to_unit.id], ['hiring', 'teacher', null, U.dept]);
    assert.deepEqual(await roles(t.id), [`teacher@${U.branchA}`, `teacher@${U.dept}`].sort());
    await expectError(await move({ user_id: t.id, kind: 'hiring', role: 'teacher', to_unit_id: U.dept, date: '2024-09-02' }), 409, 'to_unit_id');
    await expectError(await move({ user_id: t.id, kind: 'hiring', role: 'teacher', to_unit_id: U.g1, date: '2024-09-02' }), 400, 'to_unit_id');
    await expectError(await move({ user_id: t.id, kind: 'hiring', role: 'curator', to_unit_id: U.g1, date: '2024-09-02' }), 409, 'to_unit_id');
    await expectError(await move({ user_id: t.id, kind: 'staff_transfer', role: 'teacher', to_unit_id: 1, date: '2024-09-02' }), 409, 'from_unit_id');
    await expectError(await move({ user_id: t.id, kind: 'staff_transfer', role: 'staff', to_unit_id: 1, date: '2024-09-02' }), 409, 'user_id');

    const st = await moveOk({ user_id: t.id, kind: 'staff_transfer', role: 'teacher', from_unit_id: U.branchA, to_unit_id: 1, date: '2024-09-03' });
    assert.deepEqual([st.from_unit.id, st.to_unit.id], [U.branchA, 1]);
    assert.deepEqual(await roles(t.id), ['teacher@1', `teacher@${U.dept}`].sort());

    const cur = await moveOk({ user_id: t.id, kind: 'hiring', role: 'curator', to_unit_id: U.g4, date: '2024-09-04' });
    assert.equal(cur.role, 'curator');
    const one = await moveOk({ user_id: t.id, kind: 'dismissal', from_unit_id: U.dept, date: '2024-09-05' });
    assert.deepEqual([one.role, one.from_unit.id, one.recorded_ids.length], ['teacher', U.dept, 1]);
    assert.deepEqual(await roles(t.id), [`curator@${U.g4}`, 'teacher@1'].sort());

    const all = await moveOk({ user_id: t.id, kind: 'dismissal', date: '2024-12-31', order_ref: 'Приказ № 99-ЛС' });
    assert.equal(all.recorded_ids.length, 2, 'one movement per ended role');
    assert.deepEqual(await roles(t.id), []);
    await expectError(await move({ user_id: t.id, kind: 'dismissal', date: '2025-01-01' }), 409, 'user_id');

    const h = await history(t.id);
    const rows = h.filter((m) => all.recorded_ids.includes(m.id));
    assert.deepEqual(rows.map((m) => `${m.role}@${m.from_unit.id}`).sort(), ['teacher@1', `curator@${U.g4}`].sort());
    assert.ok(rows.every((m) => m.kind === 'dismissal' && m.order_ref === 'Приказ № 99-ЛС'));

    // undo the curator's dismissal: the curator is back, the teacher is not
    const curRow = rows.find((m) => m.role === 'curator');
    const back = await reverse(curRow.id, { date: '2025-01-09' });
    assert.equal(back.status, 201, back.text);
    assert.deepEqual([back.json.kind, back.json.role, back.json.to_unit.id], ['hiring', 'curator', U.g4]);
    assert.deepEqual(await roles(t.id), [`curator@${U.g4}`]);
    // older movements are no longer the latest of their role in their units
    await expectError(await reverse(cur.id, { date: '2025-01-10' }), 409, 'id');
    await expectError(await reverse(st.id, { date: '2025-01-10' }), 409, 'id');
    assert.deepEqual(await roles(t.id), [`curator@${U.g4}`]);
    const undoHire = await reverse(back.json.id, { date: '2025-01-11' });
    assert.equal(undoHire.status, 201, undoHire.text);
    assert.equal(undoHire.json.kind, 'dismissal');
    assert.deepEqual(await roles(t.id), []);
  });
});

describe('parents follow their child', () => {
  test('transfer moves the parent to the new group; expulsion removes them; reversal brings them back', async () => {
    const s = await mkPerson('Семён Родионов', 'student', U.g1);
    const link = await admin.post('/api/v1/invites', { role: 'parent', unit_id: U.g1 }, { csrf: true });
    assert.equal(link.status, 201, link.text);
    const parent = new Person(srv);
    const join = await parent.post(`/api/v1/join/${link.json.token}`, {
      register: { login: 'parent.rodionov@college.example', name: 'Мария Родионова', password: 'parent-password-1' },
      student_id: s.id,
    });
    assert.equal(join.status, 201, join.text);
    const ok = await admin.post(`/api/v1/join-requests/${join.json.request_id}/approve`, undefined, { csrf: true });
    assert.ok(ok.status === 200 || ok.status === 204, ok.text);
    const pid = join.json.user.id;
    assert.deepEqual(await roles(pid), [`parent@${U.g1}`]);

    await moveOk({ user_id: s.id, kind: 'transfer', to_unit_id: U.g2, date: '2024-09-01' });
    assert.deepEqual(await roles(pid), [`parent@${U.g2}`]);
    await moveOk({ user_id: s.id, kind: 'academic_leave', date: '2024-10-01' });
    assert.deepEqual(await roles(pid), [`parent@${U.g2}`], 'parents stay while the child is on leave');
    await moveOk({ user_id: s.id, kind: 'return', to_unit_id: U.g3, date: '2024-11-01' });
    assert.deepEqual(await roles(pid), [`parent@${U.g3}`], 'a return into another group moves them');
    const ex = await moveOk({ user_id: s.id, kind: 'expulsion', date: '2024-12-01' });
    assert.deepEqual(await roles(pid), []);
    const back = await reverse(ex.id, { date: '2024-12-02' });
    assert.equal(back.status, 201, back.text);
    assert.deepEqual(await roles(pid), [`parent@${U.g3}`]);
    assert.deepEqual(await roles(s.id), [`student@${U.g3}`]);
  });
});

describe('authorization', () => {
  test('curator, teacher and student may not record or reverse movements; nothing changes', async () => {
    const s = await mkPerson('Защищённый Студент', 'student', U.g1);
    const m = await moveOk({ user_id: s.id, kind: 'academic_leave', date: '2024-09-01' });
    const before = await history(s.id);
    for (const k of ['curator', 'teacher', 'student']) {
      const who = P[k].session;
      await expectError(await move({ user_id: s.id, kind: 'return', date: '2024-09-02' }, who), 403);
      await expectError(await move({ user_id: s.id, kind: 'return', to_unit_id: U.g1, date: '2024-09-02' }, who), 403);
      await expectError(await move({ user_id: P.teacher.id, kind: 'dismissal', date: '2024-09-02' }, who), 403);
      await expectError(await move({ user_id: s.id, kind: 'enrolment', to_unit_id: U.g1, date: '2024-09-02' }, who), 403, undefined);
      await expectError(await reverse(m.id, { date: '2024-09-02' }, who), 403);
      await expectError(await reverse(999999, { date: '2024-09-02' }, who), 403);
    }
    assert.deepEqual(await history(s.id), before);
    assert.deepEqual(await roles(s.id), []);
    assert.deepEqual(await roles(P.teacher.id), [`teacher@${U.branchA}`]);
  });

  test('no session: 401; no CSRF header with a cookie: 403', async () => {
    const anon = new Person(srv);
    await expectError(await anon.post('/api/v1/movements', { user_id: P.student.id, kind: 'expulsion', date: '2024-09-01' }), 401);
    await expectError(await anon.get('/api/v1/movements'), 401);
    await expectError(await anon.get(`/api/v1/people/${P.student.id}/movements`), 401);
    await expectError(await anon.post('/api/v1/movements/1/reverse', { date: '2024-09-01' }), 401);
    const r = await admin.post('/api/v1/movements', { user_id: P.student.id, kind: 'expulsion', date: '2024-09-01' });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'csrf_failed');
    assert.deepEqual(await roles(P.student.id), [`student@${U.g1}`]);
  });

  test('history: the person, staff of a unit in it, and the administrator may read; others 403', async () => {
    const s = await mkPerson('История Чтения', 'student', U.g4);
    await moveOk({ user_id: s.id, kind: 'transfer', to_unit_id: U.g1, date: '2024-09-01' });
    const me = await loginAs(srv, s.login, s.password);
    assert.equal((await history(s.id, me)).length, 1);
    // the curator of g1 and the teacher of branch A (above g1) see it
    assert.equal((await history(s.id, P.curator.session)).length, 1);
    assert.equal((await history(s.id, P.teacher.session)).length, 1);
    // another student sees nobody else's history
    await expectError(await P.student.session.get(`/api/v1/people/${s.id}/movements`), 403);
    // a person never in the curator's group
    const other = await mkPerson('Чужой Студент', 'student', U.g3);
    await expectError(await P.curator.session.get(`/api/v1/people/${other.id}/movements`), 403);
    await expectError(await P.teacher.session.get(`/api/v1/people/${other.id}/movements`), 403);
    await expectError(await P.curator.session.get('/api/v1/people/999999/movements'), 403);
    await expectError(await admin.get('/api/v1/people/999999/movements'), 404);
    await expectError(await admin.get('/api/v1/people/abc/movements'), 400, 'id');
    assert.deepEqual(await history(other.id), []);
  });
});

describe('validation', () => {
  test('malformed bodies: 400 with the field, nothing recorded', async () => {
    const id = P.student.id;
    const cases = [
      [{ kind: 'expulsion', date: '2024-09-01' }, 'user_id'],
      [{ user_id: String(id), kind: 'expulsion', date: '2024-09-01' }, 'user_id'],
      [{ user_id: 0, kind: 'expulsion', date: '2024-09-01' }, 'user_id'],
      [{ user_id: 1.5, kind: 'expulsion', date: '2024-09-01' }, 'user_id'],
      [{ user_id: id, date: '2024-09-01' }, 'kind'],
      [{ user_id: id, kind: 'expel', date: '2024-09-01' }, 'kind'],
      [{ user_id: id, kind: 7, date: '2024-09-01' }, 'kind'],
      [{ user_id: id, kind: 'expulsion', role: 'teacher', date: '2024-09-01' }, 'role'],
      [{ user_id: id, kind: 'hiring', to_unit_id: U.dept, date: '2024-09-01' }, 'role'],
      [{ user_id: id, kind: 'hiring', role: 'parent', to_unit_id: U.dept, date: '2024-09-01' }, 'role'],
      [{ user_id: id, kind: 'hiring', role: 'platform_admin', to_unit_id: 1, date: '2024-09-01' }, 'role'],
      [{ user_id: id, kind: 'hiring', role: 'chief', to_unit_id: 1, date: '2024-09-01' }, 'role'],
      [{ user_id: id, kind: 'enrolment', date: '2024-09-01' }, 'to_unit_id'],
      [{ user_id: id, kind: 'enrolment', from_unit_id: U.g1, to_unit_id: U.g2, date: '2024-09-01' }, 'from_unit_id'],
      [{ user_id: id, kind: 'expulsion', to_unit_id: U.g2, date: '2024-09-01' }, 'to_unit_id'],
      [{ user_id: id, kind: 'transfer', to_unit_id: -3, date: '2024-09-01' }, 'to_unit_id'],
      [{ user_id: id, kind: 'transfer', to_unit_id: 'two', date: '2024-09-01' }, 'to_unit_id'],
      [{ user_id: id, kind: 'expulsion' }, 'date'],
      [{ user_id: id, kind: 'expulsion', date: '2024-02-30' }, 'date'],
      [{ user_id: id, kind: 'expulsion', date: '2023-02-29' }, 'date'],
      [{ user_id: id, kind: 'expulsion', date: '1999-12-31' }, 'date'],
      [{ user_id: id, kind: 'expulsion', date: '2101-01-01' }, 'date'],
      [{ user_id: id, kind: 'expulsion', date: '01.09.2024' }, 'date'],
      [{ user_id: id, kind: 'expulsion', date: 20240901 }, 'date'],
      [{ user_id: id, kind: 'expulsion', date: '2024-09-01', order_ref: 'п'.repeat(101) }, 'order_ref'],
      [{ user_id: id, kind: 'expulsion', date: '2024-09-01', order_ref: 5 }, 'order_ref'],
      [{ user_id: id, kind: 'expulsion', date: '2024-09-01', note: 'н'.repeat(501) }, 'note'],
      [{ user_id: id, kind: 'expulsion', date: '2024-09-01', note: 'bell\u0007' }, 'note'],
      // ids that name nothing
      [{ user_id: 999999, kind: 'expulsion', date: '2024-09-01' }, 'user_id'],
      [{ user_id: id, kind: 'transfer', to_unit_id: 999999, date: '2024-09-01' }, 'to_unit_id'],
      [{ user_id: id, kind: 'expulsion', from_unit_id: 999999, date: '2024-09-01' }, 'from_unit_id'],
    ];
    for (const [body, field] of cases) {
      const r = await move(body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.code, 'invalid_input');
      assert.equal(r.json.error.field, field, JSON.stringify(body));
    }
    // the limits themselves are fine: 100 and 500 characters (Cyrillic: twice the bytes)
    const okLen = await move({ user_id: id, kind: 'transfer', to_unit_id: U.g2, date: '2024-02-29', order_ref: 'п'.repeat(100), note: 'н'.repeat(500) });
    assert.equal(okLen.status, 201, okLen.text);
    assert.equal(okLen.json.order_ref.length, 100);
    const undo = await reverse(okLen.json.id, { date: '2024-03-01' });
    assert.equal(undo.status, 201, undo.text);
    assert.deepEqual(await roles(id), [`student@${U.g1}`]);

    const notJson = await admin.post('/api/v1/movements', undefined, { csrf: true, body: 'user_id=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(notJson.status, 415);
    const arr = await admin.post('/api/v1/movements', [1, 2], { csrf: true });
    await expectError(arr, 400, 'body');
    const en = await admin.request('GET', '/api/v1/movements?kind=nope', { headers: { 'Accept-Language': 'en' } });
    assert.equal(en.status, 400);
    assert.equal(en.json.error.message, 'The request contains invalid data');
  });

  test('journal query: 400 with the parameter', async () => {
    const cases = [
      ['unit_id=abc', 'unit_id'], ['unit_id=0', 'unit_id'], ['unit_id=-1', 'unit_id'],
      ['from=2024-13-01', 'from'], ['to=yesterday', 'to'], ['from=%ZZ', 'from'],
      ['kind=expel', 'kind'], ['limit=0', 'limit'], ['limit=201', 'limit'], ['limit=x', 'limit'],
      ['offset=-1', 'offset'], ['offset=1e3', 'offset'],
    ];
    for (const [q, field] of cases) {
      const r = await admin.get(`/api/v1/movements?${q}`);
      assert.equal(r.status, 400, `${q}: ${r.text}`);
      assert.equal(r.json.error.field, field, q);
    }
    await expectError(await admin.get('/api/v1/movements?unit_id=999999'), 404, 'unit_id');
  });
});

describe('journal', () => {
  test('movements touching a unit or units under it, newest first, filtered and paged', async () => {
    const g = await mkUnit({ kind: 'study_group', parent_id: U.branchB, name: 'Журнальная', code: 'ЖР-24', enrolment_year: 2024 });
    const a = await mkPerson('Журнал Первый', 'student', U.g4);
    const b = await mkPerson('Журнал Второй', 'student', U.g1);
    const m1 = await moveOk({ user_id: a.id, kind: 'transfer', to_unit_id: g, date: '2023-09-01' });
    const m2 = await moveOk({ user_id: b.id, kind: 'transfer', to_unit_id: g, date: '2023-09-03' });
    const m3 = await moveOk({ user_id: a.id, kind: 'academic_leave', date: '2023-09-02' });
    const m4 = await moveOk({ user_id: b.id, kind: 'transfer', to_unit_id: U.g2, date: '2023-09-03' });

    const r = await admin.get(`/api/v1/movements?unit_id=${g}`);
    assert.equal(r.status, 200, r.text);
    // by date, newest first; same date: the later recorded first
    assert.deepEqual(r.json.movements.map((m) => m.id), [m4.id, m2.id, m3.id, m1.id]);
    assert.equal(r.json.total, 4);
    assert.ok(r.json.movements.every((m) => m.from_unit?.id === g || m.to_unit?.id === g));

    const kind = await admin.get(`/api/v1/movements?unit_id=${g}&kind=transfer`);
    assert.deepEqual(kind.json.movements.map((m) => m.id), [m4.id, m2.id, m1.id]);
    const range = await admin.get(`/api/v1/movements?unit_id=${g}&from=2023-09-02&to=2023-09-02`);
    assert.deepEqual(range.json.movements.map((m) => m.id), [m3.id]);
    const page = await admin.get(`/api/v1/movements?unit_id=${g}&limit=2&offset=1`);
    assert.deepEqual(page.json.movements.map((m) => m.id), [m2.id, m3.id]);
    assert.equal(page.json.total, 4);

    // the branch's journal includes its groups'; the other branch's does not
    const branch = await admin.get(`/api/v1/movements?unit_id=${U.branchB}&from=2023-01-01&to=2023-12-31`);
    assert.deepEqual(branch.json.movements.map((m) => m.id), [m4.id, m2.id, m3.id, m1.id]);
    const branchA = await admin.get(`/api/v1/movements?unit_id=${U.branchA}&from=2023-01-01&to=2023-12-31`);
    assert.deepEqual(branchA.json.movements.map((m) => m.id), [m4.id, m2.id], 'b came from g1 and went to g2');
    // the whole college
    const all = await admin.get('/api/v1/movements?from=2023-01-01&to=2023-12-31');
    assert.deepEqual(all.json.movements.map((m) => m.id), [m4.id, m2.id, m3.id, m1.id]);

    // the curator of g1 reads g1's journal, not g's, not the college's
    const cur = await P.curator.session.get(`/api/v1/movements?unit_id=${U.g1}&from=2023-01-01&to=2023-12-31`);
    assert.equal(cur.status, 200, cur.text);
    assert.deepEqual(cur.json.movements.map((m) => m.id), [m2.id]);
    await expectError(await P.curator.session.get(`/api/v1/movements?unit_id=${g}`), 403);
    await expectError(await P.curator.session.get('/api/v1/movements'), 403);
    await expectError(await P.student.session.get(`/api/v1/movements?unit_id=${U.g1}`), 403);
  });

  test('every movement is in the audit log as movement.<kind>', async () => {
    const s = await mkPerson('Аудит Проверкин', 'student', U.g4);
    const m = await moveOk({ user_id: s.id, kind: 'graduation', date: '2025-06-30', order_ref: 'Приказ № 7' });
    const r = await admin.get('/api/v1/audit?action=movement.graduation');
    assert.equal(r.status, 200, r.text);
    const e = r.json.entries.find((x) => x.target === `movement:${m.id}`);
    assert.ok(e, r.text);
    assert.equal(e.actor.id, adminId);
    const after = typeof e.after === 'string' ? JSON.parse(e.after) : e.after;
    const beforeJ = typeof e.before === 'string' ? JSON.parse(e.before) : e.before;
    assert.equal(after.kind, 'graduation');
    assert.equal(after.order_ref, 'Приказ № 7');
    assert.equal(after.from_unit_id, U.g4);
    assert.equal(beforeJ.ended.role, 'student');
    assert.equal(beforeJ.ended.unit_id, U.g4);
  });
});
