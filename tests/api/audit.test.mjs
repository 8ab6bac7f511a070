// SPDX-License-Identifier: MIT
// Audit API: who may read the log (the platform administrator and the
// director), the shape of an entry (who, what, when, before/after, from
// where), newest-first paging by id, and the filters: actor, action (exact or
// a prefix ending with '.'), free text in any case (Cyrillic too) and time
// bounds as ISO dates, ISO date-times or unix seconds.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { createAdminCli, request } from '../lib/http.mjs';
import { buildCollege, call, createUnit } from '../lib/org.mjs';

let srv;
let c;

before(async () => {
  srv = await startServer();
  c = await buildCollege(srv);
  // an entry made from the command line has no actor
  const r = createAdminCli(srv.dataDir, { login: 'cli-admin@college.ru', name: 'Админ Из Консоли', password: 'cli-password-1' });
  assert.equal(r.status, 0, r.stderr);
  await createUnit(c.admin, { kind: 'branch', parent_id: 1, name: 'Куединский филиал' });
  assert.equal((await call(c.admin, 'PATCH', '/api/v1/org/college', { name: 'Краевой политехнический колледж' })).status, 200);
});

after(async () => { await srv?.stop(); });

async function audit(query = '', who = c.admin) {
  const r = await call(who, 'GET', `/api/v1/audit${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

describe('who reads the audit log', () => {
  test('the platform administrator and the director; nobody else', async () => {
    assert.ok((await audit('', c.admin)).entries.length > 0);
    assert.ok((await audit('', c.people.director)).entries.length > 0);
    for (const who of ['manager', 'curator', 'teacher', 'student', 'staff']) {
      const r = await call(c.people[who], 'GET', '/api/v1/audit');
      assert.equal(r.status, 403, who);
      assert.equal(r.json.error.code, 'forbidden');
    }
    assert.equal((await request(srv, 'GET', '/api/v1/audit')).status, 401);
  });
});

describe('entries', () => {
  test('newest first, with actor, target, before/after and the address', async () => {
    const { entries } = await audit('?limit=200');
    const ids = entries.map((e) => e.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    const edit = entries.find((e) => e.action === 'college.edit');
    assert.deepEqual(edit.actor, { id: c.adminUser.id, name: c.adminUser.name });
    assert.equal(edit.target, 'college');
    assert.equal(edit.before.name, 'Колледж');
    assert.equal(edit.after.name, 'Краевой политехнический колледж');
    assert.equal(edit.ip, '127.0.0.1');
    assert.match(edit.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const cli = entries.find((e) => e.action === 'account.create');
    assert.equal(cli.actor, null, 'made from the command line');
    assert.equal(cli.before, null);
  });

  test('paging by before_id walks the whole log without gaps or repeats', async () => {
    const all = (await audit('?limit=200')).entries.map((e) => e.id);
    assert.ok(all.length > 5, `${all.length} entries`);
    const seen = [];
    let cursor = null;
    for (let i = 0; i < 100; i++) {
      const page = await audit(`?limit=2${cursor ? `&before_id=${cursor}` : ''}`);
      assert.ok(page.entries.length <= 2);
      seen.push(...page.entries.map((e) => e.id));
      cursor = page.next_before_id;
      if (cursor === null) break;
      assert.equal(cursor, page.entries[page.entries.length - 1].id);
    }
    assert.deepEqual(seen, all);
    const last = await audit(`?before_id=${all[all.length - 1]}`);
    assert.deepEqual(last, { entries: [], next_before_id: null });
  });
});

describe('filters', () => {
  test('by action, exact or by prefix', async () => {
    const exact = await audit('?action=unit.create');
    assert.ok(exact.entries.length >= 5);
    assert.ok(exact.entries.every((e) => e.action === 'unit.create'));
    const prefix = await audit('?action=person.&limit=200');
    assert.ok(prefix.entries.length >= 6);
    assert.ok(prefix.entries.every((e) => e.action.startsWith('person.')));
    assert.deepEqual((await audit('?action=person')).entries, [], 'no prefix without the dot');
  });

  test('by actor', async () => {
    const mine = await audit(`?actor_id=${c.adminUser.id}&limit=200`);
    assert.ok(mine.entries.length > 0);
    assert.ok(mine.entries.every((e) => e.actor.id === c.adminUser.id));
    assert.deepEqual((await audit(`?actor_id=${c.users.student.id}`)).entries, []);
  });

  test('by text in any case, Cyrillic included, across target and before/after', async () => {
    for (const q of ['куединский', 'КУЕДИНСКИЙ', 'Куединский']) {
      const r = await audit(`?q=${encodeURIComponent(q)}`);
      assert.equal(r.entries.length, 1, q);
      assert.equal(r.entries[0].action, 'unit.create');
      assert.equal(r.entries[0].after.name, 'Куединский филиал');
    }
    const semen = await audit(`?q=${encodeURIComponent('СЕМЕН')}`);
    assert.ok(semen.entries.some((e) => e.action === 'person.create' && e.after.user.id === c.users.student.id));
    const byTarget = await audit(`?q=${encodeURIComponent(`user:${c.users.student.id}`)}`);
    assert.ok(byTarget.entries.every((e) => JSON.stringify(e).includes(`user:${c.users.student.id}`)));
    assert.ok(byTarget.entries.length >= 1);
  });

  test('by time: ISO dates, date-times and unix seconds', async () => {
    const { entries } = await audit('?limit=200');
    const newest = entries[0];
    const at = Date.parse(newest.at) / 1000;
    const day = newest.at.slice(0, 10);
    assert.equal((await audit(`?from=${day}&to=${day}&limit=200`)).entries.length, entries.length);
    assert.equal((await audit(`?from=${at}&to=${at}&limit=200`)).entries.every((e) => e.at === newest.at), true);
    assert.ok((await audit(`?from=${at}`)).entries.some((e) => e.id === newest.id));
    assert.deepEqual((await audit(`?from=${at + 1}`)).entries, []);
    assert.deepEqual((await audit('?to=2000-01-01')).entries, []);
    assert.equal((await audit(`?from=${encodeURIComponent(`${day}T00:00:00Z`)}&limit=200`)).entries.length, entries.length);
  });

  test('malformed queries: 400 with the field', async () => {
    for (const [q, field] of [
      ['limit=0', 'limit'], ['limit=201', 'limit'], ['limit=x', 'limit'], ['before_id=0', 'before_id'],
      ['before_id=-3', 'before_id'], ['actor_id=me', 'actor_id'], ['action=UNIT.CREATE', 'action'],
      ['action=a%20b', 'action'], ['from=yesterday', 'from'], ['from=2024-02-30', 'from'],
      ['to=2024-13-01', 'to'], ['from=2024-05-01&to=2024-04-01', 'to'], ['from=', 'from'],
      [`q=${encodeURIComponent('я'.repeat(201))}`, 'q'],
    ]) {
      const r = await call(c.admin, 'GET', `/api/v1/audit?${q}`);
      assert.equal(r.status, 400, `${q}: ${r.text}`);
      assert.equal(r.json.error.field, field, q);
    }
  });
});
