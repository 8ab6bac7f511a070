// SPDX-License-Identifier: MIT
// The in-memory state of the user's chats: the chat list (summaries with
// unread counts and last messages), per chat a window of loaded messages (a
// contiguous run of the chat's messages, from history pages and live events),
// members, pinned messages and who is typing. Live events (rt/client.ts) and
// REST answers (rt/session.ts) are both applied here; a REST answer may be a
// little older than the events already received, so each chat keeps its
// recent events and replays them onto such an answer. Pure state: no sockets,
// no fetch. Messages are replaced, never mutated, so a view can compare them
// by reference. Subscribers are told once per microtask.
import type { Chat, EventFrame, Member, Message, Reaction } from './protocol';

export interface MessageWindow {
  messages: Message[];
  /* a history page has been merged: the window reaches the chat's end or
   * the page's start */
  loaded: boolean;
  hasMoreBefore: boolean;
  hasMoreAfter: boolean;
}

export interface Typist {
  name: string;
  until: number;
}

const RECENT_MAX = 300;
const TAIL_MAX = 100;

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/* Times of member.muted are unix seconds in the event, milliseconds in REST. */
export function toMs(v: number | null): number | null {
  if (v === null || v === 0) return null;
  return v < 1e12 ? v * 1000 : v;
}

/* A message made from a message.new event. */
export function messageFromEvent(ev: EventFrame): Message {
  const d = ev.data;
  const author = (d.author && typeof d.author === 'object' ? d.author : {}) as { id?: unknown; name?: unknown };
  const fwd = d.forwarded_from && typeof d.forwarded_from === 'object'
    ? d.forwarded_from as Message['forwarded_from'] : null;
  return {
    seq: ev.seq,
    id: num(d.message_id) ?? 0,
    author: { id: num(author.id) ?? num(ev.author_id) ?? 0, name: str(author.name) ?? '' },
    text: str(d.text) ?? '',
    deleted: false,
    deleted_by_moderator: false,
    edited_at: null,
    reply_to: num(d.reply_to),
    forwarded_from: fwd,
    mentions: Array.isArray(d.mentions) ? (d.mentions as unknown[]).filter((x): x is number => typeof x === 'number') : [],
    attachments: Array.isArray(d.attachments) ? d.attachments as unknown[] : [],
    reactions: [],
    pinned: false,
    at: ev.at,
  };
}

/* The message after event ev (edit, delete, reaction, pin) by a user whose
 * id is me; the same object if ev does not change it. */
export function applyToMessage(m: Message, ev: EventFrame, me: number): Message {
  const d = ev.data;
  switch (ev.kind) {
    case 'message.edit':
      if (m.deleted) return m;
      return { ...m, text: str(d.text) ?? m.text, edited_at: num(d.edited_at) ?? ev.at };
    case 'message.delete':
      return { ...m, deleted: true, text: null, pinned: false, reactions: [],
        deleted_by_moderator: d.by_moderator === true };
    case 'reaction': {
      const emoji = str(d.emoji);
      if (!emoji) return m;
      const on = d.on !== false;
      const mine = num(d.user_id) === me;
      const reactions: Reaction[] = m.reactions.map((r) => ({ ...r }));
      let r = reactions.find((x) => x.emoji === emoji);
      if (on) {
        if (!r) {
          r = { emoji, count: 0, mine: false };
          reactions.push(r);
        }
        r.count++;
        if (mine) r.mine = true;
      } else if (r) {
        r.count = Math.max(0, r.count - 1);
        if (mine) r.mine = false;
      }
      return { ...m, reactions: reactions.filter((x) => x.count > 0) };
    }
    case 'pin':
      return { ...m, pinned: d.pinned !== false };
    default:
      return m;
  }
}

/* The seq of the message an event is about (edit, delete, reaction, pin). */
function targetSeq(ev: EventFrame): number | null {
  return num(ev.data.seq);
}

export class ChatStore {
  readonly chats = new Map<number, Chat>();
  chatsLoaded = false;
  readonly windows = new Map<number, MessageWindow>();
  readonly members = new Map<number, Member[]>();
  readonly pins = new Map<number, Message[]>();
  readonly typing = new Map<number, Map<number, Typist>>();
  /* chats the user was removed from while this page was open */
  readonly removed = new Set<number>();
  /* per chat, the latest events with the order in which they arrived */
  private recent = new Map<number, { n: number; ev: EventFrame }[]>();
  /* chat → the highest read position known here (ours, or another device's) */
  private readSeen = new Map<number, number>();
  private arrivals = 0;
  private listeners = new Set<() => void>();
  private scheduled = false;
  version = 0;
  /* called when the store needs data it cannot derive: the chat list (a chat
   * it does not know), a chat's summary, members or pins */
  onStale: (what: { chats?: true; chat?: number; members?: number; pins?: number }) => void = () => {};

  constructor(public me: number) {}

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed(): void {
    this.version++;
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const fn of this.listeners) fn();
    });
  }

  /* A mark of "now" in the order of arrivals: events after it may be missing
   * from a REST answer requested now. */
  mark(): number {
    return this.arrivals;
  }

  eventsSince(chatId: number, mark: number): EventFrame[] {
    return (this.recent.get(chatId) ?? []).filter((r) => r.n > mark).map((r) => r.ev);
  }

  /* ---- the chat list ---- */

  sortedChats(): Chat[] {
    return [...this.chats.values()].sort((a, b) => activity(b) - activity(a) || b.id - a.id);
  }

  totalUnread(): number {
    let n = 0;
    for (const c of this.chats.values()) n += c.unread;
    return n;
  }

  /* The list from GET /chats (complete), with the events received since
   * replayed onto any chat the answer shows at an older seq. */
  setChats(list: Chat[]): void {
    const known = new Set<number>();
    for (const c of list) {
      known.add(c.id);
      this.setChat(c, false);
    }
    for (const id of [...this.chats.keys()]) if (!known.has(id)) this.chats.delete(id);
    this.chatsLoaded = true;
    this.changed();
  }

  /* One chat's summary from GET /chats/:id or a create. */
  setChat(c: Chat, notify = true): void {
    let chat = { ...c };
    for (const r of this.recent.get(c.id) ?? []) if (r.ev.seq > chat.last_seq) chat = this.summaryEffect(chat, r.ev);
    // a read position reported after the answer was made
    const read = this.readSeen.get(c.id) ?? 0;
    if (read > chat.read_seq) chat = this.withRead(chat, read, false);
    this.chats.set(c.id, chat);
    this.removed.delete(c.id);
    if (notify) this.changed();
  }

  private summaryEffect(c: Chat, ev: EventFrame): Chat {
    const d = ev.data;
    const out: Chat = { ...c, last_seq: Math.max(c.last_seq, ev.seq) };
    switch (ev.kind) {
      case 'message.new': {
        const m = messageFromEvent(ev);
        out.last_message = { seq: m.seq, author: m.author, text: m.text, deleted: false, at: m.at };
        if (m.author.id === this.me) {
          out.read_seq = Math.max(out.read_seq, ev.seq);
          out.unread = 0;
        } else if (ev.seq > out.read_seq) {
          out.unread++;
        }
        break;
      }
      case 'message.edit':
        if (out.last_message && out.last_message.seq === targetSeq(ev) && !out.last_message.deleted) {
          out.last_message = { ...out.last_message, text: str(d.text) ?? out.last_message.text };
        }
        break;
      case 'message.delete': {
        const seq = targetSeq(ev);
        if (seq === null) break;
        const m = this.findMessage(c.id, seq);
        const author = m?.author.id ?? (out.last_message?.seq === seq ? out.last_message.author.id : null);
        if (author !== null && author !== this.me && seq > out.read_seq && out.unread > 0) out.unread--;
        if (out.last_message && out.last_message.seq === seq) {
          out.last_message = { ...out.last_message, deleted: true, text: null };
        }
        break;
      }
      case 'chat.updated':
        if (typeof d.title === 'string') out.title = d.title;
        if (typeof d.description === 'string') out.description = d.description;
        if (d.post_policy === 'all' || d.post_policy === 'admins') out.post_policy = d.post_policy;
        if (d.add_policy === 'all' || d.add_policy === 'admins') out.add_policy = d.add_policy;
        if (typeof d.slow_mode_s === 'number') out.slow_mode_s = d.slow_mode_s;
        if (typeof d.archived === 'boolean') out.archived = d.archived;
        break;
      case 'member.added':
        if (num(d.user_id) !== this.me) out.members_count++;
        break;
      case 'member.removed':
        out.members_count = Math.max(0, out.members_count - 1);
        break;
      case 'member.role':
        if (num(d.user_id) === this.me && typeof d.role === 'string') out.my_role = d.role as Chat['my_role'];
        break;
      case 'member.muted':
        if (num(d.user_id) === this.me) out.muted_until = toMs(num(d.muted_until));
        break;
      default:
        break;
    }
    return out;
  }

  /* ---- live events ---- */

  /* Apply one event the cursors let through (new, in order). */
  applyEvent(ev: EventFrame): void {
    const n = ++this.arrivals;
    let log = this.recent.get(ev.chat_id);
    if (!log) {
      log = [];
      this.recent.set(ev.chat_id, log);
    }
    log.push({ n, ev });
    if (log.length > RECENT_MAX) log.splice(0, log.length - RECENT_MAX);

    const d = ev.data;
    const chat = this.chats.get(ev.chat_id);
    if (chat && ev.seq > chat.last_seq) this.chats.set(ev.chat_id, this.summaryEffect(chat, ev));
    if (!chat && this.chatsLoaded && !(ev.kind === 'member.removed' && num(d.user_id) === this.me)) {
      this.onStale({ chats: true }); // a chat we were just added to
    }

    const win = this.windows.get(ev.chat_id);
    if (ev.kind === 'message.new') {
      const m = messageFromEvent(ev);
      this.typing.get(ev.chat_id)?.delete(m.author.id);
      if (win && !win.hasMoreAfter) this.insertMessage(win, m);
      else if (!win) this.windows.set(ev.chat_id, { messages: [m], loaded: false, hasMoreBefore: true, hasMoreAfter: false });
    } else if (win && targetSeq(ev) !== null && ['message.edit', 'message.delete', 'reaction', 'pin'].includes(ev.kind)) {
      this.updateMessage(win, targetSeq(ev)!, (m) => applyToMessage(m, ev, this.me));
    }

    switch (ev.kind) {
      case 'pin':
        this.updatePins(ev.chat_id, targetSeq(ev), d.pinned !== false);
        break;
      case 'message.delete': {
        const pins = this.pins.get(ev.chat_id);
        if (pins) this.pins.set(ev.chat_id, pins.filter((p) => p.seq !== targetSeq(ev)));
        break;
      }
      case 'message.edit': {
        const pins = this.pins.get(ev.chat_id);
        if (pins) this.pins.set(ev.chat_id, pins.map((p) => p.seq === targetSeq(ev) ? applyToMessage(p, ev, this.me) : p));
        break;
      }
      case 'member.added':
      case 'member.role':
      case 'member.muted':
        if (this.members.has(ev.chat_id)) this.onStale({ members: ev.chat_id });
        break;
      case 'member.removed':
        if (num(d.user_id) === this.me) {
          this.chats.delete(ev.chat_id);
          this.removed.add(ev.chat_id);
          this.members.delete(ev.chat_id);
        } else if (this.members.has(ev.chat_id)) {
          this.onStale({ members: ev.chat_id });
        }
        break;
      default:
        break;
    }
    this.changed();
  }

  private updatePins(chatId: number, seq: number | null, pinned: boolean): void {
    const pins = this.pins.get(chatId);
    if (!pins || seq === null) return;
    if (!pinned) {
      this.pins.set(chatId, pins.filter((p) => p.seq !== seq));
      return;
    }
    const m = this.findMessage(chatId, seq);
    if (m) this.pins.set(chatId, [...pins.filter((p) => p.seq !== seq), { ...m, pinned: true }].sort((a, b) => a.seq - b.seq));
    else this.onStale({ pins: chatId });
  }

  findMessage(chatId: number, seq: number): Message | undefined {
    const win = this.windows.get(chatId);
    if (!win) return undefined;
    const i = indexOfSeq(win.messages, seq);
    return i >= 0 ? win.messages[i] : undefined;
  }

  private insertMessage(win: MessageWindow, m: Message): void {
    const msgs = win.messages;
    const last = msgs[msgs.length - 1];
    if (!last || last.seq < m.seq) {
      // a chat nobody has opened keeps only its latest live messages
      win.messages = !win.loaded && msgs.length >= TAIL_MAX ? [...msgs.slice(1 - TAIL_MAX), m] : [...msgs, m];
      return;
    }
    if (indexOfSeq(msgs, m.seq) >= 0) return;
    win.messages = [...msgs, m].sort((a, b) => a.seq - b.seq);
  }

  private updateMessage(win: MessageWindow, seq: number, fn: (m: Message) => Message): void {
    const i = indexOfSeq(win.messages, seq);
    if (i < 0) return;
    const before = win.messages[i]!;
    const after = fn(before);
    if (after === before) return;
    const copy = win.messages.slice();
    copy[i] = after;
    win.messages = copy;
  }

  /* ---- history pages ---- */

  /* Merge a page from GET /chats/:id/messages requested at mark. mode:
   * 'latest' — the chat's newest messages; 'before'/'after' — next to the
   * window; 'around' — a new window around a message (replaces the old). */
  mergePage(chatId: number, mode: 'latest' | 'before' | 'after' | 'around',
    page: { messages: Message[]; has_more_before: boolean; has_more_after: boolean }, mark: number): void {
    // replay what happened since the request was made onto the page
    const later = this.eventsSince(chatId, mark);
    let msgs = page.messages.slice().sort((a, b) => a.seq - b.seq);
    for (const ev of later) {
      const seq = targetSeq(ev);
      if (ev.kind === 'message.new' || seq === null || ev.kind === 'reaction') continue;
      msgs = msgs.map((m) => (m.seq === seq ? applyToMessage(m, ev, this.me) : m));
    }
    const old = this.windows.get(chatId);
    let win: MessageWindow;
    if (!old || ((mode === 'around' || mode === 'latest') && (old.hasMoreAfter || page.has_more_after))) {
      // a window of its own: nothing to join it to
      win = { messages: msgs, loaded: true, hasMoreBefore: page.has_more_before, hasMoreAfter: page.has_more_after };
    } else if (mode === 'around' || mode === 'latest') {
      // both reach the chat's end (the window may hold live messages newer
      // than the page): one contiguous run; its start is the earlier start
      const oldFirst = old.messages[0]?.seq ?? Infinity;
      const pageFirst = msgs[0]?.seq ?? Infinity;
      win = {
        messages: union(old.messages, msgs),
        loaded: true,
        hasMoreBefore: old.loaded && oldFirst < pageFirst ? old.hasMoreBefore : page.has_more_before,
        hasMoreAfter: false,
      };
    } else if (mode === 'before') {
      win = { ...old, messages: union(msgs, old.messages), hasMoreBefore: page.has_more_before, loaded: true };
    } else {
      win = { ...old, messages: union(old.messages, msgs), hasMoreAfter: page.has_more_after, loaded: true };
    }
    this.windows.set(chatId, win);
    this.changed();
  }

  /* Were reactions to messages of this page announced while it was on its
   * way? Their counts cannot be replayed (the page may already hold them):
   * the caller asks again. */
  reactionsRaced(chatId: number, mark: number, page: { messages: Message[] }): boolean {
    const seqs = new Set(page.messages.map((m) => m.seq));
    return this.eventsSince(chatId, mark).some((ev) => ev.kind === 'reaction' && seqs.has(targetSeq(ev) ?? -1));
  }

  /* Forget a chat's messages (e.g. after a sync that could not resume). */
  dropWindows(): void {
    this.windows.clear();
    this.changed();
  }

  /* ---- read positions ---- */

  /* The user has read chatId up to seq (here or on another device). */
  setRead(chatId: number, seq: number): void {
    if (seq > (this.readSeen.get(chatId) ?? 0)) this.readSeen.set(chatId, seq);
    const c = this.chats.get(chatId);
    if (!c || seq <= c.read_seq) return;
    this.chats.set(chatId, this.withRead(c, seq, true));
    this.changed();
  }

  /* c read up to seq: the unread count from the loaded messages if they
   * cover what is left, else (ask) asked of the server. */
  private withRead(c: Chat, seq: number, ask: boolean): Chat {
    const chatId = c.id;
    const out: Chat = { ...c, read_seq: seq };
    const lastSeq = Math.max(c.last_message?.seq ?? 0, 0);
    if (seq >= lastSeq) {
      out.unread = 0;
    } else {
      const win = this.windows.get(chatId);
      const covered = win && !win.hasMoreAfter && win.messages.length > 0 &&
        (win.messages[0]!.seq <= seq + 1 || !win.hasMoreBefore);
      if (covered) {
        out.unread = win!.messages.filter((m) => m.seq > seq && !m.deleted && m.author.id !== this.me).length;
      } else if (ask) {
        this.onStale({ chat: chatId });
      }
    }
    return out;
  }

  /* ---- typing ---- */

  setTyping(chatId: number, userId: number, name: string, until: number): void {
    if (userId === this.me) return;
    let m = this.typing.get(chatId);
    if (!m) {
      m = new Map();
      this.typing.set(chatId, m);
    }
    m.set(userId, { name, until });
    this.changed();
  }

  /* Drop typists whose time is over; true if any was. */
  expireTyping(now: number): boolean {
    let any = false;
    for (const m of this.typing.values()) {
      for (const [id, t] of m) {
        if (t.until <= now) {
          m.delete(id);
          any = true;
        }
      }
    }
    if (any) this.changed();
    return any;
  }

  typists(chatId: number): string[] {
    return [...(this.typing.get(chatId)?.values() ?? [])].map((t) => t.name);
  }

  setMembers(chatId: number, list: Member[]): void {
    this.members.set(chatId, list);
    this.changed();
  }

  setPins(chatId: number, list: Message[]): void {
    this.pins.set(chatId, list.slice().sort((a, b) => a.seq - b.seq));
    this.changed();
  }
}

function activity(c: Chat): number {
  return Math.max(c.last_message?.at ?? 0, c.created_at);
}

export function indexOfSeq(msgs: readonly Message[], seq: number): number {
  let lo = 0;
  let hi = msgs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = msgs[mid]!.seq;
    if (s === seq) return mid;
    if (s < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/* a and b sorted by seq; where both hold a message, b's copy wins unless a's
 * is newer information (a deleted message stays deleted). */
function union(a: readonly Message[], b: readonly Message[]): Message[] {
  const map = new Map<number, Message>();
  for (const m of a) map.set(m.seq, m);
  for (const m of b) {
    const prev = map.get(m.seq);
    map.set(m.seq, prev && prev.deleted && !m.deleted ? prev : m);
  }
  return [...map.values()].sort((x, y) => x.seq - y.seq);
}
