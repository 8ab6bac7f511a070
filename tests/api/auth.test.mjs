// SPDX-License-Identifier: MIT
// Accounts API: login (normalised logins, cookie or bearer), refusals that do
// not tell unknown logins from wrong passwords, /auth/me, CSRF on
// cookie-authenticated writes, logout, the session list and revocation (own
// sessions only), password change, and the login rate limits per account and
// per IP address.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { createAdminCli, createFirstAdmin, loginAs, Person, request } from '../lib/http.mjs';

const ANNA = { login: 'admin@college.ru', name: 'Анна', password: 'anna-password-1' };
const BORIS = { login: '+79123456789', name: 'Борис', password: 'boris-password-1' };

let srv;

before(async () => {
  // many logins come from 127.0.0.1 here: the per-IP limit has its own server below
  srv = await startServer({ args: ['--login-ip-per-minute=10000'] });
  await createFirstAdmin(srv, ANNA);
  const r = createAdminCli(srv.dataDir, BORIS);
  assert.equal(r.status, 0, r.stderr);
});

after(async () => { await srv?.stop(); });

const ME = '/api/v1/auth/me';

describe('login', () => {
  test('an e-mail login is case-insensitive; cookie login sets the cookie and returns a CSRF token', async () => {
    const p = new Person(srv);
    const r = await p.login('  Admin@College.RU ', ANNA.password);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user.login, ANNA.login);
    assert.deepEqual(r.json.user.roles, ['platform_admin']);
    assert.match(r.json.csrf_token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(r.json.token, undefined, 'a cookie login returns no bearer token');
    assert.match(r.headers['set-cookie'][0], /^parta_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.ok(p.sessionCookie);
  });

  test('a phone login is normalised: 8 (912) 345-67-89, 9123456789 and +79123456789 are one account', async () => {
    for (const form of ['8 (912) 345-67-89', '+7 912 345-67-89', '9123456789', '+79123456789']) {
      const r = await new Person(srv).login(form, BORIS.password);
      assert.equal(r.status, 200, `${form}: ${r.text}`);
      assert.equal(r.json.user.login, '+79123456789');
      assert.equal(r.json.user.name, BORIS.name);
    }
  });

  test('a wrong password and an unknown login get the same 401 bad_credentials', async () => {
    const wrong = await new Person(srv).login(ANNA.login, 'not-the-password');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error.code, 'bad_credentials');
    assert.equal(wrong.headers['set-cookie'], undefined);
    const unknown = await new Person(srv).login('nobody@college.ru', 'not-the-password');
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.json, wrong.json);
    const unknownPhone = await new Person(srv).login('+79990000000', ANNA.password);
    assert.deepEqual(unknownPhone.json, wrong.json);
    // a successful login still works (and resets the failure count)
    assert.equal((await new Person(srv).login(ANNA.login, ANNA.password)).status, 200);
  });

  test('malformed login requests: 400 with the field, 415 for a non-JSON media type', async () => {
    const cases = [
      [{ password: 'x-password-1' }, 'login'],
      [{ login: 'abc', password: 'x-password-1' }, 'login'],
      [{ login: '', password: 'x-password-1' }, 'login'],
      [{ login: 12345, password: 'x-password-1' }, 'login'],
      [{ login: 'a@b', password: 'x-password-1' }, 'login'],
      [{ login: ANNA.login }, 'password'],
      [{ login: ANNA.login, password: '' }, 'password'],
      [{ login: ANNA.login, password: 'p'.repeat(257) }, 'password'],
      [{ login: ANNA.login, password: ANNA.password, bearer: 'yes' }, 'bearer'],
    ];
    for (const [body, field] of cases) {
      const r = await request(srv, 'POST', '/api/v1/auth/login', { json: body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error.code, 'invalid_input');
      assert.equal(r.json.error.field, field, JSON.stringify(body));
    }
    const notJson = await request(srv, 'POST', '/api/v1/auth/login', { body: 'login=a&password=b', headers: { 'Content-Type': 'application/json' } });
    assert.equal(notJson.status, 400);
    assert.equal(notJson.json.error.field, 'body');
    const form = await request(srv, 'POST', '/api/v1/auth/login', {
      body: `login=${ANNA.login}&password=${ANNA.password}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 415);
    assert.equal(form.json.error.code, 'unsupported');
    assert.equal(form.headers['set-cookie'], undefined);
  });
});

describe('session, CSRF and logout', () => {
  test('/auth/me: the user, the CSRF token and the session; 401 without or with a bad session', async () => {
    const p = await loginAs(srv, ANNA.login, ANNA.password);
    const me = await p.get(ME);
    assert.equal(me.status, 200);
    assert.equal(me.json.user.login, ANNA.login);
    assert.equal(me.json.csrf_token, p.csrf);
    assert.equal(me.json.session.kind, 'cookie');
    assert.ok(me.json.session.expires_at > Date.now() / 1000);
    const anon = await request(srv, 'GET', ME);
    assert.equal(anon.status, 401);
    assert.equal(anon.json.error.code, 'unauthenticated');
    assert.match(anon.headers['www-authenticate'], /^Bearer/);
    const forged = await request(srv, 'GET', ME, { headers: { Cookie: `parta_session=${'A'.repeat(43)}` } });
    assert.equal(forged.status, 401);
    const forgedBearer = await request(srv, 'GET', ME, { headers: { Authorization: `Bearer ${p.sessionCookie}x` } });
    assert.equal(forgedBearer.status, 401);
  });

  test('a cookie-authenticated write without the right X-CSRF-Token is refused and changes nothing', async () => {
    const p = await loginAs(srv, ANNA.login, ANNA.password);
    const other = await loginAs(srv, ANNA.login, ANNA.password);
    assert.notEqual(p.csrf, other.csrf);
    for (const csrf of [undefined, 'wrong', other.csrf, `${p.csrf}x`, p.csrf.slice(1)]) {
      const r = await p.post('/api/v1/auth/logout', undefined, { csrf });
      assert.equal(r.status, 403, String(csrf));
      assert.equal(r.json.error.code, 'csrf_failed');
      assert.equal(r.headers['set-cookie'], undefined);
    }
    // the session was not logged out
    assert.equal((await p.get(ME)).status, 200);
    // a password change without the token does not happen either
    const pw = await p.post('/api/v1/auth/password', { current_password: ANNA.password, new_password: 'changed-by-attacker' });
    assert.equal(pw.status, 403);
    assert.equal(pw.json.error.code, 'csrf_failed');
    assert.equal((await new Person(srv).login(ANNA.login, 'changed-by-attacker')).status, 401);
    assert.equal((await new Person(srv).login(ANNA.login, ANNA.password)).status, 200);
    // with the right token the logout happens and the cookie is cleared
    const out = await p.post('/api/v1/auth/logout', undefined, { csrf: true });
    assert.equal(out.status, 204);
    assert.match(out.headers['set-cookie'][0], /^parta_session=; .*Max-Age=0/);
    assert.equal(p.sessionCookie, undefined);
    assert.equal((await other.get(ME)).status, 200, 'the other session is untouched');
  });

  test('logout revokes the session on the server, not only the cookie', async () => {
    const p = await loginAs(srv, ANNA.login, ANNA.password);
    const cookie = p.sessionCookie;
    assert.equal((await p.post('/api/v1/auth/logout', undefined, { csrf: true })).status, 204);
    const again = await request(srv, 'GET', ME, { headers: { Cookie: `parta_session=${cookie}` } });
    assert.equal(again.status, 401);
  });

  test('bearer login: a token and no cookie; works without CSRF; logout revokes it', async () => {
    const p = new Person(srv);
    const r = await p.login(ANNA.login, ANNA.password, { bearer: true });
    assert.equal(r.status, 200);
    assert.match(r.json.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(r.json.token_type, 'bearer');
    assert.equal(r.json.csrf_token, undefined);
    assert.equal(r.headers['set-cookie'], undefined);
    assert.equal(p.cookies.size, 0);
    const me = await p.get(ME, { bearer: true });
    assert.equal(me.status, 200);
    assert.equal(me.json.session.kind, 'bearer');
    assert.equal(me.json.csrf_token, undefined);
    const lower = await request(srv, 'GET', ME, { headers: { Authorization: `bearer ${p.token}` } });
    assert.equal(lower.status, 200, 'the scheme is case-insensitive');
    const out = await p.post('/api/v1/auth/logout', undefined, { bearer: true });
    assert.equal(out.status, 204);
    assert.equal((await p.get(ME, { bearer: true })).status, 401);
  });
});

describe('sessions', () => {
  test('the list shows every live session of the user with the current one flagged', async () => {
    const a1 = await loginAs(srv, ANNA.login, ANNA.password, { headers: { 'User-Agent': 'PartaTest/1 first' } });
    const a2 = await loginAs(srv, ANNA.login, ANNA.password, { bearer: true, headers: { 'User-Agent': 'PartaTest/1 second' } });
    const b = await loginAs(srv, BORIS.login, BORIS.password);
    const id1 = (await a1.get(ME)).json.session.id;
    const id2 = (await a2.get(ME, { bearer: true })).json.session.id;
    const idB = (await b.get(ME)).json.session.id;
    const r = await a1.get('/api/v1/auth/sessions');
    assert.equal(r.status, 200);
    const byId = new Map(r.json.sessions.map((s) => [s.id, s]));
    assert.ok(byId.has(String(id1)) && byId.has(String(id2)));
    assert.ok(!byId.has(String(idB)), "another user's session is not listed");
    assert.equal(r.json.sessions.filter((s) => s.current).length, 1);
    assert.equal(byId.get(String(id1)).current, true);
    assert.equal(byId.get(String(id2)).current, false);
    assert.equal(byId.get(String(id1)).kind, 'cookie');
    assert.equal(byId.get(String(id2)).kind, 'bearer');
    assert.equal(byId.get(String(id2)).user_agent, 'PartaTest/1 second');
    assert.equal(byId.get(String(id1)).ip, '127.0.0.1');
    assert.match(byId.get(String(id1)).created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const r2 = await a2.get('/api/v1/auth/sessions', { bearer: true });
    assert.equal(r2.json.sessions.find((s) => s.current).id, String(id2));
  });

  test('revoking another own session ends it; someone else\'s session is 404 and keeps working', async () => {
    const a1 = await loginAs(srv, ANNA.login, ANNA.password);
    const a2 = await loginAs(srv, ANNA.login, ANNA.password, { bearer: true });
    const b = await loginAs(srv, BORIS.login, BORIS.password, { bearer: true });
    const id2 = (await a2.get(ME, { bearer: true })).json.session.id;
    const idB = (await b.get(ME, { bearer: true })).json.session.id;

    const noCsrf = await a1.del(`/api/v1/auth/sessions/${id2}`);
    assert.equal(noCsrf.status, 403);
    assert.equal((await a2.get(ME, { bearer: true })).status, 200);

    const foreign = await a1.del(`/api/v1/auth/sessions/${idB}`, { csrf: true });
    assert.equal(foreign.status, 404);
    assert.equal(foreign.json.error.code, 'not_found');
    assert.equal((await b.get(ME, { bearer: true })).status, 200);

    const bad = await a1.del('/api/v1/auth/sessions/abc', { csrf: true });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'id');
    const missing = await a1.del('/api/v1/auth/sessions/999999', { csrf: true });
    assert.equal(missing.status, 404);

    const ok = await a1.del(`/api/v1/auth/sessions/${id2}`, { csrf: true });
    assert.equal(ok.status, 204);
    assert.equal((await a2.get(ME, { bearer: true })).status, 401);
    const list = await a1.get('/api/v1/auth/sessions');
    assert.ok(!list.json.sessions.some((s) => s.id === String(id2)));
    const twice = await a1.del(`/api/v1/auth/sessions/${id2}`, { csrf: true });
    assert.equal(twice.status, 404);
    assert.equal((await a1.get(ME)).status, 200);
  });
});

describe('password change', () => {
  test('wrong current 401, short new 400; success keeps this session, ends the others, swaps the password', async () => {
    const b1 = await loginAs(srv, BORIS.login, BORIS.password);
    const b2 = await loginAs(srv, BORIS.login, BORIS.password, { bearer: true });
    const b3 = await loginAs(srv, BORIS.login, BORIS.password);
    const a = await loginAs(srv, ANNA.login, ANNA.password);
    const NEW = 'boris-new-password-2';

    const wrong = await b1.post('/api/v1/auth/password', { current_password: 'not-it-at-all', new_password: NEW }, { csrf: true });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error.code, 'bad_credentials');
    assert.equal(wrong.json.error.field, 'current_password');
    const short = await b1.post('/api/v1/auth/password', { current_password: BORIS.password, new_password: 'short' }, { csrf: true });
    assert.equal(short.status, 400);
    assert.equal(short.json.error.field, 'new_password');
    const missing = await b1.post('/api/v1/auth/password', { new_password: NEW }, { csrf: true });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error.field, 'current_password');
    // nothing changed so far
    assert.equal((await b2.get(ME, { bearer: true })).status, 200);

    const ok = await b1.post('/api/v1/auth/password', { current_password: BORIS.password, new_password: NEW }, { csrf: true });
    assert.equal(ok.status, 204, ok.text);
    assert.equal((await b1.get(ME)).status, 200, 'the session that changed it stays');
    assert.equal((await b2.get(ME, { bearer: true })).status, 401, 'other sessions are revoked');
    assert.equal((await b3.get(ME)).status, 401);
    assert.equal((await a.get(ME)).status, 200, "another user's sessions are untouched");
    const old = await new Person(srv).login(BORIS.login, BORIS.password);
    assert.equal(old.status, 401);
    assert.equal((await new Person(srv).login(BORIS.login, NEW)).status, 200);

    // the bearer flavour needs no CSRF token
    const b4 = await loginAs(srv, BORIS.login, NEW, { bearer: true });
    const back = await b4.post('/api/v1/auth/password', { current_password: NEW, new_password: BORIS.password }, { bearer: true });
    assert.equal(back.status, 204);
    assert.equal((await b1.get(ME)).status, 401);
  });
});

describe('login rate limits', () => {
  let acct;
  let ip;
  before(async () => {
    [acct, ip] = await Promise.all([
      startServer({ args: ['--login-account-failures=3'] }),
      startServer({ args: ['--login-ip-per-minute=5'] }),
    ]);
    await createFirstAdmin(acct, ANNA);
  });
  after(async () => {
    await acct?.stop();
    await ip?.stop();
  });

  test('per account: after 3 failures even the right password gets 429 with Retry-After', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await new Person(acct).login(ANNA.login, `wrong-password-${i}`);
      assert.equal(r.status, 401, `attempt ${i + 1}`);
    }
    const r = await new Person(acct, { lang: 'en' }).login('ADMIN@college.ru', ANNA.password);
    assert.equal(r.status, 429);
    assert.equal(r.json.error.code, 'rate_limited');
    assert.equal(r.json.error.message, 'Too many attempts, wait and try again');
    const retry = Number(r.headers['retry-after']);
    assert.ok(Number.isInteger(retry) && retry > 0, r.headers['retry-after']);
    assert.equal(r.json.error.retry_after, retry);
    assert.equal(r.headers['set-cookie'], undefined);
    // it is the account that is locked, not the address
    const other = await new Person(acct).login('someone@college.ru', 'whatever-pw');
    assert.equal(other.status, 401);
  });

  test('per IP: the 6th attempt within a minute gets 429', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await new Person(ip).login(`user${i}@college.ru`, 'some-password');
      assert.equal(r.status, 401, `attempt ${i + 1}`);
    }
    const r = await new Person(ip).login('user9@college.ru', 'some-password');
    assert.equal(r.status, 429);
    assert.equal(r.json.error.code, 'rate_limited');
    assert.ok(Number(r.headers['retry-after']) > 0);
    assert.equal(r.json.error.retry_after, Number(r.headers['retry-after']));
  });

  test('SIGTERM stops every server with exit code 0', async () => {
    for (const s of [acct, ip, srv]) assert.deepEqual(await s.stop(), { code: 0, signal: null });
    acct = ip = srv = null;
  });
});
