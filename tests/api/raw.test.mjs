// SPDX-License-Identifier: MIT
// The HTTP/1.1 server against raw bytes: malformed and hostile requests get a
// proper error answer and a closed connection, limits hold (request line,
// header count and size, body), slow clients time out, a protocol violation on
// an upgraded WebSocket closes it with 1002 — and after each of them the
// server still answers. Also pipelining, keep-alive and chunked bodies.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { ADMIN, createFirstAdmin, loginAs, metrics, parseResponses, rawExchange, RawConn, request } from '../lib/http.mjs';
import { OP, wsOpen } from '../lib/ws.mjs';

const HEADER_TIMEOUT_MS = 300;
let srv;

before(async () => {
  srv = await startServer({
    args: [`--header-timeout-ms=${HEADER_TIMEOUT_MS}`, '--max-body-bytes=1024', '--max-request-line=256', '--max-headers=8'],
  });
});

after(async () => { await srv?.stop(); });

async function assertHealthy() {
  const r = await request(srv, 'GET', '/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'ok');
}

// The one response of a refused request, and that the server closed.
function refused(r, status) {
  assert.ok(r.closed, `the server closed the connection (got ${JSON.stringify(r.text.slice(0, 200))})`);
  const res = parseResponses(r.data);
  assert.equal(res.length, 1, r.text);
  assert.equal(res[0].status, status, r.text);
  assert.equal(res[0].headers.connection, 'close');
  assert.match(res[0].headers['content-type'], /^application\/json/);
  return { ...res[0], json: JSON.parse(res[0].text) };
}

function peakRssKb(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
  return m ? Number(m[1]) : null;
}

describe('malformed requests (each followed by a healthy GET /healthz)', () => {
  test('garbage bytes: 400 and close', async () => {
    const r = await rawExchange(srv.port, '\x00\x01GARBAGE\r\n\r\n');
    const res = refused(r, 400);
    assert.equal(res.json.error.code, 'bad_request');
    await assertHealthy();
  });

  test('a 10 MB header: 431 and close, without the server reading it all', async () => {
    const hwmBefore = peakRssKb(srv.proc.pid);
    const TOTAL = 10 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    // a client that reads between writes: it sees the answer as soon as it comes
    async function* stream() {
      yield 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ';
      for (let sent = 0; sent < TOTAL; sent += chunk.length) {
        await new Promise((r) => setImmediate(r));
        yield chunk;
      }
      yield '\r\n\r\n';
    }
    const r = await rawExchange(srv.port, stream(), { stopWritingOnData: true, waitMs: 3000 });
    const res = refused(r, 431);
    assert.equal(res.json.error.code, 'headers_too_large');
    assert.ok(r.sentBeforeAnswer < TOTAL / 2, `answered once over the limit, not at the end (${r.sentBeforeAnswer} bytes sent by then)`);
    const hwmAfter = peakRssKb(srv.proc.pid);
    if (hwmBefore !== null && process.env.PARTA_VALGRIND !== '1') {
      assert.ok(hwmAfter - hwmBefore < 4096, `peak memory grew by ${hwmAfter - hwmBefore} kB`);
    }
    await assertHealthy();
  });

  test('a client that keeps sending past the error still reads the 431, not a reset', async () => {
    const TOTAL = 4 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'b');
    function* stream() {
      yield 'POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nX-Big: ';
      for (let sent = 0; sent < TOTAL; sent += chunk.length) yield chunk;
    }
    const r = await rawExchange(srv.port, stream(), { waitMs: 3000 });
    assert.ok(!r.reset, 'no connection reset');
    assert.equal(refused(r, 431).json.error.code, 'headers_too_large');
    await assertHealthy();
  });

  test('a half request then silence: 408 after the header timeout, then close', async () => {
    const r = await rawExchange(srv.port, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n', { waitMs: 3000 });
    const res = refused(r, 408);
    assert.equal(res.json.error.code, 'timeout');
    assert.ok(r.closedAfterMs >= HEADER_TIMEOUT_MS - 50, `closed after ${r.closedAfterMs} ms`);
    assert.ok(r.closedAfterMs < 2000, `closed after ${r.closedAfterMs} ms`);
    await assertHealthy();
  });

  test('trickling header bytes does not extend the header deadline', async () => {
    const bytes = 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: abcdefghijklmnopqrstuvwxyz\r\n'.split('');
    const r = await rawExchange(srv.port, bytes, { gapMs: 40, waitMs: 3000 });
    refused(r, 408);
    assert.ok(r.closedAfterMs < HEADER_TIMEOUT_MS + 1000, `closed after ${r.closedAfterMs} ms`);
    assert.ok(!r.allSent, 'the server did not wait for the whole trickle');
    await assertHealthy();
  });

  test('a request-target over --max-request-line: 414', async () => {
    const r = await rawExchange(srv.port, `GET /${'a'.repeat(300)} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    assert.equal(refused(r, 414).json.error.code, 'uri_too_long');
    // just under the limit is fine (an unknown API path: 404)
    const ok = await rawExchange(srv.port, `GET /api/${'a'.repeat(200)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    assert.equal(parseResponses(ok.data)[0].status, 404);
    await assertHealthy();
  });

  test('more headers than --max-headers: 431', async () => {
    const headers = Array.from({ length: 9 }, (_, i) => `X-H${i}: v\r\n`).join('');
    const r = await rawExchange(srv.port, `GET /healthz HTTP/1.1\r\nHost: localhost\r\n${headers}\r\n`);
    assert.equal(refused(r, 431).json.error.code, 'headers_too_large');
    const fine = Array.from({ length: 6 }, (_, i) => `X-H${i}: v\r\n`).join('');
    const ok = await rawExchange(srv.port, `GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${fine}\r\n`);
    assert.equal(parseResponses(ok.data)[0].status, 200);
    await assertHealthy();
  });

  test('a body over --max-body-bytes: 413, announced or chunked', async () => {
    const head = 'POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n';
    const announced = await rawExchange(srv.port, `${head}Content-Length: 2000\r\n\r\n`);
    assert.equal(refused(announced, 413).json.error.code, 'payload_too_large');
    const chunked = await rawExchange(srv.port, `${head}Transfer-Encoding: chunked\r\n\r\n400\r\n${'x'.repeat(1024)}\r\n10\r\n${'y'.repeat(16)}\r\n0\r\n\r\n`);
    refused(chunked, 413);
    await assertHealthy();
  });

  test('HTTP/2 preface and other HTTP versions: refused and closed', async () => {
    const h2 = await rawExchange(srv.port, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    const a = refused(h2, parseResponses(h2.data)[0]?.status);
    assert.ok(a.status === 400 || a.status === 505, `status ${a.status}`);
    for (const req of ['GET /healthz\r\n\r\n', 'GET /healthz HTTP/2.0\r\nHost: localhost\r\n\r\n', 'GET /healthz HTTP/0.9\r\n\r\n']) {
      const r = await rawExchange(srv.port, req);
      const res = refused(r, parseResponses(r.data)[0]?.status);
      assert.ok(res.status === 505 || (res.status >= 400 && res.status < 500), `${JSON.stringify(req)}: ${res.status}`);
    }
    // an HTTP/0.9 simple request (no version, nothing after): an error, not the file
    const simple = await rawExchange(srv.port, 'GET /healthz\r\n', { waitMs: 3000 });
    const s = refused(simple, parseResponses(simple.data)[0]?.status);
    assert.ok(s.status >= 400, `status ${s.status}`);
    await assertHealthy();
  });

  test('HTTP/1.1 without Host: 400', async () => {
    const r = await rawExchange(srv.port, 'GET /healthz HTTP/1.1\r\n\r\n');
    refused(r, 400);
    await assertHealthy();
  });
});

describe('well-formed raw traffic', () => {
  test('two pipelined GET /healthz in one write get two answers in order', async () => {
    const c = await RawConn.open(srv.port);
    c.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n'
      + 'GET /api/v1/pipelined-last HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    const res = await c.responses(3);
    assert.deepEqual(res.map((r) => r.status), [200, 200, 404]);
    assert.equal(JSON.parse(res[0].text).status, 'ok');
    assert.equal(JSON.parse(res[1].text).status, 'ok');
    assert.equal(res[0].headers.connection, undefined, 'keep-alive');
    assert.equal(res[2].headers.connection, 'close');
    await c.waitClose();
    assert.equal(c.pending().length, 0);
  });

  test('a slow request pipelined before a fast one is still answered first', async () => {
    const body = JSON.stringify({ login: 'nobody@college.example', password: 'no-such-password' });
    const c = await RawConn.open(srv.port);
    c.write(`POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
      + 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    const res = await c.responses(2);
    assert.deepEqual(res.map((r) => r.status), [401, 200]);
    assert.equal(JSON.parse(res[0].text).error.code, 'bad_credentials');
    c.destroy();
  });

  test('keep-alive: one socket serves three requests one after another', async () => {
    const before = (await metrics(srv)).get('parta_connections_total');
    const c = await RawConn.open(srv.port);
    for (let i = 0; i < 3; i++) {
      c.write(`GET /healthz?i=${i} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
      const [res] = await c.responses(1);
      assert.equal(res.status, 200);
      assert.equal(res.headers.connection, undefined);
      assert.ok(!c.closed);
    }
    // one connection for the three, one for this /metrics request
    assert.equal((await metrics(srv)).get('parta_connections_total'), before + 2);
    c.write('GET /healthz HTTP/1.0\r\n\r\n');
    const [last] = await c.responses(1);
    assert.equal(last.status, 200);
    assert.equal(last.headers.connection, 'close', 'HTTP/1.0 without keep-alive closes');
    await c.waitClose();
  });

  test('a chunked request body is reassembled and parsed', async () => {
    const json = JSON.stringify({ login: 'nobody@college.example', password: 'some-password' });
    const parts = [json.slice(0, 5), json.slice(5, 20), json.slice(20)];
    const chunked = parts.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`).join('') + '0\r\n\r\n';
    const r = await rawExchange(srv.port, [
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
      chunked.slice(0, 10), chunked.slice(10),
    ], { gapMs: 20, waitMs: 15000 }); // it closes after the answer (a password hash away)
    const [res] = parseResponses(r.data);
    assert.equal(res.status, 401, r.text);
    assert.equal(JSON.parse(res.text).error.code, 'bad_credentials', 'the body was parsed: the login was tried');
  });
});

describe('WebSocket protocol violation', () => {
  test('an unmasked client frame after the upgrade: close 1002', async () => {
    await createFirstAdmin(srv);
    const p = await loginAs(srv, ADMIN.login, ADMIN.password, { bearer: true });
    const ws = await wsOpen(srv.port, { bearer: p.token });
    assert.equal((await ws.nextJson()).type, 'hello');
    ws.sendFrame({ opcode: OP.TEXT, payload: '{"type":"ping","id":"1"}', mask: false });
    const f = await ws.nextFrame();
    assert.equal(f.opcode, OP.CLOSE);
    const { code, gotCloseFrame } = await ws.waitClose();
    assert.ok(gotCloseFrame);
    assert.equal(code, 1002);
    await assertHealthy();
  });
});

describe('shutdown', () => {
  test('SIGTERM: exit code 0', async () => {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
    srv = null;
  });
});
