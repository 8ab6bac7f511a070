// SPDX-License-Identifier: MIT
// `parta demo`: on a fresh data dir it seeds the regulation's college and
// prints demo accounts with one shared password; a second run refuses and
// changes nothing; `serve` on that dir needs no setup link, and each printed
// account logs in with the role it was printed for. The tree shows the
// college (main site Чернушка), its four branches, the ЦМК department and the
// twelve study groups, each with a curator.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PARTA_BIN, startServer } from '../lib/server.mjs';
import { loginAs, request } from '../lib/http.mjs';

const BRANCHES = ['Бардымский филиал', 'Куединский филиал', 'Октябрьский филиал', 'Уинский филиал'];

let dataDir;
let srv;
let first;   // the first demo run
let second;  // the second one
let accounts;
let password;

function demo(dir) {
  return spawnSync(PARTA_BIN, ['demo', `--data-dir=${dir}`, '--log-level=warn'], { encoding: 'utf8', timeout: 60000 });
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'parta-demo-'));
  first = demo(dataDir);
  second = demo(dataDir);
  accounts = Object.fromEntries([...first.stdout.matchAll(/^ {2}(admin|director|curator|teacher|student|parent)\s+(\S+)/gm)]
    .map((m) => [m[1], m[2]]));
  password = (first.stdout.match(/password of every demo account: (\S+)/) || [])[1];
  srv = await startServer({ dataDir });
});

after(async () => {
  await srv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('parta demo', () => {
  test('prints the demo accounts and their shared password', () => {
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /ГБПОУ «Краевой политехнический колледж»/);
    assert.match(first.stdout, /groups: 12, .*students: 180/);
    assert.ok(password && password.length >= 8, first.stdout);
    assert.deepEqual(Object.keys(accounts).sort(), ['admin', 'curator', 'director', 'parent', 'student', 'teacher']);
  });

  test('a second run refuses with a clear message', () => {
    assert.equal(second.status, 1);
    assert.equal(second.stdout, '');
    assert.match(second.stderr, /is not empty/);
    assert.match(second.stderr, /не пустое/);
  });

  test('serve needs no setup link: the demo made the administrator', () => {
    assert.equal(srv.setupUrl, null);
  });

  test('every printed account logs in with its role', async () => {
    const want = { admin: 'platform_admin', director: 'administration', curator: 'curator', teacher: 'teacher',
      student: 'student', parent: 'parent' };
    for (const [who, role] of Object.entries(want)) {
      const p = await loginAs(srv, accounts[who], password);
      assert.ok(p.user.roles.includes(role), `${who}: ${JSON.stringify(p.user)}`);
    }
    const wrong = await request(srv, 'POST', '/api/v1/auth/login', { json: { login: accounts.student, password: 'not-the-demo-password' } });
    assert.equal(wrong.status, 401);
  });

  test('the tree: the college, its four branches, the ЦМК and twelve groups with curators', async () => {
    const admin = await loginAs(srv, accounts.admin, password);
    const r = await admin.get('/api/v1/org/tree');
    assert.equal(r.status, 200, r.text);
    const { college, units } = r.json;
    assert.equal(college.name, 'ГБПОУ «Краевой политехнический колледж»');
    assert.equal(college.short_name, 'КПК');
    assert.equal(college.details.main_site, 'Чернушка');
    assert.equal(college.details.director, 'М.В. Азанов');
    const branches = units.filter((u) => u.kind === 'branch');
    assert.deepEqual(branches.map((u) => u.name).sort(), [...BRANCHES].sort());
    assert.ok(branches.every((b) => b.parent_id === 1));
    assert.deepEqual(units.filter((u) => u.kind === 'department').map((u) => u.name), ['ЦМК общепрофессиональных дисциплин']);
    const groups = units.filter((u) => u.kind === 'study_group');
    assert.equal(groups.length, 12);
    assert.ok(groups.every((g) => g.curator && g.curator.name), 'every group has a curator');
    assert.ok(groups.every((g) => g.counts.students === 15));
    assert.equal(groups.filter((g) => g.parent_id === 1).length, 6, 'the main site: groups directly under the college');
    for (const b of branches) assert.ok(groups.some((g) => g.parent_id === b.id), `${b.name} has a group`);
    const students = await admin.get('/api/v1/people?role=student&limit=1');
    assert.equal(students.json.total, 180);
    const parents = await admin.get('/api/v1/people?role=parent&limit=1');
    assert.equal(parents.json.total, 60);
    // the director is the administration member with the director flag
    const dir = await admin.get(`/api/v1/people?q=${encodeURIComponent(accounts.director)}`);
    assert.equal(dir.json.people[0].name, 'Азанов М. В.');
    assert.ok(dir.json.people[0].roles.some((x) => x.role === 'administration' && x.director === true));
    // the demo went through the import: enrolments and hirings are recorded
    const mv = await admin.get('/api/v1/movements?kind=enrolment&limit=1');
    assert.equal(mv.json.total, 180);
  });
});
