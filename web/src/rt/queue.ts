// SPDX-License-Identifier: MIT
// The send queue: every write (send, edit, delete, react, pin) gets its
// client_id when the user acts and stays here — persisted through a
// StorageLike (sessionStorage), so neither a lost connection nor a reload
// loses it — until the server acknowledges it. Writes of one chat go out one
// at a time, in the order they were made; after a reconnect (and its sync) the
// unacknowledged ones are sent again with the SAME client_id, which the
// server answers with "duplicate": true if it had already committed them, so
// nothing is ever doubled. A write the server refuses (forbidden, invalid…)
// becomes 'failed' and stays until the user retries (same client_id) or
// discards it. Pure: the socket is the caller's (client.ts).
import type { StorageLike } from './cursors';
import type { WriteOp } from './protocol';

export type QueueState = 'queued' | 'sending' | 'failed';

export interface QueueItem {
  client_id: string;
  op: WriteOp;
  state: QueueState;
  created_at: number;
  /* the server's refusal, when failed */
  error?: { code: string; message: string; field?: string };
}

/* Errors after which the same write is tried again by itself later (the
 * server or the store was momentarily unable); anything else is a refusal. */
const TRANSIENT = new Set(['internal', 'io_error', 'no_memory', 'unavailable', 'network']);

export function isTransient(code: string): boolean {
  return TRANSIENT.has(code);
}

export class SendQueue {
  private items: QueueItem[] = [];
  private listeners = new Set<() => void>();

  constructor(private storage: StorageLike | null, private key: string) {
    this.load();
  }

  private load(): void {
    let raw: string | null = null;
    try {
      raw = this.storage?.getItem(this.key) ?? null;
    } catch {
      raw = null;
    }
    if (!raw) return;
    try {
      const arr = JSON.parse(raw) as unknown;
      if (!Array.isArray(arr)) return;
      for (const it of arr as QueueItem[]) {
        if (!it || typeof it.client_id !== 'string' || !it.op || typeof it.op.chat_id !== 'number') continue;
        // whatever was on the wire when the page went away is sent again
        this.items.push({ ...it, state: it.state === 'failed' ? 'failed' : 'queued' });
      }
    } catch {
      /* corrupt: nothing to resend */
    }
  }

  private changed(): void {
    try {
      if (this.items.length) this.storage?.setItem(this.key, JSON.stringify(this.items));
      else this.storage?.removeItem(this.key);
    } catch {
      /* not persisted; still queued in memory */
    }
    for (const fn of this.listeners) fn();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  all(): readonly QueueItem[] {
    return this.items;
  }

  get(clientId: string): QueueItem | undefined {
    return this.items.find((i) => i.client_id === clientId);
  }

  forChat(chatId: number): QueueItem[] {
    return this.items.filter((i) => i.op.chat_id === chatId);
  }

  /* Add a write made now; returns its item. */
  add(op: WriteOp, clientId: string, now: number): QueueItem {
    const item: QueueItem = { client_id: clientId, op, state: 'queued', created_at: now };
    this.items.push(item);
    this.changed();
    return item;
  }

  /* The writes to put on the wire now: per chat, the oldest queued one, if
   * none of that chat is already on the wire. Marks them 'sending'. Failed
   * writes do not hold back the ones after them. */
  takeSendable(): QueueItem[] {
    const busy = new Set<number>();
    for (const it of this.items) if (it.state === 'sending') busy.add(it.op.chat_id);
    const out: QueueItem[] = [];
    for (const it of this.items) {
      if (it.state !== 'queued' || busy.has(it.op.chat_id)) continue;
      busy.add(it.op.chat_id);
      it.state = 'sending';
      out.push(it);
    }
    if (out.length) this.changed();
    return out;
  }

  /* The connection went away: what was on the wire goes again. */
  requeueSending(): void {
    let n = 0;
    for (const it of this.items) {
      if (it.state === 'sending') {
        it.state = 'queued';
        n++;
      }
    }
    if (n) this.changed();
  }

  /* The server committed it (or had already: duplicate). Returns the item, or
   * undefined for an ack of something no longer queued (e.g. acknowledged
   * twice across a reconnect). */
  ack(clientId: string): QueueItem | undefined {
    const i = this.items.findIndex((x) => x.client_id === clientId);
    if (i < 0) return undefined;
    const [item] = this.items.splice(i, 1);
    this.changed();
    return item;
  }

  /* The server answered with an error: a transient one puts it back in line,
   * a refusal marks it failed. */
  fail(clientId: string, error: { code: string; message: string; field?: string }): QueueItem | undefined {
    const it = this.get(clientId);
    if (!it) return undefined;
    if (isTransient(error.code)) {
      it.state = 'queued';
    } else {
      it.state = 'failed';
      it.error = error;
    }
    this.changed();
    return it;
  }

  /* Try a failed write again, with its original client_id. */
  retry(clientId: string): boolean {
    const it = this.get(clientId);
    if (!it || it.state !== 'failed') return false;
    // it keeps its place in the line: what the user wrote after it stays after it
    it.state = 'queued';
    delete it.error;
    this.changed();
    return true;
  }

  /* Drop a write (a failed one the user gave up on). */
  remove(clientId: string): boolean {
    const i = this.items.findIndex((x) => x.client_id === clientId);
    if (i < 0) return false;
    this.items.splice(i, 1);
    this.changed();
    return true;
  }

  clear(): void {
    this.items = [];
    this.changed();
  }
}
