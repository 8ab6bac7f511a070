// SPDX-License-Identifier: MIT
// Per-chat cursors of the real-time connection: the highest seq received in
// each chat (docs/protocol.md, "Resume rules"). classify() decides what to do
// with an incoming event: apply it, ignore a duplicate, or — when seqs were
// skipped outside a sync — ask for a re-sync from the cursor instead of
// applying it. A gap that a re-sync did not fill (events the user may not
// read, e.g. while they were not a member) is accepted the second time.
// Persisted through a StorageLike (sessionStorage), so a reload resumes.

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type Verdict = 'apply' | 'duplicate' | 'gap';

export class Cursors {
  private map = new Map<number, number>();
  /* chat → the cursor at which a gap already caused a re-sync */
  private resynced = new Map<number, number>();

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
      const obj = JSON.parse(raw) as Record<string, unknown>;
      for (const [k, v] of Object.entries(obj)) {
        const chat = Number(k);
        if (Number.isSafeInteger(chat) && chat > 0 && typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
          this.map.set(chat, v);
        }
      }
    } catch {
      /* corrupt: start afresh */
    }
  }

  save(): void {
    try {
      this.storage?.setItem(this.key, JSON.stringify(this.toJSON()));
    } catch {
      /* storage full or disabled: a reload then starts from the chats' ends */
    }
  }

  get(chat: number): number | undefined {
    return this.map.get(chat);
  }

  has(chat: number): boolean {
    return this.map.has(chat);
  }

  /* Set only if unknown (after "synced": chats the client had no cursor for
   * start at their end). */
  initIfMissing(chat: number, seq: number): void {
    if (!this.map.has(chat)) this.map.set(chat, seq);
  }

  forget(chat: number): void {
    this.map.delete(chat);
    this.resynced.delete(chat);
  }

  clear(): void {
    this.map.clear();
    this.resynced.clear();
  }

  /* What to do with event seq of chat. inSync: the event is part of a sync's
   * answer (history may legitimately skip seqs the user cannot read). On
   * 'apply' the cursor has moved to seq. */
  classify(chat: number, seq: number, inSync: boolean): Verdict {
    const cur = this.map.get(chat);
    if (cur !== undefined && seq <= cur) return 'duplicate';
    if (cur !== undefined && seq > cur + 1 && !inSync && this.resynced.get(chat) !== cur) {
      this.resynced.set(chat, cur);
      return 'gap';
    }
    this.map.set(chat, seq);
    this.resynced.delete(chat);
    return 'apply';
  }

  toJSON(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of this.map) out[String(k)] = v;
    return out;
  }
}
