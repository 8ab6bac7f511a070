// SPDX-License-Identifier: MIT
// Helpers for tests that need a college with structure and people:
//  - call(): a JSON request as a Person (CSRF header included for writes).
//  - createUnit() / createPerson(): POST /api/v1/org/units and /api/v1/people
//    as an administrator, failing the test on anything but 201.
//  - buildCollege(): the first administrator plus a small college —
//      branch B (Бардымский филиал) with department D (ЦМК) and study group
//      G1 (ТМ-21); study group G2 (ПК-22) directly under the college — and,
//      logged in by cookie: a director (administration in the college), an
//      administration member without the director flag in B, the curator
//      of G1, a teacher in B, a student of G1 and a staff member in D.
//    Note: a Person remembers the last "user" member of any response (.user),
//    so use the returned users / adminUser for ids.
import { createFirstAdmin, loginAs } from './http.mjs';

// A request with an optional JSON body; cookie writes carry the CSRF token.
export function call(person, method, path, json) {
  const opts = { csrf: method !== 'GET' };
  if (json !== undefined) opts.json = json;
  return person.request(method, path, opts);
}

export async function createUnit(admin, body) {
  const r = await call(admin, 'POST', '/api/v1/org/units', body);
  if (r.status !== 201) throw new Error(`create unit ${JSON.stringify(body)}: ${r.status} ${r.text}`);
  return r.json;
}

// Returns the created user ({id, login, name, roles}).
export async function createPerson(admin, body) {
  const r = await call(admin, 'POST', '/api/v1/people', body);
  if (r.status !== 201) throw new Error(`create person ${JSON.stringify(body)}: ${r.status} ${r.text}`);
  return r.json.user;
}

export const PASSWORD = 'college-pass-2024';

export async function buildCollege(srv) {
  const admin = await createFirstAdmin(srv);
  const B = await createUnit(admin, { kind: 'branch', parent_id: 1, name: 'Бардымский филиал', short_name: 'БФ' });
  const D = await createUnit(admin, { kind: 'department', parent_id: B.id, name: 'ЦМК общетехнических дисциплин', short_name: 'ЦМК' });
  const G1 = await createUnit(admin, { kind: 'study_group', parent_id: B.id, name: 'Технология машиностроения', code: 'ТМ-21', enrolment_year: 2021 });
  const G2 = await createUnit(admin, { kind: 'study_group', parent_id: 1, name: 'Программирование', code: 'ПК-22', enrolment_year: 2022 });
  const specs = {
    director: { login: 'director@college.ru', name: 'Виктор Директоров', role: 'administration', unit_id: 1, director: true },
    manager: { login: 'zav@college.ru', name: 'Зоя Заведующая', role: 'administration', unit_id: B.id },
    curator: { login: 'curator@college.ru', name: 'Ольга Кураторова', role: 'curator', unit_id: G1.id },
    teacher: { login: 'teacher@college.ru', name: 'Пётр Учителев', role: 'teacher', unit_id: B.id },
    student: { login: 'student@college.ru', name: 'Семён Студентов', role: 'student', unit_id: G1.id },
    staff: { login: 'staff@college.ru', name: 'Галина Сотрудникова', role: 'staff', unit_id: D.id },
  };
  const people = {};
  const users = {};
  await Promise.all(Object.entries(specs).map(async ([key, spec]) => {
    users[key] = await createPerson(admin, { ...spec, password: PASSWORD });
    people[key] = await loginAs(srv, spec.login, PASSWORD);
  }));
  // (Person remembers any "user" in a response: ask who the admin is last)
  const me = await admin.get('/api/v1/auth/me');
  return { admin, units: { B, D, G1, G2 }, users, people, adminUser: me.json.user };
}
