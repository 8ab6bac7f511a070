// SPDX-License-Identifier: MIT
// The real-time client: one WebSocket to /api/v1/ws (the session cookie
// authenticates it; same origin), following docs/protocol.md.
//
//   connect → hello → sync {cursors} → history events → synced → online:
//   resend the unacknowledged writes (same client_id), the pending read
//   positions, then live events.
//
// Events pass the per-chat cursors (rt/cursors.ts) before reaching the store:
// duplicates are ignored, and a gap outside a sync — which the server promises
// never to make within one connection — makes the client reconnect and resume
// from its cursor rather than apply it. Writes go through the send queue
// (rt/queue.ts). A lost connection is retried with exponential backoff and
// jitter (0.5 s doubling up to 10 s), at once when the browser says it is
// back online; an application-level ping finds connections that died
// silently. The socket, the timers and the storage are injected, so the
// whole protocol is unit-tested with a fake socket (client.test.ts).
import { Cursors, type StorageLike } from './cursors';
import { SendQueue } from './queue';
import { parseFrame, type AckFrame, type ErrorFrame, type EventFrame, type ServerFrame, type WriteOp } from './protocol';
import type { ChatStore } from './store';

export type ConnState = 'online' | 'connecting' | 'offline';

/* What the client needs of a WebSocket. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code?: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface ClientOptions {
  userId: number;
  store: ChatStore;
  storage: StorageLike | null;
  makeSocket: () => SocketLike;
  timers?: Timers;
  random?: () => number;
  newId?: () => string;
  /* after a connection failed before its hello: is the session still valid?
   * (the app logs out if not) */
  checkSession?: () => void;
  /* the sync could not resume (too far behind): the caller reloads data */
  onReset?: () => void;
  /* a sync completed (the caller refreshes the chat list) */
  onSynced?: () => void;
}

export const BACKOFF_MIN_MS = 500;
export const BACKOFF_MAX_MS = 10_000;
const PING_EVERY_MS = 25_000;
const PONG_WAIT_MS = 10_000;
const TYPING_SHOWN_MS = 6_000;
/* the server passes on at most one typing signal per 2 s and connection */
const TYPING_EVERY_MS = 2_100;
const OPEN = 1;

/* Delay before reconnect attempt n (0-based): 0.5 s doubling to 10 s, with
 * "equal jitter" (between half and all of it) so that a server restart does
 * not bring every client back at the same instant. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(attempt, 10));
  return Math.round(base / 2 + (random() * base) / 2);
}

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export class RtClient {
  readonly cursors: Cursors;
  readonly queue: SendQueue;
  state: ConnState = 'offline';
  /* when the next attempt is due, while offline (ms, timers.now clock) */
  retryAt: number | null = null;
  /* the browser says it has no network: no attempts until it is back */
  browserOffline = false;

  private o: ClientOptions;
  private t: Timers;
  private sock: SocketLike | null = null;
  private attempt = 0;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private pongTimer: unknown = null;
  private typingTimer: unknown = null;
  private helloSeen = false;
  private syncId: string | null = null;
  private synced = false;
  private reqN = 0;
  private started = false;
  /* chat → the read position to report (when higher than the server's) */
  private readWanted = new Map<number, number>();
  private readSent = new Map<string, { chat: number; seq: number }>();
  private lastTyping = new Map<number, number>();
  private stateListeners = new Set<() => void>();
  private saveTimer: unknown = null;
  private echoed = new Set<string>();

  constructor(o: ClientOptions) {
    this.o = o;
    this.t = o.timers ?? defaultTimers;
    this.cursors = new Cursors(o.storage, `parta.rt.cursors.${o.userId}`);
    this.queue = new SendQueue(o.storage, `parta.rt.queue.${o.userId}`);
  }

  onState(fn: () => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  private setState(s: ConnState): void {
    if (this.state === s) return;
    this.state = s;
    for (const fn of this.stateListeners) fn();
  }

  /* ---- connection ---- */

  start(): void {
    if (this.started) return;
    this.started = true;
    this.connect();
  }

  /* Close for good (logout, page left). */
  stop(): void {
    this.started = false;
    this.clearTimers();
    this.flushCursors();
    const s = this.sock;
    this.sock = null;
    if (s) {
      s.onclose = s.onmessage = s.onerror = s.onopen = null;
      try {
        s.close(1000);
      } catch { /* already closed */ }
    }
    this.setState('offline');
  }

  /* The browser lost or regained its network (window offline/online). */
  setBrowserOnline(online: boolean): void {
    this.browserOffline = !online;
    if (!online) {
      this.drop();
      this.retryAt = null;
      this.setState('offline');
    } else if (this.started && !this.sock) {
      this.attempt = 0;
      this.connect();
    }
  }

  /* Try now rather than at the scheduled time (a "retry now" button). */
  reconnectNow(): void {
    if (!this.started || this.browserOffline) return;
    this.attempt = 0;
    this.drop();
    this.connect();
  }

  private clearTimers(): void {
    for (const h of [this.retryTimer, this.pingTimer, this.pongTimer, this.typingTimer]) if (h) this.t.clearTimeout(h);
    this.retryTimer = this.pingTimer = this.pongTimer = this.typingTimer = null;
  }

  private connect(): void {
    if (!this.started || this.sock || this.browserOffline) return;
    if (this.retryTimer) this.t.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.retryAt = null;
    this.helloSeen = false;
    this.synced = false;
    this.syncId = null;
    this.setState('connecting');
    let s: SocketLike;
    try {
      s = this.o.makeSocket();
    } catch {
      this.scheduleRetry();
      return;
    }
    this.sock = s;
    s.onmessage = (ev) => {
      if (this.sock !== s || typeof ev.data !== 'string') return;
      const f = parseFrame(ev.data);
      if (f) this.onFrame(f);
    };
    s.onclose = (ev) => {
      if (this.sock !== s) return;
      if (ev.code === 1008) this.resetCursors(); // fell too far behind during a sync
      this.lost();
    };
    s.onerror = () => { /* onclose follows */ };
  }

  /* Close the current socket without scheduling anything. */
  private drop(): void {
    const s = this.sock;
    this.sock = null;
    for (const h of [this.pingTimer, this.pongTimer]) if (h) this.t.clearTimeout(h);
    this.pingTimer = this.pongTimer = null;
    this.queue.requeueSending();
    this.readSent.clear();
    this.synced = false;
    this.syncId = null;
    if (s) {
      s.onclose = s.onmessage = s.onerror = s.onopen = null;
      try {
        s.close(1000);
      } catch { /* already closed */ }
    }
  }

  private lost(): void {
    const hadHello = this.helloSeen;
    this.drop();
    if (!this.started) return;
    if (!hadHello) this.o.checkSession?.();
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (!this.started || this.browserOffline) {
      this.setState('offline');
      return;
    }
    const delay = backoffDelay(this.attempt++, this.o.random);
    this.retryAt = this.t.now() + delay;
    this.setState('offline');
    this.retryTimer = this.t.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private write(msg: Record<string, unknown>): boolean {
    const s = this.sock;
    if (!s || s.readyState !== OPEN) return false;
    try {
      s.send(JSON.stringify(msg));
      return true;
    } catch {
      return false;
    }
  }

  private nextId(prefix: string): string {
    return `${prefix}${++this.reqN}`;
  }

  private armPing(): void {
    if (this.pingTimer) this.t.clearTimeout(this.pingTimer);
    this.pingTimer = this.t.setTimeout(() => {
      this.pingTimer = null;
      if (!this.write({ type: 'ping', id: this.nextId('p') })) return;
      this.pongTimer = this.t.setTimeout(() => {
        this.pongTimer = null;
        this.lost(); // nothing heard for PONG_WAIT_MS after a ping: dead
      }, PONG_WAIT_MS);
    }, PING_EVERY_MS);
  }

  /* ---- frames ---- */

  private onFrame(f: ServerFrame): void {
    // anything heard proves the connection alive
    if (this.pongTimer) {
      this.t.clearTimeout(this.pongTimer);
      this.pongTimer = null;
    }
    if (this.helloSeen) this.armPing();
    switch (f.type) {
      case 'hello':
        if (f.user_id !== this.o.userId) {
          // another account logged in meanwhile (another tab): start afresh
          this.o.checkSession?.();
          this.stop();
          return;
        }
        this.helloSeen = true;
        this.attempt = 0;
        this.armPing();
        this.sendSync();
        break;
      case 'synced':
        if (f.id !== this.syncId) return;
        for (const c of f.chats) {
          this.cursors.initIfMissing(c.chat_id, c.last_seq);
          this.o.store.setRead(c.chat_id, c.read_seq);
        }
        this.syncId = null;
        this.synced = true;
        this.saveCursorsSoon();
        this.setState('online');
        this.o.onSynced?.();
        this.flush();
        break;
      case 'event':
        this.onEvent(f);
        break;
      case 'ack':
        this.onAck(f);
        break;
      case 'error':
        this.onError(f);
        break;
      case 'read':
        this.o.store.setRead(f.chat_id, f.seq);
        break;
      case 'typing':
        this.o.store.setTyping(f.chat_id, f.user_id, f.name, this.t.now() + TYPING_SHOWN_MS);
        this.scheduleTypingExpiry();
        break;
      default:
        break;
    }
  }

  private sendSync(): void {
    this.syncId = this.nextId('s');
    this.synced = false;
    this.write({ type: 'sync', id: this.syncId, cursors: this.cursors.toJSON() });
  }

  private onEvent(ev: EventFrame): void {
    const verdict = this.cursors.classify(ev.chat_id, ev.seq, this.syncId !== null);
    if (verdict === 'duplicate') return;
    if (verdict === 'gap') {
      // events were skipped: resume from the cursor on a fresh connection
      this.drop();
      this.connect();
      return;
    }
    if (ev.kind === 'message.new' && ev.author_id === this.o.userId) this.matchEcho(ev);
    this.o.store.applyEvent(ev);
    if (ev.kind === 'member.removed' && ev.data.user_id === this.o.userId) this.cursors.forget(ev.chat_id);
    this.saveCursorsSoon();
  }

  private resetCursors(): void {
    this.cursors.clear();
    this.cursors.save();
    this.o.onReset?.();
  }

  /* Our own message came back as an event just before its ack: hide the
   * pending copy now rather than show it twice for a moment. */
  private matchEcho(ev: EventFrame): void {
    const it = this.queue.all().find((x) => x.state === 'sending' && x.op.type === 'send' &&
      x.op.chat_id === ev.chat_id && x.op.text === ev.data.text && !this.echoed.has(x.client_id));
    if (it) this.echoed.add(it.client_id);
  }

  /* Is this queued send already shown as a message (its ack is on the way)? */
  isEchoed(clientId: string): boolean {
    return this.echoed.has(clientId);
  }

  private onAck(a: AckFrame): void {
    if (a.client_id) {
      this.echoed.delete(a.client_id);
      this.queue.ack(a.client_id);
      this.flush();
      return;
    }
    const r = a.id ? this.readSent.get(a.id) : undefined;
    if (r && a.id) {
      this.readSent.delete(a.id);
      if ((this.readWanted.get(r.chat) ?? 0) <= r.seq) this.readWanted.delete(r.chat);
    }
  }

  private onError(e: ErrorFrame): void {
    if (e.id && e.id === this.syncId) {
      // too far behind to resume: start from the chats' ends and reload
      this.syncId = null;
      this.resetCursors();
      this.sendSync();
      return;
    }
    if (e.client_id) {
      const it = this.queue.get(e.client_id);
      if (!it) return;
      // "already so" for a reaction, pin or delete: the wish is fulfilled
      if (e.code === 'conflict' && it.op.type !== 'send' && it.op.type !== 'edit') {
        this.queue.ack(e.client_id);
      } else {
        this.queue.fail(e.client_id, { code: e.code, message: e.message, field: e.field });
      }
      this.flush();
      return;
    }
    if (e.id && this.readSent.has(e.id)) {
      const r = this.readSent.get(e.id)!;
      this.readSent.delete(e.id);
      this.readWanted.delete(r.chat);
    }
  }

  /* Put on the wire what may go now. */
  private flush(): void {
    if (!this.synced) return;
    for (const it of this.queue.takeSendable()) {
      if (!this.write({ ...it.op, id: this.nextId('w'), client_id: it.client_id })) {
        this.queue.requeueSending();
        return;
      }
    }
    for (const [chat, seq] of this.readWanted) {
      if ([...this.readSent.values()].some((r) => r.chat === chat && r.seq >= seq)) continue;
      const id = this.nextId('r');
      if (this.write({ type: 'read', id, chat_id: chat, seq })) this.readSent.set(id, { chat, seq });
    }
  }

  private saveCursorsSoon(): void {
    if (this.saveTimer) return;
    this.saveTimer = this.t.setTimeout(() => this.flushCursors(), 300);
  }

  flushCursors(): void {
    if (this.saveTimer) this.t.clearTimeout(this.saveTimer);
    this.saveTimer = null;
    this.cursors.save();
  }

  private scheduleTypingExpiry(): void {
    if (this.typingTimer) return;
    this.typingTimer = this.t.setTimeout(() => {
      this.typingTimer = null;
      this.o.store.expireTyping(this.t.now());
      if ([...this.o.store.typing.values()].some((m) => m.size > 0)) this.scheduleTypingExpiry();
    }, 1000);
  }

  /* ---- what the views call ---- */

  private newClientId(): string {
    if (this.o.newId) return this.o.newId();
    return globalThis.crypto.randomUUID();
  }

  /* Queue a write; returns its client_id. It goes out at once if online. */
  submit(op: WriteOp): string {
    const id = this.newClientId();
    this.queue.add(op, id, this.t.now());
    // the others stop showing us as typing when the message arrives
    if (op.type === 'send') this.lastTyping.delete(op.chat_id);
    this.flush();
    return id;
  }

  retry(clientId: string): void {
    if (this.queue.retry(clientId)) this.flush();
  }

  discard(clientId: string): void {
    this.echoed.delete(clientId);
    this.queue.remove(clientId);
  }

  /* The user has seen chatId up to seq: report it (now or once online). */
  markRead(chatId: number, seq: number): void {
    const chat = this.o.store.chats.get(chatId);
    if (chat && seq <= chat.read_seq && !this.readWanted.has(chatId)) return;
    if ((this.readWanted.get(chatId) ?? 0) >= seq) return;
    this.readWanted.set(chatId, seq);
    this.o.store.setRead(chatId, seq);
    this.flush();
  }

  /* The user is typing in chatId (sent at most every few seconds). */
  typing(chatId: number): void {
    const now = this.t.now();
    if (now - (this.lastTyping.get(chatId) ?? 0) < TYPING_EVERY_MS) return;
    if (this.synced && this.write({ type: 'typing', chat_id: chatId })) this.lastTyping.set(chatId, now);
  }
}
