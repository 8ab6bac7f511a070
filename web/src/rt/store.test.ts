// SPDX-License-Identifier: MIT
// The chat store: unread counts from live events without counting twice what
// a REST answer already holds, history pages joined with live messages, the
// events that arrived while a page was on its way replayed onto it.
import { describe, expect, it } from 'vitest';
import type { Chat, EventFrame, Message } from './protocol';
import { ChatStore } from './store';

const ME = 7;

function chat(over: Partial<Chat> = {}): Chat {
  return {
    id: 5, kind: 'group', mandatory: null, title: 'T', description: '', unit_id: null, subject: null,
    post_policy: 'all', add_policy: 'admins', slow_mode_s: 0, archived: false, created_by: 1, created_at: 1,
    last_seq: 10, read_seq: 10, unread: 0, my_role: 'member', muted_until: null, members_count: 3, peer: null,
    last_message: null, ...over,
  };
}

function ev(seq: number, kind: string, data: Record<string, unknown>, author = 9): EventFrame {
  return { type: 'event', chat_id: 5, seq, kind, at: 1000 + seq, author_id: author, data };
}

function msgEv(seq: number, text: string, author = 9): EventFrame {
  return ev(seq, 'message.new', { message_id: seq, text, author: { id: author, name: `U${author}` }, mentions: [] }, author);
}

function msg(seq: number, text: string, author = 9): Message {
  return {
    seq, id: seq, author: { id: author, name: `U${author}` }, text, deleted: false, deleted_by_moderator: false,
    edited_at: null, reply_to: null, forwarded_from: null, mentions: [], attachments: [], reactions: [],
    pinned: false, at: seq,
  };
}

describe('ChatStore summaries', () => {
  it('counts unread messages of others, not its own', () => {
    const s = new ChatStore(ME);
    s.setChats([chat()]);
    s.applyEvent(msgEv(11, 'a'));
    s.applyEvent(msgEv(12, 'b'));
    expect(s.chats.get(5)).toMatchObject({ unread: 2, last_seq: 12, last_message: { seq: 12, text: 'b' } });
    s.applyEvent(msgEv(13, 'mine', ME));
    expect(s.chats.get(5)).toMatchObject({ unread: 0, read_seq: 13 });
  });

  it('does not count again what a later chat list already holds', () => {
    const s = new ChatStore(ME);
    s.setChats([chat()]);
    const mark = s.mark();
    s.applyEvent(msgEv(11, 'a'));
    // the list was read after event 11: it holds it
    s.setChats([chat({ last_seq: 11, unread: 1, last_message: { seq: 11, author: { id: 9, name: 'U9' }, text: 'a', deleted: false, at: 1 } })]);
    expect(s.chats.get(5)!.unread).toBe(1);
    // the list was read before event 12 arrived: it is replayed onto it
    s.applyEvent(msgEv(12, 'b'));
    s.setChats([chat({ last_seq: 11, unread: 1 })]);
    expect(s.chats.get(5)).toMatchObject({ unread: 2, last_seq: 12, last_message: { seq: 12 } });
    expect(s.eventsSince(5, mark).map((e) => e.seq)).toEqual([11, 12]);
  });

  it('asks for the chat list when an event comes from a chat it does not know', () => {
    const s = new ChatStore(ME);
    const stale: unknown[] = [];
    s.onStale = (w) => stale.push(w);
    s.setChats([]);
    s.applyEvent({ ...ev(2, 'member.added', { user_id: ME, name: 'Me', role: 'member' }), chat_id: 40 });
    expect(stale).toEqual([{ chats: true }]);
  });

  it('forgets a chat the user was removed from', () => {
    const s = new ChatStore(ME);
    s.setChats([chat()]);
    s.applyEvent(ev(11, 'member.removed', { user_id: ME, by: 1 }));
    expect(s.chats.has(5)).toBe(false);
    expect(s.removed.has(5)).toBe(true);
  });

  it('recounts unread from the loaded window when read part way', () => {
    const s = new ChatStore(ME);
    s.setChats([chat({ last_seq: 10, read_seq: 7, unread: 3,
      last_message: { seq: 10, author: { id: 9, name: 'U9' }, text: 'c', deleted: false, at: 1 } })]);
    s.mergePage(5, 'latest', { messages: [msg(8, 'a'), msg(9, 'b', ME), msg(10, 'c')], has_more_before: false, has_more_after: false }, s.mark());
    s.setRead(5, 8);
    expect(s.chats.get(5)!.unread).toBe(1);
    s.setRead(5, 10);
    expect(s.chats.get(5)!.unread).toBe(0);
  });
});

describe('ChatStore read positions', () => {
  it('keeps a read position reported here over an older chat list', () => {
    const s = new ChatStore(ME);
    const last = { seq: 10, author: { id: 9, name: 'U9' }, text: 'c', deleted: false, at: 1 };
    s.setChats([chat({ last_seq: 10, read_seq: 7, unread: 3, last_message: last })]);
    s.setRead(5, 10);
    expect(s.chats.get(5)).toMatchObject({ read_seq: 10, unread: 0 });
    // the list was read on the server before the read position arrived there
    s.setChats([chat({ last_seq: 10, read_seq: 7, unread: 3, last_message: last })]);
    expect(s.chats.get(5)).toMatchObject({ read_seq: 10, unread: 0 });
  });

  it('asks the server for the unread count it cannot work out', () => {
    const s = new ChatStore(ME);
    const stale: unknown[] = [];
    s.onStale = (w) => stale.push(w);
    s.setChats([chat({ last_seq: 10, read_seq: 2, unread: 8,
      last_message: { seq: 10, author: { id: 9, name: 'U9' }, text: 'c', deleted: false, at: 1 } })]);
    s.setRead(5, 6);
    expect(stale).toEqual([{ chat: 5 }]);
    s.setChats([chat({ last_seq: 10, read_seq: 2, unread: 8 })]);
    expect(stale).toHaveLength(1); // not again for a list answer
  });
});

describe('ChatStore windows', () => {
  it('joins the latest page with live messages that arrived first', () => {
    const s = new ChatStore(ME);
    s.setChats([chat()]);
    const mark = s.mark();
    s.applyEvent(msgEv(11, 'live'));
    s.mergePage(5, 'latest', { messages: [msg(9, 'x'), msg(10, 'y')], has_more_before: true, has_more_after: false }, mark);
    const w = s.windows.get(5)!;
    expect(w.messages.map((m) => m.seq)).toEqual([9, 10, 11]);
    expect(w).toMatchObject({ loaded: true, hasMoreBefore: true, hasMoreAfter: false });
    s.mergePage(5, 'before', { messages: [msg(7, 'v'), msg(8, 'w')], has_more_before: false, has_more_after: true }, s.mark());
    expect(s.windows.get(5)!.messages.map((m) => m.seq)).toEqual([7, 8, 9, 10, 11]);
    expect(s.windows.get(5)!.hasMoreBefore).toBe(false);
  });

  it('replays edits and deletions that overtook a page', () => {
    const s = new ChatStore(ME);
    s.setChats([chat()]);
    s.mergePage(5, 'latest', { messages: [msg(9, 'x')], has_more_before: false, has_more_after: false }, s.mark());
    const mark = s.mark();
    s.applyEvent(ev(11, 'message.edit', { seq: 9, text: 'x2', edited_at: 5 }));
    s.applyEvent(ev(12, 'message.delete', { seq: 10, by_moderator: true }));
    s.mergePage(5, 'latest', { messages: [msg(9, 'x'), msg(10, 'y')], has_more_before: false, has_more_after: false }, mark);
    const [m9, m10] = s.windows.get(5)!.messages;
    expect(m9).toMatchObject({ text: 'x2', edited_at: 5 });
    expect(m10).toMatchObject({ deleted: true, text: null, deleted_by_moderator: true });
  });

  it('sees that a reaction raced a page (its count cannot be replayed)', () => {
    const s = new ChatStore(ME);
    const mark = s.mark();
    s.applyEvent(ev(11, 'reaction', { seq: 9, emoji: '👍', user_id: 3, on: true }));
    expect(s.reactionsRaced(5, mark, { messages: [msg(9, 'x')] })).toBe(true);
    expect(s.reactionsRaced(5, mark, { messages: [msg(8, 'x')] })).toBe(false);
  });

  it('applies reactions, pins and edits to loaded messages without mutating them', () => {
    const s = new ChatStore(ME);
    s.mergePage(5, 'latest', { messages: [msg(9, 'x')], has_more_before: false, has_more_after: false }, s.mark());
    const before = s.windows.get(5)!.messages[0]!;
    s.applyEvent(ev(10, 'reaction', { seq: 9, emoji: '👍', user_id: ME, on: true }));
    s.applyEvent(ev(11, 'reaction', { seq: 9, emoji: '👍', user_id: 3, on: true }));
    s.applyEvent(ev(12, 'pin', { seq: 9, pinned: true }));
    const after = s.windows.get(5)!.messages[0]!;
    expect(after).not.toBe(before);
    expect(before.reactions).toEqual([]);
    expect(after).toMatchObject({ pinned: true, reactions: [{ emoji: '👍', count: 2, mine: true }] });
    s.applyEvent(ev(13, 'reaction', { seq: 9, emoji: '👍', user_id: ME, on: false }));
    expect(s.windows.get(5)!.messages[0]!.reactions).toEqual([{ emoji: '👍', count: 1, mine: false }]);
  });

  it('does not add live messages to a window that does not reach the end', () => {
    const s = new ChatStore(ME);
    s.mergePage(5, 'around', { messages: [msg(3, 'old')], has_more_before: true, has_more_after: true }, s.mark());
    s.applyEvent(msgEv(40, 'new'));
    expect(s.windows.get(5)!.messages.map((m) => m.seq)).toEqual([3]);
  });
});
