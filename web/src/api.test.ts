// SPDX-License-Identifier: MIT
// api.ts: error parsing, and what request() sends (CSRF, language, JSON) and
// how it reports failures.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, getCsrfToken, onUnauthenticated, parseApiError, request, setCsrfToken } from './api';
import { setLang } from './i18n';

describe('parseApiError', () => {
  it('reads code, message and field of the server error shape', () => {
    const e = parseApiError(400, { error: { code: 'invalid_input', message: 'Слишком короткий', field: 'password' } });
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toBeInstanceOf(Error);
    expect(e.status).toBe(400);
    expect(e.code).toBe('invalid_input');
    expect(e.message).toBe('Слишком короткий');
    expect(e.field).toBe('password');
    expect(e.retryAfter).toBeNull();
  });

  it('takes retry_after from the body, else from the Retry-After header', () => {
    expect(parseApiError(429, { error: { code: 'rate_limited', message: 'x', retry_after: 12 } }, '99').retryAfter).toBe(12);
    expect(parseApiError(429, { error: { code: 'rate_limited', message: 'x' } }, '30').retryAfter).toBe(30);
    expect(parseApiError(429, { error: { code: 'rate_limited' } }, 'soon').retryAfter).toBeNull();
  });

  it('survives bodies that are not the error shape', () => {
    for (const body of [null, 'text', 42, [], {}, { error: null }, { error: 'boom' }, { error: { code: 5 } }]) {
      const e = parseApiError(502, body);
      expect(e.status).toBe(502);
      expect(e.code).toBe('http_502');
      expect(e.message).toBe('');
      expect(e.field).toBeNull();
    }
  });

  it('treats an empty field as no field', () => {
    expect(parseApiError(400, { error: { code: 'invalid_input', message: 'm', field: '' } }).field).toBeNull();
  });
});

type Call = { url: string; init: RequestInit };

function mockFetch(responses: (() => Response | Promise<Response>)[]) {
  const calls: Call[] = [];
  const fn = vi.fn(async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const next = responses.shift();
    if (!next) throw new Error('unexpected request');
    return next();
  });
  vi.stubGlobal('fetch', fn);
  return calls;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const empty = (status: number) => () => new Response(null, { status });
const header = (c: Call, name: string) => new Headers(c.init.headers).get(name);

describe('request', () => {
  beforeEach(() => {
    setCsrfToken(null);
    setLang('ru');
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    onUnauthenticated(null);
  });

  it('keeps the CSRF token from /auth/me and sends it on non-GET requests only', async () => {
    const user = { id: 1, login: 'a@b.cd', name: 'A', roles: [] };
    const calls = mockFetch([
      json(200, { user, csrf_token: 'tok-1' }),
      json(200, { sessions: [] }),
      empty(204),
      empty(204),
    ]);
    const me = await api.me();
    expect(me.user).toEqual(user);
    expect(getCsrfToken()).toBe('tok-1');
    await api.sessions();
    await api.revokeSession('s/1');
    await api.changePassword('old-password', 'new-password');

    expect(calls.map((c) => [c.init.method, c.url])).toEqual([
      ['GET', '/api/v1/auth/me'],
      ['GET', '/api/v1/auth/sessions'],
      ['DELETE', '/api/v1/auth/sessions/s%2F1'],
      ['POST', '/api/v1/auth/password'],
    ]);
    expect(header(calls[0]!, 'X-CSRF-Token')).toBeNull();
    expect(header(calls[1]!, 'X-CSRF-Token')).toBeNull();
    expect(header(calls[2]!, 'X-CSRF-Token')).toBe('tok-1');
    expect(header(calls[3]!, 'X-CSRF-Token')).toBe('tok-1');
    expect(header(calls[3]!, 'Content-Type')).toBe('application/json');
    expect(JSON.parse(String(calls[3]!.init.body))).toEqual({ current_password: 'old-password', new_password: 'new-password' });
    for (const c of calls) expect(c.init.credentials).toBe('include');
  });

  it('takes a new CSRF token from the login response and forgets it on logout', async () => {
    setCsrfToken('old');
    const calls = mockFetch([json(200, { user: { id: 1, login: 'x', name: 'X', roles: [] }, csrf_token: 'tok-2' }), empty(204)]);
    await api.login('x@y.zz', 'secret-password');
    expect(getCsrfToken()).toBe('tok-2');
    await api.logout();
    expect(header(calls[1]!, 'X-CSRF-Token')).toBe('tok-2');
    expect(getCsrfToken()).toBeNull();
  });

  it('sends the chosen language as Accept-Language', async () => {
    const calls = mockFetch([json(200, { valid: true }), json(200, { valid: false })]);
    await api.setupStatus('a b');
    setLang('en');
    await api.setupStatus('t');
    expect(calls[0]!.url).toBe('/api/v1/setup/status?token=a%20b');
    expect(header(calls[0]!, 'Accept-Language')).toBe('ru');
    expect(header(calls[1]!, 'Accept-Language')).toBe('en');
  });

  it('rejects with a typed ApiError carrying status, code, message and field', async () => {
    mockFetch([json(400, { error: { code: 'invalid_input', message: 'Плохой пароль', field: 'new_password' } })]);
    const err = await api.changePassword('a', 'b').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_input', message: 'Плохой пароль', field: 'new_password' });
  });

  it('reads Retry-After on 429', async () => {
    mockFetch([json(429, { error: { code: 'rate_limited', message: 'wait' } }, { 'Retry-After': '17' })]);
    const err = await api.login('a@b.cd', 'password1').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, code: 'rate_limited', retryAfter: 17 });
  });

  it('reports an unreachable server as code "network"', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch'); }));
    const err = await api.me().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 0, code: 'network' });
  });

  it('reports a non-JSON error page by its status', async () => {
    mockFetch([() => new Response('<html>Bad gateway</html>', { status: 502 })]);
    const err = await request('GET', '/anything').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 502, code: 'http_502' });
  });

  it('runs the unauthenticated handler when a session ends, but not for probes', async () => {
    const handler = vi.fn();
    onUnauthenticated(handler);
    setCsrfToken('tok');
    const e401 = json(401, { error: { code: 'unauthenticated', message: 'log in' } });
    mockFetch([e401, e401, json(401, { error: { code: 'bad_credentials', message: 'no' } })]);
    await api.me().catch(() => undefined); // the probe at start-up
    expect(handler).not.toHaveBeenCalled();
    await api.sessions().catch(() => undefined);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(getCsrfToken()).toBeNull();
    await api.login('a@b.cd', 'wrong-password').catch(() => undefined); // wrong password is not a lost session
    expect(handler).toHaveBeenCalledTimes(1);
  });
});
