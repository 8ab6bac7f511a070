// SPDX-License-Identifier: MIT
// A minimal WebSocket client over node:net: the client side of RFC 6455, with
// hooks for sending what a real client never would (unmasked frames, bad
// UTF-8, oversize frames, raw bytes), so the tests can check the server's
// answers frame by frame.
//
//   const { status, ws } = await wsHandshake(port, { bearer: token });
//   ws.sendText('{"type":"ping"}'); const m = await ws.nextJson();
//   ws.sendFrame({ opcode: OP.TEXT, payload, mask: false });
//   const { code } = await ws.waitClose();
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

export const OP = { CONT: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xA };
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function acceptKey(key) {
  return createHash('sha1').update(key + GUID).digest('base64');
}

// Encode one client frame. opts: opcode, payload (string/Buffer), fin (true),
// mask (true), maskKey (4 random bytes), rsv (0..7), length (a false length
// to announce; the payload sent is still `payload`).
export function encodeFrame({ opcode = OP.TEXT, payload = Buffer.alloc(0), fin = true, mask = true,
  maskKey, rsv = 0, length } = {}) {
  const data = Buffer.isBuffer(payload) ? Buffer.from(payload) : Buffer.from(payload, 'utf8');
  const len = length ?? data.length;
  let head;
  if (len < 126) {
    head = Buffer.alloc(2);
    head[1] = len;
  } else if (len <= 0xffff) {
    head = Buffer.alloc(4);
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head = Buffer.alloc(10);
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  head[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  if (!mask) return Buffer.concat([head, data]);
  head[1] |= 0x80;
  const key = maskKey || randomBytes(4);
  for (let i = 0; i < data.length; i++) data[i] ^= key[i & 3];
  return Buffer.concat([head, key, data]);
}

export class WsClient {
  constructor(sock, leftover = Buffer.alloc(0)) {
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    this.frames = [];         // parsed, not yet taken
    this.waiters = [];
    this.closeCode = null;    // from the server's close frame (1005 if it had no code)
    this.closeReason = null;
    this.gotCloseFrame = false;
    this.socketClosed = false;
    this.error = null;
    this.closed = new Promise((resolve) => { this._resolveClosed = resolve; });
    sock.on('data', (d) => this._onData(d));
    sock.on('error', (e) => { this.error = e; });
    sock.on('close', () => {
      this.socketClosed = true;
      this._resolveClosed({ code: this.closeCode, reason: this.closeReason, gotCloseFrame: this.gotCloseFrame });
      this._wake();
    });
    if (leftover.length) this._onData(leftover);
  }

  _wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  _onData(d) {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      if (this.buf.length < 2) break;
      const b0 = this.buf[0];
      const b1 = this.buf[1];
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) break;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) break;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      if (masked) off += 4;
      if (this.buf.length < off + len) break;
      let payload = Buffer.from(this.buf.subarray(off, off + len));
      if (masked) {
        const key = this.buf.subarray(off - 4, off);
        for (let i = 0; i < payload.length; i++) payload[i] ^= key[i & 3];
      }
      this.buf = this.buf.subarray(off + len);
      const frame = { fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, payload };
      frame.text = payload.toString('utf8');
      if (frame.opcode === OP.CLOSE) {
        this.gotCloseFrame = true;
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.closeReason = payload.length > 2 ? payload.subarray(2).toString('utf8') : '';
      }
      this.frames.push(frame);
    }
    this._wake();
  }

  sendRaw(bytes) {
    this.sock.write(bytes);
  }

  sendFrame(opts) {
    this.sock.write(encodeFrame(opts));
  }

  sendText(text, opts = {}) { this.sendFrame({ ...opts, opcode: OP.TEXT, payload: text }); }
  sendJson(obj) { this.sendText(JSON.stringify(obj)); }
  sendBinary(bytes, opts = {}) { this.sendFrame({ ...opts, opcode: OP.BINARY, payload: bytes }); }
  ping(payload = '') { this.sendFrame({ opcode: OP.PING, payload }); }
  pong(payload = '') { this.sendFrame({ opcode: OP.PONG, payload }); }

  close(code = 1000, reason = '') {
    const r = Buffer.from(reason, 'utf8');
    const p = Buffer.alloc(2 + r.length);
    p.writeUInt16BE(code, 0);
    r.copy(p, 2);
    this.sendFrame({ opcode: OP.CLOSE, payload: p });
  }

  // A message split into fragments (first frame carries the opcode, then
  // CONT frames, the last with FIN). between(i) may send other frames after
  // fragment i (e.g. a ping, which RFC 6455 allows between fragments).
  sendFragmented(parts, { opcode = OP.TEXT, between } = {}) {
    parts.forEach((part, i) => {
      this.sendFrame({ opcode: i === 0 ? opcode : OP.CONT, payload: part, fin: i === parts.length - 1 });
      if (between && i < parts.length - 1) between(i);
    });
  }

  // The next frame from the server (any opcode). Rejects on timeout, or if the
  // socket closed with no frame left.
  async nextFrame({ timeoutMs = 5000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.frames.length) return this.frames.shift();
      if (this.socketClosed) throw new Error('websocket closed, no frame left');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms`);
      await new Promise((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  }

  // The next data message (TEXT) parsed as JSON, skipping server pings.
  async nextJson(opts) {
    for (;;) {
      const f = await this.nextFrame(opts);
      if (f.opcode === OP.PING || f.opcode === OP.PONG) continue;
      if (f.opcode !== OP.TEXT) throw new Error(`expected a text frame, got opcode ${f.opcode}${f.opcode === OP.CLOSE ? ` (close ${this.closeCode})` : ''}`);
      return JSON.parse(f.text);
    }
  }

  // Wait for the server's close frame and the end of the TCP connection.
  // Returns { code, reason, gotCloseFrame, frames } (frames: those received
  // before, not taken by nextFrame).
  async waitClose({ timeoutMs = 5000 } = {}) {
    let t;
    const timeout = new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`websocket not closed within ${timeoutMs} ms`)), timeoutMs); });
    try {
      const res = await Promise.race([this.closed, timeout]);
      return { ...res, frames: this.frames.splice(0) };
    } finally {
      clearTimeout(t);
    }
  }

  destroy() {
    this.sock.destroy();
  }
}

// Open a TCP connection and send the upgrade request. opts: path
// ('/api/v1/ws'), bearer (token), cookie (session cookie value), origin,
// host (default 127.0.0.1:port), version ('13'), key (random), headers
// (extra). Resolves { status, headers, text, ws } where ws is a WsClient
// when the server answered 101 (else null and the socket is closed).
export function wsHandshake(port, opts = {}) {
  const key = opts.key ?? randomBytes(16).toString('base64');
  const lines = [
    `GET ${opts.path || '/api/v1/ws'} HTTP/1.1`,
    `Host: ${opts.host || `127.0.0.1:${port}`}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    `Sec-WebSocket-Version: ${opts.version ?? '13'}`,
  ];
  if (opts.bearer) lines.push(`Authorization: Bearer ${opts.bearer}`);
  if (opts.cookie) lines.push(`Cookie: parta_session=${opts.cookie}`);
  if (opts.origin) lines.push(`Origin: ${opts.origin}`);
  for (const [k, v] of Object.entries(opts.headers || {})) lines.push(`${k}: ${v}`);
  const req = `${lines.join('\r\n')}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let buf = Buffer.alloc(0);
    let done = false;
    const timer = setTimeout(() => fail(new Error('websocket handshake timed out')), opts.timeoutMs ?? 5000);
    const fail = (e) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      reject(e);
    };
    const onData = (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const [statusLine, ...hl] = head.split('\r\n');
      const status = Number(statusLine.split(' ')[1]);
      const headers = {};
      for (const l of hl) {
        const c = l.indexOf(':');
        headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
      }
      if (status === 101) {
        done = true;
        clearTimeout(timer);
        sock.off('data', onData);
        if (headers['sec-websocket-accept'] !== acceptKey(key)) {
          sock.destroy();
          reject(new Error(`bad Sec-WebSocket-Accept: ${headers['sec-websocket-accept']}`));
          return;
        }
        const ws = new WsClient(sock, buf.subarray(end + 4));
        resolve({ status, headers, text: '', ws });
        return;
      }
      const len = Number(headers['content-length'] || 0);
      if (buf.length < end + 4 + len) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ status, headers, text: buf.subarray(end + 4, end + 4 + len).toString('utf8'), ws: null });
    };
    sock.on('data', onData);
    sock.on('error', fail);
    sock.on('close', () => fail(new Error(`connection closed during the handshake: ${buf.toString('latin1')}`)));
    sock.on('connect', () => sock.write(req));
  });
}

// Handshake that must succeed; returns the WsClient.
export async function wsOpen(port, opts) {
  const r = await wsHandshake(port, opts);
  if (r.status !== 101) throw new Error(`websocket upgrade refused: ${r.status} ${r.text}`);
  return r.ws;
}
