// SPDX-License-Identifier: MIT
// First-administrator setup: the one-time link printed at start, its status,
// input validation (nothing changes on a refused attempt), success (201, a
// platform_admin, an HttpOnly SameSite=Lax session cookie), the link's single
// use, no new link after a restart once an admin exists, and
// `parta admin create-admin`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { createAdminCli as cliCreateAdmin, Person, request, sessionCookieOf, setupToken } from '../lib/http.mjs';

const ADMIN = { login: 'Root@College.Example', name: '  Ирина Петровна  ', password: 'setup-pass-123' };

let srv;
let dataDir;
const tempDirs = [];

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'parta-setup-'));
  tempDirs.push(dataDir);
  srv = await startServer({ dataDir });
});

after(async () => {
  await srv?.stop();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

function complete(body, opts = {}) {
  return request(srv, 'POST', '/api/v1/setup', { json: body, ...opts });
}

function createAdminCli(dir, login, name, password) {
  return cliCreateAdmin(dir, { login, name, password });
}

describe('first-administrator setup', () => {
  test('a fresh server prints a setup link', () => {
    assert.ok(srv.setupUrl, srv.stdout());
    assert.equal(new URL(srv.setupUrl).origin, srv.url);
    assert.match(setupToken(srv), /^[A-Za-z0-9_-]{43}$/);
  });

  test('status: the printed token is valid, others are not, a missing token is a 400', async () => {
    let r = await request(srv, 'GET', `/api/v1/setup/status?token=${setupToken(srv)}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { valid: true });
    r = await request(srv, 'GET', `/api/v1/setup/status?token=${'x'.repeat(43)}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { valid: false });
    r = await request(srv, 'GET', '/api/v1/setup/status');
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'invalid_input');
    assert.equal(r.json.error.field, 'token');
  });

  test('malformed inputs are refused with the field named, and change nothing', async () => {
    const token = setupToken(srv);
    const good = { token, login: ADMIN.login, name: ADMIN.name, password: ADMIN.password };
    const cases = [
      [{ ...good, token: undefined }, 'token'],
      [{ ...good, token: '' }, 'token'],
      [{ ...good, token: 42 }, 'token'],
      [{ ...good, login: 'abc' }, 'login'],
      [{ ...good, login: undefined }, 'login'],
      [{ ...good, login: 'no-domain@' }, 'login'],
      [{ ...good, name: '' }, 'name'],
      [{ ...good, name: '   ' }, 'name'],
      [{ ...good, name: 'x'.repeat(201) }, 'name'],
      [{ ...good, password: 'short' }, 'password'],
      [{ ...good, password: undefined }, 'password'],
      [{ ...good, password: 12345678 }, 'password'],
    ];
    for (const [body, field] of cases) {
      const r = await complete(JSON.parse(JSON.stringify(body)));
      assert.equal(r.status, 400, `${field}: ${r.text}`);
      assert.equal(r.json.error.code, 'invalid_input');
      assert.equal(r.json.error.field, field, JSON.stringify(body));
      assert.equal(r.headers['set-cookie'], undefined);
    }
    // bodies that are not a JSON object
    for (const body of ['{"token":', 'not json at all', '[1,2,3]', JSON.stringify([good]), '"a string"', '']) {
      const r = await request(srv, 'POST', '/api/v1/setup', { body, headers: { 'Content-Type': 'application/json' } });
      assert.equal(r.status, 400, body);
      assert.equal(r.json.error.field, 'body', body);
    }
    // the right fields with the wrong media type
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonp']) {
      const r = await request(srv, 'POST', '/api/v1/setup', { body: JSON.stringify(good), headers: { 'Content-Type': ct } });
      assert.equal(r.status, 415, ct);
      assert.equal(r.json.error.code, 'unsupported');
    }
    const noCt = await request(srv, 'POST', '/api/v1/setup', { body: JSON.stringify(good) });
    assert.equal(noCt.status, 415);
    // an unknown token of the right shape is a used/expired link
    const wrong = await complete({ ...good, token: 'A'.repeat(43) });
    assert.equal(wrong.status, 410);
    assert.equal(wrong.json.error.code, 'expired');

    // nothing changed: the link is still valid and nobody can log in
    const st = await request(srv, 'GET', `/api/v1/setup/status?token=${token}`);
    assert.deepEqual(st.json, { valid: true });
    const login = await new Person(srv).login(ADMIN.login, ADMIN.password);
    assert.equal(login.status, 401);
  });

  test('success: 201, a platform_admin, an HttpOnly SameSite=Lax cookie that works', async () => {
    const p = new Person(srv);
    const r = await p.post('/api/v1/setup', { token: setupToken(srv), login: ADMIN.login, name: ADMIN.name, password: ADMIN.password });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.user.login, 'root@college.example', 'the login is normalised');
    assert.equal(r.json.user.name, 'Ирина Петровна', 'the name is trimmed');
    assert.deepEqual(r.json.user.roles, ['platform_admin']);
    assert.ok(Number.isInteger(r.json.user.id) && r.json.user.id > 0);
    assert.equal(r.json.user.password_hash, undefined);
    assert.match(r.json.csrf_token, /^[A-Za-z0-9_-]{43}$/);
    const cookies = r.headers['set-cookie'];
    assert.equal(cookies.length, 1);
    const attrs = cookies[0].split(';').map((s) => s.trim().toLowerCase());
    assert.ok(attrs[0].startsWith('parta_session='));
    assert.ok(attrs.includes('httponly'), cookies[0]);
    assert.ok(attrs.includes('samesite=lax'), cookies[0]);
    assert.ok(attrs.includes('path=/'), cookies[0]);
    assert.ok(!attrs.includes('secure'), 'not Secure unless cookie_secure');
    assert.match(sessionCookieOf(r), /^[A-Za-z0-9_-]{43}$/);

    const me = await p.get('/api/v1/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.json.user.id, r.json.user.id);
    assert.equal(me.json.csrf_token, r.json.csrf_token);
    const login = await new Person(srv).login('ROOT@college.example', ADMIN.password);
    assert.equal(login.status, 200);
  });

  test('the link works once: reuse is 410 expired, its status invalid', async () => {
    const token = setupToken(srv);
    const r = await complete({ token, login: 'other@college.example', name: 'Другой', password: 'another-pass-1' });
    assert.equal(r.status, 410);
    assert.equal(r.json.error.code, 'expired');
    const st = await request(srv, 'GET', `/api/v1/setup/status?token=${token}`);
    assert.deepEqual(st.json, { valid: false });
    assert.equal((await new Person(srv).login('other@college.example', 'another-pass-1')).status, 401);
  });

  test('SIGTERM stops it with exit code 0; a restart on the same data prints no setup link', async () => {
    const res = await srv.stop();
    assert.deepEqual(res, { code: 0, signal: null });
    srv = await startServer({ dataDir });
    assert.equal(srv.setupUrl, null);
    assert.doesNotMatch(srv.stdout(), /setup\?token=/);
    assert.match(srv.stdout(), /Parta is running/);
    // the data survived
    assert.equal((await new Person(srv).login(ADMIN.login, ADMIN.password)).status, 200);
  });
});

describe('parta admin create-admin', () => {
  test('creates an administrator who can log in; a taken login fails with a non-zero exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parta-cli-'));
    tempDirs.push(dir);
    const r = createAdminCli(dir, '+7 (912) 000-11-22', 'Ольга Иванова', 'cli-password-9');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\+79120001122/);
    const again = createAdminCli(dir, '89120001122', 'Кто-то ещё', 'other-password-9');
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /taken/);
    const bad = createAdminCli(dir, 'abc', 'Имя', 'cli-password-9');
    assert.notEqual(bad.status, 0);
    const shortPw = createAdminCli(dir, 'x@y.example', 'Имя', 'short');
    assert.notEqual(shortPw.status, 0);

    const s = await startServer({ dataDir: dir });
    try {
      assert.equal(s.setupUrl, null, 'an administrator exists: no setup link');
      const p = new Person(s);
      const login = await p.login('+79120001122', 'cli-password-9');
      assert.equal(login.status, 200, login.text);
      assert.equal(login.json.user.name, 'Ольга Иванова');
      assert.deepEqual(login.json.user.roles, ['platform_admin']);
      assert.equal((await new Person(s).login('+79120001122', 'other-password-9')).status, 401);
      assert.equal((await new Person(s).login('x@y.example', 'cli-password-9')).status, 401);
    } finally {
      assert.deepEqual(await s.stop(), { code: 0, signal: null });
    }
  });
});
