// SPDX-License-Identifier: MIT
// Operations endpoints and the API's error envelope: /healthz, /metrics
// (Prometheus text whose counters move), 404 / 405 as JSON, and the language
// of error messages chosen by Accept-Language.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { ADMIN, createFirstAdmin, metrics, parseResponses, Person, RawConn, request } from '../lib/http.mjs';

let srv;

before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

describe('health and metrics', () => {
  test('GET /healthz answers 200 JSON with status ok', async () => {
    const r = await request(srv, 'GET', '/healthz');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^application\/json/);
    assert.equal(r.json.status, 'ok');
    assert.equal(r.json.store, 'sqlite');
    assert.equal(typeof r.json.uptime_s, 'number');
    assert.ok(r.json.connections >= 1, 'the asking connection is counted');
  });

  test('HEAD /healthz has the headers of GET and no body', async () => {
    // raw, so a body sent after the head would show: the next answer must follow at once
    const c = await RawConn.open(srv.port);
    c.write('HEAD /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET /api/v1/after-head HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    await c.waitClose();
    const raw = c.pending();
    const headEnd = raw.indexOf('\r\n\r\n') + 4;
    const [head] = parseResponses(raw.subarray(0, headEnd), { head: true });
    assert.equal(head.status, 200);
    assert.match(head.headers['content-type'], /^application\/json/);
    assert.ok(Number(head.headers['content-length']) > 0);
    const [next] = parseResponses(raw.subarray(headEnd));
    assert.equal(next.status, 404, 'the second answer starts right after the head');
  });

  test('/metrics is Prometheus text and its request counter moves', async () => {
    const r = await request(srv, 'GET', '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^text\/plain; version=0\.0\.4/);
    assert.match(r.text, /^# HELP parta_open_connections /m);
    assert.match(r.text, /^# TYPE parta_open_connections gauge$/m);
    assert.match(r.text, /^# TYPE parta_http_requests_total counter$/m);
    assert.match(r.text, /^# TYPE parta_http_request_duration_seconds histogram$/m);
    const key = 'parta_http_requests_total{route="/healthz",status="200"}';
    const before = (await metrics(srv)).get(key) ?? 0;
    for (let i = 0; i < 3; i++) assert.equal((await request(srv, 'GET', '/healthz')).status, 200);
    const m = await metrics(srv);
    assert.equal(m.get(key), before + 3);
    assert.ok(m.get('parta_open_connections') >= 1, 'the /metrics request itself is open');
    assert.ok(m.get('parta_connections_total') >= 5);
    assert.ok(m.get('parta_http_request_duration_seconds_count') >= before + 3);
    assert.equal(m.get('parta_websocket_connections'), 0);
  });

  test('errors are counted per route and status too', async () => {
    const key = 'parta_http_requests_total{route="(not found)",status="404"}';
    const before = (await metrics(srv)).get(key) ?? 0;
    await request(srv, 'GET', '/api/v1/does-not-exist');
    await request(srv, 'GET', '/api/v1/nor-this');
    assert.equal((await metrics(srv)).get(key), before + 2);
  });

  test('store operations are timed: a login adds parta_store_operation_duration_seconds{op="login"}', async () => {
    const admin = await createFirstAdmin(srv);
    const count = 'parta_store_operation_duration_seconds_count{op="login"}';
    let m = await metrics(srv);
    assert.ok(m.get('parta_store_operation_duration_seconds_count{op="setup_complete"}') >= 1);
    assert.equal(m.get(count), undefined, 'no login yet');
    const p = new Person(srv);
    assert.equal((await p.login(ADMIN.login, ADMIN.password)).status, 200);
    m = await metrics(srv);
    assert.equal(m.get(count), 1);
    assert.equal(m.get('parta_store_operation_duration_seconds_bucket{op="login",le="+Inf"}'), 1);
    assert.ok(m.get('parta_store_operation_duration_seconds_sum{op="login"}') > 0);
    assert.equal(m.get('parta_http_requests_total{route="/api/v1/auth/login",status="200"}'), 1);
    assert.ok(admin.user.id > 0);
  });
});

describe('error envelope', () => {
  test('unknown /api path: 404 JSON not_found', async () => {
    const r = await request(srv, 'GET', '/api/v1/nothing/here');
    assert.equal(r.status, 404);
    assert.match(r.headers['content-type'], /^application\/json/);
    assert.equal(r.json.error.code, 'not_found');
    assert.equal(typeof r.json.error.message, 'string');
  });

  test('wrong method on a known route: 405 method_not_allowed', async () => {
    const r = await request(srv, 'POST', '/healthz', { json: {} });
    assert.equal(r.status, 405);
    assert.equal(r.json.error.code, 'method_not_allowed');
    const r2 = await request(srv, 'GET', '/api/v1/auth/login');
    assert.equal(r2.status, 405);
    assert.equal(r2.json.error.code, 'method_not_allowed');
  });

  test('messages are Russian by default and English with Accept-Language: en', async () => {
    const ru = await request(srv, 'GET', '/api/v1/nothing');
    assert.equal(ru.json.error.message, 'Не найдено');
    const en = await request(srv, 'GET', '/api/v1/nothing', { headers: { 'Accept-Language': 'en' } });
    assert.equal(en.json.error.message, 'Not found');
    assert.equal(en.json.error.code, 'not_found');
    const q = await request(srv, 'GET', '/api/v1/nothing', { headers: { 'Accept-Language': 'ru;q=0.5, en-GB;q=0.9' } });
    assert.equal(q.json.error.message, 'Not found');
    const other = await request(srv, 'GET', '/api/v1/nothing', { headers: { 'Accept-Language': 'de' } });
    assert.equal(other.json.error.message, 'Не найдено');
    const m405 = await request(srv, 'DELETE', '/metrics', { headers: { 'Accept-Language': 'en-US' } });
    assert.equal(m405.json.error.message, 'Method not allowed');
  });
});

describe('shutdown', () => {
  test('SIGTERM stops the server cleanly with exit code 0', async () => {
    const res = await srv.stop();
    assert.deepEqual(res, { code: 0, signal: null });
    srv = null;
  });
});
