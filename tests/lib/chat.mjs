// SPDX-License-Identifier: MIT
// A chat client over the real-time protocol (docs/protocol.md) for tests:
// keeps per-chat cursors and the events received, matches acks and errors to
// requests by id, and can resume after a reconnect like a real client.
import { randomUUID } from 'node:crypto';
import { wsOpen } from './ws.mjs';

export class ChatClient {
  // opts: { bearer } or { cookie }; cursors: start from these (a resuming client)
  constructor(port, opts, cursors = {}) {
    this.port = port;
    this.opts = opts;
    this.cursors = { ...cursors };  // chat id → last seq received
    this.events = {};               // chat id → [event]
    this.other = [];                // typing, read, pong …
    this.pending = new Map();       // request id → {resolve, reject}
    this.waiters = [];
    this.closed = false;
    this.nextId = 1;
    this.dupEvents = 0;
    this.gaps = 0;
  }

  async connect({ sync = true } = {}) {
    this.ws = await wsOpen(this.port, this.opts);
    this.hello = await this.ws.nextJson();
    this.closed = false;
    this._pump();
    if (sync) await this.sync();
    return this;
  }

  async _pump() {
    for (;;) {
      let m;
      try {
        m = await this.ws.nextJson({ timeoutMs: 3600_000 });
      } catch {
        this.closed = true;
        for (const p of this.pending.values()) p.reject(new Error('connection closed'));
        this.pending.clear();
        this._wake();
        return;
      }
      if (m.type === 'event') {
        const cur = this.cursors[m.chat_id] ?? null;
        if (cur !== null && m.seq <= cur) this.dupEvents++;
        else {
          if (cur !== null && m.seq !== cur + 1) this.gaps++;
          this.cursors[m.chat_id] = m.seq;
          (this.events[m.chat_id] ||= []).push(m);
        }
      } else if ((m.type === 'ack' || m.type === 'error' || m.type === 'synced' || m.type === 'pong') && m.id && this.pending.has(m.id)) {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.type === 'error') {
          const e = new Error(`${m.code}: ${m.message}`);
          e.code = m.code;
          e.field = m.field;
          e.reply = m;
          p.reject(e);
        } else p.resolve(m);
      } else {
        this.other.push(m);
      }
      this._wake();
    }
  }

  _wake() {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  request(msg) {
    const id = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.sendFrame({ payload: Buffer.from(JSON.stringify({ ...msg, id })) });
    });
  }

  async sync() {
    const synced = await this.request({ type: 'sync', cursors: this.cursors });
    for (const c of synced.chats) if (this.cursors[c.chat_id] === undefined) this.cursors[c.chat_id] = c.last_seq;
    this.synced = synced;
    return synced;
  }

  send(chatId, text, extra = {}) {
    return this.request({ type: 'send', chat_id: chatId, text, client_id: extra.client_id || randomUUID(), ...extra });
  }

  op(type, chatId, seq, extra = {}) {
    return this.request({ type, chat_id: chatId, seq, client_id: extra.client_id || randomUUID(), ...extra });
  }

  messages(chatId) {
    return (this.events[chatId] || []).filter((e) => e.kind === 'message.new');
  }

  // Wait until pred() is true (checked after every message), or time out.
  async until(pred, { timeoutMs = 10000, what = 'condition' } = {}) {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      if (this.closed) throw new Error(`connection closed while waiting for ${what}`);
      await new Promise((r) => {
        const t = setTimeout(r, Math.min(200, deadline - Date.now()));
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  }

  close() {
    this.closed = true;
    this.ws?.destroy();
  }
}

export async function bearerOf(srv, login, password) {
  const res = await fetch(`${srv.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password, bearer: true }),
  });
  const j = await res.json();
  if (!j.token) throw new Error(`login failed: ${JSON.stringify(j)}`);
  return j.token;
}
