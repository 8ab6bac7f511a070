// SPDX-License-Identifier: MIT
// The static file server for the web client, on a web dir of known files made
// here (independent of the client build): validators and 304s, ranges,
// pre-compressed twins, caching and security headers, HEAD, client-side
// routes falling back to index.html, and what must not be served.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { startServer } from '../lib/server.mjs';
import { parseResponses, rawExchange, RawConn, request } from '../lib/http.mjs';

const INDEX = '<!doctype html><html lang="ru"><head><title>Parta test</title></head><body><div id="app"></div></body></html>\n';
const APP_JS = `// test bundle\n${'export const answer = 42;\n'.repeat(200)}`;
const BLOB = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) % 256));
const MTIME = new Date('2024-01-02T03:04:05Z');
const MTIME_HTTP = 'Tue, 02 Jan 2024 03:04:05 GMT';

let srv;
let webDir;

before(async () => {
  webDir = mkdtempSync(join(tmpdir(), 'parta-web-'));
  mkdirSync(join(webDir, 'assets'));
  writeFileSync(join(webDir, 'index.html'), INDEX);
  writeFileSync(join(webDir, 'assets', 'app-abc123.js'), APP_JS);
  writeFileSync(join(webDir, 'assets', 'app-abc123.js.gz'), gzipSync(APP_JS));
  writeFileSync(join(webDir, 'blob.bin'), BLOB);
  writeFileSync(join(webDir, '.secret'), 'do not serve');
  for (const f of ['index.html', 'blob.bin', 'assets/app-abc123.js']) utimesSync(join(webDir, f), MTIME, MTIME);
  srv = await startServer({ args: [`--web-dir=${webDir}`] });
});

after(async () => {
  await srv?.stop();
  rmSync(webDir, { recursive: true, force: true });
});

const get = (path, headers = {}) => request(srv, 'GET', path, { headers });

describe('index.html', () => {
  test('GET /: the file with validators, no-cache and the security headers', async () => {
    const r = await get('/');
    assert.equal(r.status, 200);
    assert.equal(r.text, INDEX);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(Number(r.headers['content-length']), Buffer.byteLength(INDEX));
    assert.match(r.headers.etag, /^"[0-9a-f]+-[0-9a-f]{16}"$/);
    assert.equal(r.headers['last-modified'], MTIME_HTTP);
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['referrer-policy'], 'same-origin');
    const csp = r.headers['content-security-policy'];
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(r.headers['accept-ranges'], 'bytes');
    const same = await get('/index.html');
    assert.equal(same.text, INDEX);
    assert.equal(same.headers.etag, r.headers.etag);
  });

  test('If-None-Match with the ETag: 304 without a body; another ETag: 200', async () => {
    const { headers } = await get('/');
    for (const inm of [headers.etag, `W/${headers.etag}`, `"other", ${headers.etag}`, '*']) {
      const r = await get('/', { 'If-None-Match': inm });
      assert.equal(r.status, 304, inm);
      assert.equal(r.body.length, 0);
      assert.equal(r.headers.etag, headers.etag);
    }
    const other = await get('/', { 'If-None-Match': '"3-0000000000000000"' });
    assert.equal(other.status, 200);
    assert.equal(other.text, INDEX);
  });

  test('If-Modified-Since: 304 when not modified since, 200 when it was', async () => {
    const r = await get('/', { 'If-Modified-Since': MTIME_HTTP });
    assert.equal(r.status, 304);
    assert.equal(r.body.length, 0);
    const later = await get('/', { 'If-Modified-Since': 'Wed, 01 Jan 2025 00:00:00 GMT' });
    assert.equal(later.status, 304);
    const earlier = await get('/', { 'If-Modified-Since': 'Mon, 01 Jan 2024 00:00:00 GMT' });
    assert.equal(earlier.status, 200);
    assert.equal(earlier.text, INDEX);
    const garbage = await get('/', { 'If-Modified-Since': 'yesterday' });
    assert.equal(garbage.status, 200);
  });

  test('HEAD: the headers of GET (Content-Length included) and no body', async () => {
    const c = await RawConn.open(srv.port);
    c.write('HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\nGET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    await c.waitClose();
    const raw = c.pending();
    const headEnd = raw.indexOf('\r\n\r\n') + 4;
    const [head] = parseResponses(raw.subarray(0, headEnd), { head: true });
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers['content-length']), Buffer.byteLength(INDEX));
    assert.ok(head.headers.etag);
    assert.equal(head.headers['content-type'], 'text/html; charset=utf-8');
    const rest = raw.subarray(headEnd).toString('latin1');
    assert.ok(rest.startsWith('HTTP/1.1 200 '), `the next response follows the head at once: ${JSON.stringify(rest.slice(0, 60))}`);
    assert.match(rest, /"status":"ok"/);
  });

  test('client-side routes get index.html', async () => {
    // dots in the query string are not in the path
    for (const path of ['/profile', '/login', '/groups/12/chat', '/profile?tab=sessions', '/login?next=/groups/../profile',
      '/?v=1.2']) {
      const r = await get(path);
      assert.equal(r.status, 200, path);
      assert.equal(r.text, INDEX, path);
      assert.equal(r.headers['cache-control'], 'no-cache');
    }
  });
});

describe('other files', () => {
  test('Range bytes=0-99: 206 with Content-Range and the first 100 bytes', async () => {
    const r = await get('/blob.bin', { Range: 'bytes=0-99' });
    assert.equal(r.status, 206);
    assert.equal(r.headers['content-range'], 'bytes 0-99/1000');
    assert.equal(Number(r.headers['content-length']), 100);
    assert.deepEqual(r.body, BLOB.subarray(0, 100));
    const mid = await get('/blob.bin', { Range: 'bytes=500-509' });
    assert.equal(mid.headers['content-range'], 'bytes 500-509/1000');
    assert.deepEqual(mid.body, BLOB.subarray(500, 510));
  });

  test('Range bytes=-10: the last 10 bytes; bytes=990-: to the end', async () => {
    const r = await get('/blob.bin', { Range: 'bytes=-10' });
    assert.equal(r.status, 206);
    assert.equal(r.headers['content-range'], 'bytes 990-999/1000');
    assert.deepEqual(r.body, BLOB.subarray(990));
    const open = await get('/blob.bin', { Range: 'bytes=990-' });
    assert.equal(open.status, 206);
    assert.deepEqual(open.body, BLOB.subarray(990));
    const past = await get('/blob.bin', { Range: 'bytes=900-5000' });
    assert.equal(past.headers['content-range'], 'bytes 900-999/1000');
    assert.equal(past.body.length, 100);
  });

  test('an unsatisfiable range: 416 with Content-Range bytes */1000', async () => {
    const r = await get('/blob.bin', { Range: 'bytes=5000-6000' });
    assert.equal(r.status, 416);
    assert.equal(r.headers['content-range'], 'bytes */1000');
    assert.equal(r.body.length, 0);
  });

  test('a malformed range or a stale If-Range: the whole file', async () => {
    for (const range of ['bytes=abc', 'items=0-10', 'bytes=0-1,5-6', 'bytes=50-10']) {
      const r = await get('/blob.bin', { Range: range });
      assert.equal(r.status, 200, range);
      assert.deepEqual(r.body, BLOB);
    }
    const { headers } = await get('/blob.bin');
    const stale = await get('/blob.bin', { Range: 'bytes=0-9', 'If-Range': '"stale"' });
    assert.equal(stale.status, 200);
    assert.equal(stale.body.length, 1000);
    const fresh = await get('/blob.bin', { Range: 'bytes=0-9', 'If-Range': headers.etag });
    assert.equal(fresh.status, 206);
    assert.equal(fresh.body.length, 10);
  });

  test('Accept-Encoding: gzip gets the pre-compressed twin, which gunzips to the file', async () => {
    const gz = await get('/assets/app-abc123.js', { 'Accept-Encoding': 'br, gzip;q=0.8' });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gz.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.match(gz.headers.vary, /Accept-Encoding/);
    assert.ok(gz.body.length < Buffer.byteLength(APP_JS));
    assert.equal(gunzipSync(gz.body).toString('utf8'), APP_JS);
    const plain = await get('/assets/app-abc123.js');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.text, APP_JS);
    assert.equal(plain.headers.etag, gz.headers.etag);
    const identity = await get('/assets/app-abc123.js', { 'Accept-Encoding': 'identity' });
    assert.equal(identity.headers['content-encoding'], undefined);
    // no twin: never gzip
    const bin = await get('/blob.bin', { 'Accept-Encoding': 'gzip' });
    assert.equal(bin.headers['content-encoding'], undefined);
    assert.equal(bin.headers['content-type'], 'application/octet-stream');
  });

  test('hashed assets are cached for a year, immutable; other files are revalidated', async () => {
    const a = await get('/assets/app-abc123.js');
    assert.equal(a.headers['cache-control'], 'public, max-age=31536000, immutable');
    const b = await get('/blob.bin');
    assert.equal(b.headers['cache-control'], 'no-cache');
  });
});

describe('what is not served', () => {
  test('/api/... unknown: a JSON 404, never index.html', async () => {
    for (const path of ['/api/v1/nope', '/api/anything']) {
      const r = await get(path);
      assert.equal(r.status, 404, path);
      assert.match(r.headers['content-type'], /^application\/json/);
      assert.equal(r.json.error.code, 'not_found');
    }
  });

  test('a missing file with an extension: 404', async () => {
    for (const path of ['/missing.png', '/assets/app-zzz999.js', '/assets/app-abc123.js.gz', '/.secret']) {
      const r = await get(path);
      assert.equal(r.status, 404, path);
      assert.doesNotMatch(r.text, /<html|do not serve/, path);
    }
  });

  test('path traversal is refused, not served', async () => {
    for (const path of ['/../../etc/passwd', '/assets/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2fetc%2fpasswd', '/assets/../index.html', '/..']) {
      const r = await rawExchange(srv.port, `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      const [res] = parseResponses(r.data);
      assert.ok(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
      assert.doesNotMatch(res.text, /root:|<html/, path);
    }
  });

  test('writes to static paths are not static', async () => {
    const r = await request(srv, 'POST', '/index.html', { body: 'x', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(r.status, 404);
    assert.match(r.headers['content-type'], /^application\/json/);
  });
});

describe('shutdown', () => {
  test('SIGTERM: exit code 0', async () => {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
    srv = null;
  });
});
