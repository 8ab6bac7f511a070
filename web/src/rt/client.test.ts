// SPDX-License-Identifier: MIT
// The real-time client against a fake socket playing the server: the session
// (hello → sync → synced), the send queue on the wire (order, resend with the
// same client_id after a reconnect, acks, duplicate acks, refusals), the
// cursors (duplicates ignored, a gap makes it resume from the cursor), and
// reconnection with backoff.
import { beforeEach, describe, expect, it } from 'vitest';
import { backoffDelay, BACKOFF_MAX_MS, BACKOFF_MIN_MS, RtClient } from './client';
import { ChatStore } from './store';
import { FakeSocket, ManualTimers, MemoryStorage } from './testkit';

const ME = 7;

function msgEvent(chat: number, seq: number, text: string, author = 9) {
  return {
    type: 'event', chat_id: chat, seq, kind: 'message.new', at: 1000 + seq, author_id: author,
    data: { message_id: seq, text, author: { id: author, name: `U${author}` }, mentions: [], attachments: [] },
  };
}

class Harness {
  storage = new MemoryStorage();
  timers = new ManualTimers();
  sockets: FakeSocket[] = [];
  store = new ChatStore(ME);
  ids = 0;
  sessionChecks = 0;
  resets = 0;
  client: RtClient;

  constructor(storage?: MemoryStorage) {
    if (storage) this.storage = storage;
    this.client = this.make();
  }

  make(): RtClient {
    return new RtClient({
      userId: ME,
      store: this.store,
      storage: this.storage,
      timers: this.timers,
      random: () => 0.5,
      newId: () => `cid-${++this.ids}`,
      makeSocket: () => {
        const s = new FakeSocket();
        this.sockets.push(s);
        return s;
      },
      checkSession: () => this.sessionChecks++,
      onReset: () => this.resets++,
    });
  }

  get sock(): FakeSocket {
    return this.sockets[this.sockets.length - 1]!;
  }

  /* Open the current socket and play hello + synced. */
  handshake(chats: { chat_id: number; last_seq: number; read_seq: number }[] = [], before?: () => void): void {
    const s = this.sock;
    s.open();
    s.receive({ type: 'hello', user_id: ME, name: 'Me', protocol: 1 });
    const sync = s.ofType('sync').at(-1)!;
    before?.();
    s.receive({ type: 'synced', id: sync.id, chats });
  }
}

let h: Harness;
beforeEach(() => {
  h = new Harness();
});

describe('session', () => {
  it('says hello, syncs with its cursors, and is online after synced', () => {
    h.client.start();
    expect(h.client.state).toBe('connecting');
    h.sock.open();
    h.sock.receive({ type: 'hello', user_id: ME, name: 'Me', protocol: 1 });
    const sync = h.sock.ofType('sync');
    expect(sync).toHaveLength(1);
    expect(sync[0]!.cursors).toEqual({});
    expect(h.client.state).toBe('connecting');
    h.sock.receive({ type: 'synced', id: sync[0]!.id, chats: [{ chat_id: 3, last_seq: 12, read_seq: 10 }] });
    expect(h.client.state).toBe('online');
    // a chat it had no cursor for starts at its end
    expect(h.client.cursors.get(3)).toBe(12);
  });

  it('keeps cursors in storage, so a reload resumes from them', () => {
    h.client.start();
    h.handshake([{ chat_id: 3, last_seq: 12, read_seq: 12 }]);
    h.sock.receive(msgEvent(3, 13, 'hi'));
    h.client.flushCursors();
    const after = new Harness(h.storage);
    after.client.start();
    after.sock.open();
    after.sock.receive({ type: 'hello', user_id: ME, name: 'Me', protocol: 1 });
    expect(after.sock.ofType('sync')[0]!.cursors).toEqual({ 3: 13 });
  });
});

describe('send queue on the wire', () => {
  it('sends a chat\'s writes in order, the next after the ack of the one before', () => {
    h.client.start();
    h.handshake();
    h.client.submit({ type: 'send', chat_id: 5, text: 'one' });
    h.client.submit({ type: 'send', chat_id: 5, text: 'two' });
    let sends = h.sock.ofType('send');
    expect(sends.map((m) => m.text)).toEqual(['one']);
    expect(sends[0]!.client_id).toBe('cid-1');
    h.sock.receive({ type: 'ack', id: sends[0]!.id, client_id: 'cid-1', chat_id: 5, seq: 1, duplicate: false });
    sends = h.sock.ofType('send');
    expect(sends.map((m) => [m.text, m.client_id])).toEqual([['one', 'cid-1'], ['two', 'cid-2']]);
    h.sock.receive({ type: 'ack', id: sends[1]!.id, client_id: 'cid-2', chat_id: 5, seq: 2, duplicate: false });
    expect(h.client.queue.all()).toEqual([]);
  });

  it('keeps writes made offline and sends them after the sync, in order', () => {
    h.client.start();
    h.client.submit({ type: 'send', chat_id: 5, text: 'one' });
    h.client.submit({ type: 'send', chat_id: 5, text: 'two' });
    expect(h.client.queue.all().map((i) => i.state)).toEqual(['queued', 'queued']);
    h.sock.open();
    h.sock.receive({ type: 'hello', user_id: ME, name: 'Me', protocol: 1 });
    expect(h.sock.ofType('send')).toEqual([]); // not before the sync answered
    const sync = h.sock.ofType('sync')[0]!;
    h.sock.receive({ type: 'synced', id: sync.id, chats: [] });
    expect(h.sock.ofType('send').map((m) => m.text)).toEqual(['one']);
  });

  it('resends an unacknowledged write with the same client_id after a reconnect; a duplicate ack ends it', () => {
    h.client.start();
    h.handshake();
    h.client.submit({ type: 'send', chat_id: 5, text: 'one' });
    const first = h.sock.ofType('send')[0]!;
    h.sock.drop(); // the ack never came
    expect(h.client.state).toBe('offline');
    expect(h.client.queue.all()[0]!.state).toBe('queued');
    h.timers.advance(BACKOFF_MAX_MS);
    expect(h.sockets).toHaveLength(2);
    h.handshake();
    const again = h.sock.ofType('send');
    expect(again).toHaveLength(1);
    expect(again[0]!.client_id).toBe(first.client_id);
    expect(again[0]!.text).toBe('one');
    h.sock.receive({ type: 'ack', id: again[0]!.id, client_id: first.client_id, chat_id: 5, seq: 4, duplicate: true });
    expect(h.client.queue.all()).toEqual([]);
  });

  it('ignores an ack of a write it no longer has', () => {
    h.client.start();
    h.handshake();
    h.client.submit({ type: 'send', chat_id: 5, text: 'one' });
    h.client.submit({ type: 'send', chat_id: 6, text: 'other' });
    const [one] = h.sock.ofType('send');
    h.sock.receive({ type: 'ack', id: one!.id, client_id: 'cid-1', chat_id: 5, seq: 1 });
    h.sock.receive({ type: 'ack', id: one!.id, client_id: 'cid-1', chat_id: 5, seq: 1, duplicate: true });
    expect(h.client.queue.all().map((i) => i.client_id)).toEqual(['cid-2']);
  });

  it('marks a refused write failed, goes on with the next, and retries it with the same id', () => {
    h.client.start();
    h.handshake();
    h.client.submit({ type: 'send', chat_id: 5, text: 'one' });
    h.client.submit({ type: 'send', chat_id: 5, text: 'two' });
    const [one] = h.sock.ofType('send');
    h.sock.receive({ type: 'error', id: one!.id, client_id: 'cid-1', code: 'forbidden', message: 'Вы не можете писать' });
    expect(h.client.queue.get('cid-1')).toMatchObject({ state: 'failed', error: { code: 'forbidden' } });
    const sends = h.sock.ofType('send');
    expect(sends.map((m) => m.client_id)).toEqual(['cid-1', 'cid-2']);
    h.sock.receive({ type: 'ack', id: sends[1]!.id, client_id: 'cid-2', chat_id: 5, seq: 3 });
    h.client.retry('cid-1');
    const last = h.sock.ofType('send').at(-1)!;
    expect([last.client_id, last.text]).toEqual(['cid-1', 'one']);
  });

  it('treats "already so" for a reaction as done', () => {
    h.client.start();
    h.handshake();
    h.client.submit({ type: 'react', chat_id: 5, seq: 2, emoji: '👍', on: true });
    const [r] = h.sock.ofType('react');
    h.sock.receive({ type: 'error', id: r!.id, client_id: 'cid-1', code: 'conflict', message: '' });
    expect(h.client.queue.all()).toEqual([]);
  });

  it('hides its own pending message once its event arrives, before the ack', () => {
    h.client.start();
    h.handshake([{ chat_id: 5, last_seq: 1, read_seq: 1 }]);
    h.client.submit({ type: 'send', chat_id: 5, text: 'one' });
    h.sock.receive(msgEvent(5, 2, 'one', ME));
    expect(h.client.isEchoed('cid-1')).toBe(true);
  });
});

describe('cursors', () => {
  it('applies events in order and ignores duplicates', () => {
    h.client.start();
    h.handshake([{ chat_id: 5, last_seq: 1, read_seq: 1 }]);
    h.sock.receive(msgEvent(5, 2, 'a'));
    h.sock.receive(msgEvent(5, 3, 'b'));
    h.sock.receive(msgEvent(5, 3, 'b again'));
    h.sock.receive(msgEvent(5, 2, 'a again'));
    expect(h.store.windows.get(5)!.messages.map((m) => m.text)).toEqual(['a', 'b']);
    expect(h.client.cursors.get(5)).toBe(3);
  });

  it('does not apply an event after a gap: it resumes from the cursor on a new connection', () => {
    h.client.start();
    h.handshake([{ chat_id: 5, last_seq: 1, read_seq: 1 }]);
    h.sock.receive(msgEvent(5, 2, 'a'));
    h.sock.receive(msgEvent(5, 5, 'after a gap'));
    expect(h.store.windows.get(5)!.messages.map((m) => m.seq)).toEqual([2]);
    expect(h.sockets[0]!.closed).toBe(true);
    expect(h.sockets).toHaveLength(2);
    h.sock.open();
    h.sock.receive({ type: 'hello', user_id: ME, name: 'Me', protocol: 1 });
    expect(h.sock.ofType('sync')[0]!.cursors).toEqual({ 5: 2 });
    // the sync's answer fills the gap
    for (const seq of [3, 4, 5]) h.sock.receive(msgEvent(5, seq, `m${seq}`));
    expect(h.store.windows.get(5)!.messages.map((m) => m.seq)).toEqual([2, 3, 4, 5]);
  });

  it('accepts skipped seqs inside a sync (events the user may not read)', () => {
    h.client.start();
    h.handshake([{ chat_id: 5, last_seq: 1, read_seq: 1 }]);
    h.sock.drop();
    h.timers.advance(BACKOFF_MAX_MS);
    h.handshake([], () => {
      h.sock.receive(msgEvent(5, 9, 'back in the chat'));
    });
    expect(h.sockets).toHaveLength(2);
    expect(h.client.cursors.get(5)).toBe(9);
  });

  it('starts over from the chats\' ends when the sync cannot resume', () => {
    h.client.start();
    h.handshake([{ chat_id: 5, last_seq: 1, read_seq: 1 }]);
    h.sock.drop();
    h.timers.advance(BACKOFF_MAX_MS);
    h.sock.open();
    h.sock.receive({ type: 'hello', user_id: ME, name: 'Me', protocol: 1 });
    const sync = h.sock.ofType('sync')[0]!;
    expect(sync.cursors).toEqual({ 5: 1 });
    h.sock.receive({ type: 'error', id: sync.id, code: 'limit_exceeded', message: '', field: 'cursors' });
    expect(h.resets).toBe(1);
    expect(h.sock.ofType('sync').at(-1)!.cursors).toEqual({});
  });
});

describe('reconnection', () => {
  it('backs off from 0.5 s to 10 s with jitter', () => {
    expect(backoffDelay(0, () => 0)).toBe(BACKOFF_MIN_MS / 2);
    expect(backoffDelay(0, () => 1)).toBe(BACKOFF_MIN_MS);
    expect(backoffDelay(1, () => 1)).toBe(1000);
    expect(backoffDelay(5, () => 1)).toBe(BACKOFF_MAX_MS);
    expect(backoffDelay(50, () => 1)).toBe(BACKOFF_MAX_MS);
    expect(backoffDelay(50, () => 0)).toBe(BACKOFF_MAX_MS / 2);
  });

  it('retries after a failure and asks whether the session still holds', () => {
    h.client.start();
    h.sock.drop(); // refused before hello (e.g. 401)
    expect(h.sessionChecks).toBe(1);
    expect(h.client.state).toBe('offline');
    expect(h.sockets).toHaveLength(1);
    h.timers.advance(backoffDelay(0, () => 0.5));
    expect(h.sockets).toHaveLength(2);
    expect(h.client.state).toBe('connecting');
  });

  it('goes offline with the browser and comes back at once', () => {
    h.client.start();
    h.handshake();
    h.client.setBrowserOnline(false);
    expect(h.client.state).toBe('offline');
    expect(h.sockets[0]!.closed).toBe(true);
    h.client.submit({ type: 'send', chat_id: 5, text: 'while offline' });
    h.timers.advance(60_000);
    expect(h.sockets).toHaveLength(1); // no attempts while the browser is offline
    h.client.setBrowserOnline(true);
    expect(h.sockets).toHaveLength(2);
    h.handshake();
    expect(h.sock.ofType('send').map((m) => m.text)).toEqual(['while offline']);
  });

  it('drops a connection that stays silent after a ping', () => {
    h.client.start();
    h.handshake();
    h.timers.advance(25_000);
    expect(h.sock.ofType('ping')).toHaveLength(1);
    h.timers.advance(10_000);
    expect(h.sockets[0]!.closed).toBe(true);
    expect(h.client.state).toBe('offline');
  });
});

describe('read positions', () => {
  it('reports the read position once online and clears the unread count', () => {
    h.client.start();
    h.store.setChats([{
      id: 5, kind: 'group', mandatory: null, title: 'T', description: '', unit_id: null, subject: null,
      post_policy: 'all', add_policy: 'admins', slow_mode_s: 0, archived: false, created_by: 1, created_at: 1,
      last_seq: 4, read_seq: 2, unread: 2, my_role: 'member', muted_until: null, members_count: 2, peer: null,
      last_message: { seq: 4, author: { id: 9, name: 'U9' }, text: 'x', deleted: false, at: 1 },
    }]);
    h.client.markRead(5, 4);
    expect(h.store.chats.get(5)!.unread).toBe(0);
    h.handshake([{ chat_id: 5, last_seq: 4, read_seq: 2 }]);
    const reads = h.sock.ofType('read');
    expect(reads.map((r) => [r.chat_id, r.seq])).toEqual([[5, 4]]);
  });
});
