// SPDX-License-Identifier: MIT
// GET /api/v1/ws: the handshake's checks (authentication, Origin with a
// cookie, version, key), the greeting and the ping/pong message, RFC 6455
// framing as the server sees it (fragments with an interleaved ping, control
// frames) and the close codes for broken input (1007 bad UTF-8, 1009 too big,
// 1003 binary), the close handshake, the connection gauge, and the 1001
// close at shutdown.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { ADMIN, createFirstAdmin, loginAs, metrics } from '../lib/http.mjs';
import { OP, wsHandshake, wsOpen } from '../lib/ws.mjs';

const MAX_FRAME = 1024;
let srv;
let cookieUser;   // Person logged in by cookie (the setup session)
let bearerUser;   // Person with a bearer token

before(async () => {
  srv = await startServer({ args: [`--ws-max-frame=${MAX_FRAME}`] });
  cookieUser = await createFirstAdmin(srv);
  bearerUser = await loginAs(srv, ADMIN.login, ADMIN.password, { bearer: true });
});

after(async () => { await srv?.stop(); });

async function open() {
  const ws = await wsOpen(srv.port, { bearer: bearerUser.token });
  const hello = await ws.nextJson();
  assert.equal(hello.type, 'hello');
  return ws;
}

async function closedWith(ws, code) {
  const f = await ws.nextFrame();
  assert.equal(f.opcode, OP.CLOSE, `expected a close frame, got opcode ${f.opcode}: ${f.text}`);
  const res = await ws.waitClose();
  assert.equal(res.code, code);
  assert.ok(ws.socketClosed, 'the server closed the TCP connection');
}

async function wsGauge() {
  return (await metrics(srv)).get('parta_websocket_connections');
}

describe('handshake', () => {
  test('without authentication: 401', async () => {
    const r = await wsHandshake(srv.port, {});
    assert.equal(r.status, 401);
    assert.equal(JSON.parse(r.text).error.code, 'unauthenticated');
    assert.equal(r.ws, null);
    const forged = await wsHandshake(srv.port, { bearer: 'A'.repeat(43) });
    assert.equal(forged.status, 401);
  });

  test('with the session cookie the Origin must be ours: foreign 403, same 101, none 101', async () => {
    const foreign = await wsHandshake(srv.port, { cookie: cookieUser.sessionCookie, origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    assert.equal(JSON.parse(foreign.text).error.code, 'forbidden');
    assert.equal(JSON.parse(foreign.text).error.field, 'origin');
    const lookalike = await wsHandshake(srv.port, { cookie: cookieUser.sessionCookie, origin: `http://127.0.0.1:${srv.port}.evil.example` });
    assert.equal(lookalike.status, 403);
    const same = await wsHandshake(srv.port, { cookie: cookieUser.sessionCookie, origin: `http://127.0.0.1:${srv.port}` });
    assert.equal(same.status, 101);
    assert.equal((await same.ws.nextJson()).type, 'hello');
    same.ws.close();
    await same.ws.waitClose();
    const none = await wsHandshake(srv.port, { cookie: cookieUser.sessionCookie });
    assert.equal(none.status, 101);
    none.ws.close();
    await none.ws.waitClose();
    // a bearer token is not sent by browsers on their own: any Origin is fine
    const bearer = await wsHandshake(srv.port, { bearer: bearerUser.token, origin: 'https://app.example' });
    assert.equal(bearer.status, 101);
    bearer.ws.close();
    await bearer.ws.waitClose();
  });

  test('a wrong Sec-WebSocket-Version: 415; a bad key or no Upgrade: 400', async () => {
    const v8 = await wsHandshake(srv.port, { bearer: bearerUser.token, version: '8' });
    assert.equal(v8.status, 415);
    assert.equal(JSON.parse(v8.text).error.code, 'unsupported');
    assert.equal(JSON.parse(v8.text).error.field, 'sec-websocket-version');
    const key = await wsHandshake(srv.port, { bearer: bearerUser.token, key: 'not-a-base64-key' });
    assert.equal(key.status, 400);
    assert.equal(JSON.parse(key.text).error.field, 'sec-websocket-key');
    const plain = await bearerUser.get('/api/v1/ws', { bearer: true });
    assert.equal(plain.status, 400);
    assert.equal(plain.json.error.field, 'upgrade');
  });

  test('with a bearer token: 101, then a hello naming the user', async () => {
    const ws = await wsOpen(srv.port, { bearer: bearerUser.token });
    const hello = await ws.nextJson();
    assert.deepEqual(hello, { type: 'hello', user_id: bearerUser.user.id, name: bearerUser.user.name, protocol: 1 });
    ws.close();
    await ws.waitClose();
  });
});

describe('messages and frames', () => {
  test('{"type":"ping","id":"x"} is answered {"type":"pong","id":"x"}', async () => {
    const ws = await open();
    ws.sendJson({ type: 'ping', id: 'x' });
    assert.deepEqual(await ws.nextJson(), { type: 'pong', id: 'x' });
    ws.sendJson({ type: 'ping', id: 'второй' });
    assert.deepEqual(await ws.nextJson(), { type: 'pong', id: 'второй' });
    ws.close();
    await ws.waitClose();
  });

  test('a message in 3 fragments with a ping between them: the pong first, then the reply', async () => {
    const ws = await open();
    // the id's Cyrillic letters are split across fragments, byte-wise
    const bytes = Buffer.from(JSON.stringify({ type: 'ping', id: 'фрагмент' }), 'utf8');
    const cut1 = bytes.indexOf(Buffer.from('ф', 'utf8')) + 1;   // inside a two-byte character
    const cut2 = bytes.length - 5;
    ws.sendFragmented([bytes.subarray(0, cut1), bytes.subarray(cut1, cut2), bytes.subarray(cut2)], {
      between: (i) => { if (i === 0) ws.ping('mid-message'); },
    });
    const pong = await ws.nextFrame();
    assert.equal(pong.opcode, OP.PONG);
    assert.equal(pong.text, 'mid-message');
    const reply = await ws.nextFrame();
    assert.equal(reply.opcode, OP.TEXT);
    assert.equal(reply.fin, true);
    assert.deepEqual(JSON.parse(reply.text), { type: 'pong', id: 'фрагмент' });
    ws.close();
    await ws.waitClose();
  });

  test('a ping frame gets a pong frame with the same payload', async () => {
    const ws = await open();
    const payload = Buffer.from([0, 1, 2, 250, 251, 252, 0x41]);
    ws.ping(payload);
    const f = await ws.nextFrame();
    assert.equal(f.opcode, OP.PONG);
    assert.equal(f.fin, true);
    assert.equal(f.masked, false, 'server frames are not masked');
    assert.deepEqual(f.payload, payload);
    ws.ping('');
    const empty = await ws.nextFrame();
    assert.equal(empty.opcode, OP.PONG);
    assert.equal(empty.payload.length, 0);
    ws.close();
    await ws.waitClose();
  });

  test('not JSON, or not an object: an error message, and the connection stays', async () => {
    const ws = await open();
    for (const text of ['{not json', '[1,2]', '"ping"', '']) {
      ws.sendText(text);
      const m = await ws.nextJson();
      assert.equal(m.type, 'error', text);
      assert.equal(m.code, 'invalid_input', text);
      assert.equal(typeof m.message, 'string');
    }
    ws.sendJson({ type: 'no-such-type', id: 'q1' });
    assert.deepEqual(
      (({ type, id, code }) => ({ type, id, code }))(await ws.nextJson()),
      { type: 'error', id: 'q1', code: 'unsupported' });
    ws.sendJson({ type: 'ping', id: 'still-open' });
    assert.deepEqual(await ws.nextJson(), { type: 'pong', id: 'still-open' });
    ws.close();
    await ws.waitClose();
  });

  test('invalid UTF-8 in a text frame: close 1007', async () => {
    const ws = await open();
    ws.sendText(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]));
    await closedWith(ws, 1007);
  });

  test('invalid UTF-8 split across fragments: close 1007', async () => {
    const ws = await open();
    ws.sendFragmented([Buffer.from('{"a":"\xe2', 'latin1'), Buffer.from('\x28\xa1"}', 'latin1')]);
    await closedWith(ws, 1007);
  });

  test(`a frame over --ws-max-frame (${MAX_FRAME}): close 1009`, async () => {
    const ws = await open();
    ws.sendJson({ type: 'ping', id: 'x'.repeat(MAX_FRAME) });
    await closedWith(ws, 1009);
  });

  test('a frame exactly at --ws-max-frame is fine', async () => {
    const ws = await open();
    // request ids are short (≤ 64 bytes): fill the frame with an ignored member
    const base = JSON.stringify({ type: 'ping', id: 'full', pad: '' });
    const pad = 'y'.repeat(MAX_FRAME - base.length);
    const msg = JSON.stringify({ type: 'ping', id: 'full', pad });
    assert.equal(Buffer.byteLength(msg), MAX_FRAME);
    ws.sendJson({ type: 'ping', id: 'full', pad });
    assert.deepEqual(await ws.nextJson(), { type: 'pong', id: 'full' });
    ws.close();
    await ws.waitClose();
  });

  test('a binary frame: close 1003', async () => {
    const ws = await open();
    ws.sendBinary(Buffer.from([1, 2, 3]));
    await closedWith(ws, 1003);
  });

  test('protocol violations: reserved bits, unknown opcode, stray continuation, long ping: close 1002', async () => {
    const cases = [
      (ws) => ws.sendFrame({ opcode: OP.TEXT, payload: '{}', rsv: 4 }),
      (ws) => ws.sendFrame({ opcode: 0x3, payload: 'x' }),
      (ws) => ws.sendFrame({ opcode: OP.CONT, payload: 'x' }),
      (ws) => ws.sendFrame({ opcode: OP.PING, payload: 'p'.repeat(126) }),
      (ws) => ws.sendFrame({ opcode: OP.PING, payload: 'x', fin: false }),
    ];
    for (const send of cases) {
      const ws = await open();
      send(ws);
      await closedWith(ws, 1002);
    }
  });

  test('the client\'s close is echoed with 1000 and the connection ends', async () => {
    const ws = await open();
    ws.close(1000, 'bye');
    await closedWith(ws, 1000);
    const ws2 = await open();
    ws2.sendFrame({ opcode: OP.CLOSE, payload: Buffer.alloc(0) });
    await closedWith(ws2, 1000);
  });

  test('parta_websocket_connections is 1 while a socket is open and 0 after', async () => {
    assert.equal(await wsGauge(), 0);
    const ws = await open();
    assert.equal(await wsGauge(), 1);
    const ws2 = await open();
    assert.equal(await wsGauge(), 2);
    ws2.close();
    await ws2.waitClose();
    assert.equal(await wsGauge(), 1);
    const before = (await metrics(srv)).get('parta_websocket_messages_total{direction="in"}');
    ws.sendJson({ type: 'ping', id: 'count' });
    await ws.nextJson();
    assert.equal((await metrics(srv)).get('parta_websocket_messages_total{direction="in"}'), before + 1);
    ws.close();
    await ws.waitClose();
    assert.equal(await wsGauge(), 0);
  });
});

describe('shutdown', () => {
  test('SIGTERM: open sockets get close 1001, the server exits 0', async () => {
    const ws = await open();
    const stopped = srv.stop();
    await closedWith(ws, 1001);
    assert.equal(ws.closeReason, 'server shutting down');
    assert.deepEqual(await stopped, { code: 0, signal: null });
    srv = null;
  });
});
