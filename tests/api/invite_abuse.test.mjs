// SPDX-License-Identifier: MIT
// Abuse of invitation links: expired, revoked, exhausted, guessed and replayed
// tokens are refused (and say which, in error.field) without creating
// accounts or using the link; concurrent redemptions never exceed a link's
// maximum uses; opening and redeeming links is rate-limited per IP address.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { createFirstAdmin, loginAs, Person, request } from '../lib/http.mjs';

const PW = 'password-1234';
const PER_MINUTE = 40;
let srv;
let admin;
let group;
let seq = 0;

async function post(p, path, json) {
  return p.post(path, json, { csrf: true });
}

async function mkLink(body) {
  const r = await post(admin, '/api/v1/invites', { role: 'student', unit_id: group, ...body });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function link(id) {
  const r = await admin.get('/api/v1/invites');
  return r.json.invites.find((i) => i.id === id);
}

function newcomer() {
  seq += 1;
  return { login: `abuse${seq}@mail.example`, name: `Студент Номер${seq}`, password: PW };
}

async function register(token, account) {
  const p = new Person(srv);
  return p.post(`/api/v1/join/${token}`, { register: account });
}

async function cannotLogIn(account) {
  const r = await new Person(srv).login(account.login, account.password);
  assert.equal(r.status, 401, `${account.login} must not exist`);
}

function sql(query) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', join(srv.dataDir, 'parta.db'), query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

// One request from another loopback address, so it has its own rate budget.
function fromIp(localAddress, method, path, json) {
  const base = new URL(srv.url);
  const body = json === undefined ? undefined : JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: base.hostname, port: base.port, method, path, localAddress, agent: false,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        resolve({ status: res.statusCode, headers: res.headers, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const randomToken = () => randomBytes(16).toString('base64url');

before(async () => {
  srv = await startServer({ args: ['--login-ip-per-minute=10000', `--invite-ip-per-minute=${PER_MINUTE}`] });
  admin = await createFirstAdmin(srv);
  const r = await post(admin, '/api/v1/org/units', { kind: 'study_group', parent_id: 1, name: 'Электромонтёры', code: 'ЭМ-24', enrolment_year: 2024 });
  assert.equal(r.status, 201, r.text);
  group = r.json.id;
});

after(async () => { await srv?.stop(); });

describe('refused tokens', () => {
  test('expired: 410 with field "expired" for opening and redeeming; no account, no use', async () => {
    const inv = await mkLink({ expires_in_s: 3600, needs_approval: false });
    assert.equal((await request(srv, 'GET', `/api/v1/join/${inv.token}`)).status, 200);
    sql(`UPDATE invites SET expires_at=strftime('%s','now')-1 WHERE id=${inv.id}`);
    let r = await request(srv, 'GET', `/api/v1/join/${inv.token}`);
    assert.equal(r.status, 410);
    assert.equal(r.json.error.code, 'expired');
    assert.equal(r.json.error.field, 'expired');
    const acc = newcomer();
    r = await register(inv.token, acc);
    assert.equal(r.status, 410);
    assert.equal(r.json.error.field, 'expired');
    await cannotLogIn(acc);
    const listed = await link(inv.id);
    assert.equal(listed.uses, 0);
    assert.equal(listed.state, 'expired');
  });

  test('revoked: 410 with field "revoked"; no account', async () => {
    const inv = await mkLink({ needs_approval: false });
    assert.equal((await post(admin, `/api/v1/invites/${inv.id}/revoke`)).status, 204);
    let r = await request(srv, 'GET', `/api/v1/join/${inv.token}`);
    assert.equal(r.status, 410);
    assert.equal(r.json.error.field, 'revoked');
    const acc = newcomer();
    r = await register(inv.token, acc);
    assert.equal(r.status, 410);
    assert.equal(r.json.error.field, 'revoked');
    await cannotLogIn(acc);
    assert.equal((await link(inv.id)).uses, 0);
  });

  test('exhausted: a one-use link works once, then 410 with field "exhausted"', async () => {
    const inv = await mkLink({ max_uses: 1, needs_approval: false });
    const first = newcomer();
    let r = await register(inv.token, first);
    assert.equal(r.status, 201, r.text);
    r = await request(srv, 'GET', `/api/v1/join/${inv.token}`);
    assert.equal(r.status, 410);
    assert.equal(r.json.error.field, 'exhausted');
    const second = newcomer();
    r = await register(inv.token, second);
    assert.equal(r.status, 410);
    assert.equal(r.json.error.field, 'exhausted');
    await cannotLogIn(second);
    await loginAs(srv, first.login, first.password);
    const listed = await link(inv.id);
    assert.equal(listed.uses, 1);
    assert.equal(listed.state, 'exhausted');
  });

  test('replayed: the same person redeeming again is 409 and uses nothing', async () => {
    const direct = await mkLink({ max_uses: 5, needs_approval: false });
    const acc = newcomer();
    let r = await register(direct.token, acc);
    assert.equal(r.status, 201);
    const p = await loginAs(srv, acc.login, acc.password);
    r = await post(p, `/api/v1/join/${direct.token}`, {});
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'conflict');
    // the same registration replayed: the login now exists
    r = await register(direct.token, acc);
    assert.equal(r.status, 409);
    assert.equal(r.json.error.field, 'login');
    assert.equal((await link(direct.id)).uses, 1);

    const queued = await mkLink({ max_uses: 5 });
    const acc2 = newcomer();
    r = await register(queued.token, acc2);
    assert.equal(r.status, 201);
    assert.equal(r.json.status, 'pending');
    const p2 = await loginAs(srv, acc2.login, acc2.password);
    r = await post(p2, `/api/v1/join/${queued.token}`, {});
    assert.equal(r.status, 409);
    assert.equal((await link(queued.id)).uses, 1);
    const reqs = await admin.get('/api/v1/join-requests?status=pending');
    assert.equal(reqs.json.requests.filter((q) => q.user.login === acc2.login).length, 1);
  });

  test('concurrent redemptions of a 3-use link by 10 new people: exactly 3 succeed', async () => {
    const inv = await mkLink({ max_uses: 3, needs_approval: false });
    const people = Array.from({ length: 10 }, newcomer);
    const results = await Promise.all(people.map((acc) => register(inv.token, acc)));
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 410);
    assert.equal(ok.length, 3, results.map((r) => r.status).join(','));
    assert.equal(refused.length, 7);
    assert.ok(refused.every((r) => r.json.error.field === 'exhausted'));
    assert.equal((await link(inv.id)).uses, 3);
    // exactly the three who got 201 have accounts and the student role
    for (let i = 0; i < people.length; i++) {
      const r = await new Person(srv).login(people[i].login, PW);
      assert.equal(r.status, results[i].status === 201 ? 200 : 401, people[i].login);
      if (r.status === 200) assert.deepEqual(r.json.user.roles, ['student']);
    }
    assert.equal(sql(`SELECT COUNT(*) FROM role_assignments WHERE role='student' AND unit_id=${group} AND user_id IN (SELECT id FROM users WHERE login LIKE 'abuse%')`),
      String(3 + 2));  // + the one-use link's and the replay test's students
  });
});

describe('guessing', () => {
  test(`random tokens are 404, and after ${PER_MINUTE} attempts an IP gets 429`, async () => {
    const ip = '127.0.0.2';
    const real = await mkLink({});
    // a real token with one character changed is just as unknown
    const flipped = real.token.slice(0, -1) + (real.token.endsWith('A') ? 'B' : 'A');
    const guesses = [flipped, ...Array.from({ length: PER_MINUTE - 1 }, randomToken)];
    const answers = [];
    for (let i = 0; i < guesses.length; i += 10) {
      const batch = guesses.slice(i, i + 10).map((t, k) => ((i + k) % 2
        ? fromIp(ip, 'POST', `/api/v1/join/${t}`, { register: newcomer() })
        : fromIp(ip, 'GET', `/api/v1/join/${t}`)));
      answers.push(...await Promise.all(batch));
    }
    assert.deepEqual(answers.map((r) => r.status), guesses.map(() => 404));
    // the budget is spent: even the real token is refused from this address
    for (const r of [await fromIp(ip, 'GET', `/api/v1/join/${real.token}`),
      await fromIp(ip, 'POST', `/api/v1/join/${real.token}`, { register: newcomer() })]) {
      assert.equal(r.status, 429);
      assert.equal(r.json.error.code, 'rate_limited');
      assert.ok(Number(r.headers['retry-after']) >= 1);
    }
    // other addresses keep their own budget
    const r = await request(srv, 'GET', `/api/v1/join/${real.token}`);
    assert.equal(r.status, 200);
    assert.equal((await link(real.id)).uses, 0);
  });
});
