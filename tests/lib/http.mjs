// SPDX-License-Identifier: MIT
// HTTP helpers for the API tests.
//  - request(): one request on a fresh connection (node:http, no pooling, so
//    every call is independent and nothing lingers at shutdown), returning
//    { status, headers, json, text, body }.
//  - Person: a cookie jar and the CSRF / bearer tokens of one "person"; the
//    X-CSRF-Token header is sent only when the call asks for it ({csrf: true}
//    for the remembered token, or {csrf: 'value'}).
//  - createFirstAdmin(): completes the one-time setup link a fresh server prints;
//    createAdminCli() runs `parta admin create-admin`; loginAs() logs in.
//  - rawExchange(): raw TCP bytes in, whatever the server sent back out, and
//    whether (and when) it closed the connection.
//  - parseResponses(): split raw bytes into HTTP/1.1 responses; RawConn: one
//    raw connection driven request by request (keep-alive, pipelining, HEAD).
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { PARTA_BIN } from './server.mjs';

function baseOf(target) {
  return typeof target === 'string' ? target : target.url;
}

// One request. opts: headers, json (object sent as application/json), body
// (string/Buffer sent as is), timeoutMs.
export function request(target, method, path, opts = {}) {
  const base = new URL(baseOf(target));
  const headers = { ...(opts.headers || {}) };
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json';
    }
  }
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'transfer-encoding')) {
    headers['Content-Length'] = Buffer.byteLength(body);
  }
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: base.hostname,
      port: base.port,
      method,
      path,
      headers,
      agent: false,
      timeout: opts.timeoutMs ?? 15000,
    }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        const buf = Buffer.concat(parts);
        const text = buf.toString('utf8');
        let json;
        if (/json/.test(res.headers['content-type'] || '') && text.length) {
          try { json = JSON.parse(text); } catch { json = undefined; }
        }
        resolve({ status: res.statusCode, headers: res.headers, json, text, body: buf });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// The session cookie's value from a response, or undefined.
export function sessionCookieOf(res, name = 'parta_session') {
  for (const line of res.headers['set-cookie'] || []) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

// A person with their own cookie jar, CSRF token and bearer token.
export class Person {
  constructor(target, { lang } = {}) {
    this.base = baseOf(target);
    this.cookies = new Map();
    this.csrf = null;
    this.token = null;
    this.user = null;
    this.lang = lang;
  }

  get sessionCookie() {
    return this.cookies.get('parta_session');
  }

  // opts: json, body, headers, csrf (true = remembered token, or a string),
  // bearer (true = remembered token, or a string), cookies (false: send none).
  async request(method, path, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    if (this.lang && !headers['Accept-Language']) headers['Accept-Language'] = this.lang;
    if (opts.cookies !== false && this.cookies.size) {
      headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    if (opts.bearer) headers.Authorization = `Bearer ${opts.bearer === true ? this.token : opts.bearer}`;
    if (opts.csrf) headers['X-CSRF-Token'] = opts.csrf === true ? this.csrf : opts.csrf;
    const res = await request(this.base, method, path, { ...opts, headers });
    for (const line of res.headers['set-cookie'] || []) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    if (res.json && typeof res.json.csrf_token === 'string') this.csrf = res.json.csrf_token;
    if (res.json && res.json.user) this.user = res.json.user;
    return res;
  }

  get(path, opts) { return this.request('GET', path, opts); }
  post(path, json, opts = {}) { return this.request('POST', path, { ...opts, json }); }
  del(path, opts) { return this.request('DELETE', path, opts); }

  // Log in; with {bearer: true} the returned token is remembered in .token.
  async login(login, password, { bearer = false, headers } = {}) {
    const body = { login, password };
    if (bearer) body.bearer = true;
    const res = await this.post('/api/v1/auth/login', body, { headers });
    if (res.status === 200 && bearer) this.token = res.json.token;
    return res;
  }
}

// The token of the setup link a fresh server printed.
export function setupToken(srv) {
  if (!srv.setupUrl) throw new Error('the server printed no setup link');
  return new URL(srv.setupUrl).searchParams.get('token');
}

export const ADMIN = { login: 'admin@college.example', name: 'Анна Смирнова', password: 'correct-horse-42' };

// Complete the first-administrator setup; returns a logged-in (cookie) Person.
export async function createFirstAdmin(srv, who = ADMIN) {
  const p = new Person(srv);
  const res = await p.post('/api/v1/setup', {
    token: setupToken(srv), login: who.login, name: who.name, password: who.password,
  });
  if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${res.text}`);
  return p;
}

// A new Person logged in (cookie by default, {bearer: true} for a token).
export async function loginAs(srv, login, password, opts = {}) {
  const p = new Person(srv, opts);
  const res = await p.login(login, password, opts);
  if (res.status !== 200) throw new Error(`login ${login} failed: ${res.status} ${res.text}`);
  return p;
}

// `parta admin create-admin` on a data dir (the server may be running on it):
// returns { status, stdout, stderr } of the finished command.
export function createAdminCli(dataDir, { login, name, password }) {
  return spawnSync(PARTA_BIN, ['admin', 'create-admin', `--login=${login}`, `--name=${name}`,
    `--data-dir=${dataDir}`, '--log-level=warn'], {
    env: { ...process.env, PARTA_ADMIN_PASSWORD: password }, encoding: 'utf8', timeout: 20000,
  });
}

// Prometheus text → Map of "name{labels}" → number.
export function parseMetrics(text) {
  const m = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    m.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return m;
}

export async function metrics(target) {
  const res = await request(target, 'GET', '/metrics');
  if (res.status !== 200) throw new Error(`/metrics: ${res.status}`);
  return parseMetrics(res.text);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Send bytes over a raw TCP connection and collect the answer.
// what: a string/Buffer, or an array / (async) iterable of them (chunks written
// one after the other, honouring back-pressure, with opts.gapMs between them).
// opts.waitMs: how long to wait after the last write for the server to close
// (default 2000); opts.until(buf): stop waiting early when it returns true;
// opts.stopWritingOnData: stop sending further chunks once the server answered.
// Returns { data, text, closed, reset, bytesSent, sentBeforeAnswer (bytes the
// kernel had taken when the first answer byte arrived), allSent, elapsedMs,
// closedAfterMs }.
export function rawExchange(port, what, opts = {}) {
  const waitMs = opts.waitMs ?? 2000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: opts.host || '127.0.0.1' });
    const parts = [];
    let closed = false;
    let reset = false;
    let closedAt = null;
    let bytesSent = 0;
    let sentBeforeAnswer = null;
    let allSent = false;
    let finished = false;
    let timer = null;
    let wake = null;
    const data = () => Buffer.concat(parts);
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (!sock.destroyed) sock.destroy();
      const buf = data();
      resolve({
        data: buf,
        text: buf.toString('latin1'),
        closed,
        reset,
        bytesSent,
        sentBeforeAnswer,
        allSent,
        elapsedMs: Date.now() - started,
        closedAfterMs: closedAt === null ? null : closedAt - started,
      });
    };
    const check = () => {
      if (opts.until && opts.until(data())) finish();
    };
    const markClosed = () => {
      if (!closed) { closed = true; closedAt = Date.now(); }
      if (wake) wake();
      setImmediate(finish);
    };
    sock.on('data', (d) => {
      if (sentBeforeAnswer === null) sentBeforeAnswer = bytesSent;
      parts.push(d);
      if (wake) wake();
      check();
    });
    sock.on('end', markClosed);
    sock.on('close', markClosed);
    sock.on('error', (e) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') { reset = true; markClosed(); }
      else if (!finished) { finished = true; reject(e); }
    });
    sock.on('connect', async () => {
      const chunks = (typeof what === 'string' || Buffer.isBuffer(what) || what instanceof Uint8Array) ? [what] : what;
      try {
        for await (const chunk of chunks) {
          if (closed || finished) break;
          if (opts.stopWritingOnData && parts.length) break;
          const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : Buffer.from(chunk);
          const ok = sock.write(buf, (err) => { if (!err) bytesSent += buf.length; });
          if (!ok) {
            await new Promise((r) => {
              wake = r;
              sock.once('drain', r);
            });
            wake = null;
          }
          if (opts.gapMs) await sleep(opts.gapMs);
        }
        if (!closed && !finished && !(opts.stopWritingOnData && parts.length)) {
          await new Promise((r) => sock.write('', r));
          allSent = true;
        }
      } catch { /* the socket failed under us: reported through closed/reset */ }
      if (closed) { finish(); return; }
      check();
      timer = setTimeout(finish, waitMs);
    });
  });
}

// Split raw bytes into responses: [{ status, reason, headers, body }]. A
// response to HEAD has no body: pass opts.head = true.
export function parseResponses(buf, opts = {}) {
  const out = [];
  let off = 0;
  while (off < buf.length) {
    const end = buf.indexOf('\r\n\r\n', off, 'latin1');
    if (end < 0) break;
    const head = buf.subarray(off, end).toString('latin1');
    const [statusLine, ...lines] = head.split('\r\n');
    const m = statusLine.match(/^HTTP\/1\.[01] (\d{3}) ?(.*)$/);
    if (!m) throw new Error(`not a status line: ${JSON.stringify(statusLine)}`);
    const headers = {};
    for (const l of lines) {
      const c = l.indexOf(':');
      headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
    }
    const status = Number(m[1]);
    let len = Number(headers['content-length'] || 0);
    if (opts.head || status === 204 || status === 304 || status === 101) len = 0;
    if (buf.length < end + 4 + len) break; // incomplete
    const body = buf.subarray(end + 4, end + 4 + len);
    out.push({ status, reason: m[2], headers, body, text: body.toString('utf8'), rawLength: end + 4 + len - off });
    off = end + 4 + len;
    if (status === 101) break;
  }
  return out;
}

// One raw TCP connection driven step by step (keep-alive, HEAD, ordering):
//   const c = await RawConn.open(port); c.write('GET / HTTP/1.1\r\n...');
//   const [res] = await c.responses(1); await c.waitClose();
export class RawConn {
  static open(port, host = '127.0.0.1') {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ port, host });
      sock.once('connect', () => { sock.off('error', reject); resolve(new RawConn(sock)); });
      sock.once('error', reject);
    });
  }

  constructor(sock) {
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    this.closed = false;
    this.waiters = [];
    sock.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this._wake(); });
    sock.on('error', () => {});
    sock.on('close', () => { this.closed = true; this._wake(); });
  }

  _wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async _waitFor(cond, timeoutMs, what) {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.buf.toString('latin1').slice(0, 400))}`);
      await new Promise((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  }

  write(bytes) {
    this.sock.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  // Wait until n complete responses arrived; returns them and consumes their
  // bytes. opts.head: the responses answer HEAD requests (no bodies).
  async responses(n, { head = false, timeoutMs = 15000 } = {}) {
    let parsed = [];
    const complete = () => {
      parsed = parseResponses(this.buf, { head });
      if (parsed.length < n) return this.closed && this._fail(n, parsed);
      return true;
    };
    await this._waitFor(complete, timeoutMs, `${n} responses`);
    parsed = parsed.slice(0, n);
    const used = parsed.reduce((a, r) => a + r.rawLength, 0);
    this.buf = this.buf.subarray(used);
    return parsed;
  }

  _fail(n, parsed) {
    throw new Error(`connection closed after ${parsed.length} of ${n} responses`);
  }

  // Bytes received and not consumed by responses().
  pending() {
    return this.buf;
  }

  async waitClose({ timeoutMs = 5000 } = {}) {
    await this._waitFor(() => this.closed, timeoutMs, 'the server to close');
  }

  destroy() {
    this.sock.destroy();
  }
}
