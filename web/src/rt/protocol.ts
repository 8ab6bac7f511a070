// SPDX-License-Identifier: MIT
// The shapes of the chat API as the client sees them: the real-time protocol's
// frames (docs/protocol.md) and the REST resources of chats, messages,
// members, read reports and search (src/api/chats.c, chat_members.c,
// search.c). Times are unix milliseconds; a message is identified in its chat
// by the seq of its message.new event.

export type ChatKind = 'direct' | 'group' | 'channel';
export type Mandatory = 'teachers' | 'study_group' | 'parents' | 'subject';
export type ChatRole = 'owner' | 'admin' | 'member';

export interface Person {
  id: number;
  name: string;
}

export interface LastMessage {
  seq: number;
  author: Person;
  text: string | null;
  deleted: boolean;
  at: number;
}

export interface Chat {
  id: number;
  kind: ChatKind;
  mandatory: Mandatory | null;
  title: string;
  description: string;
  unit_id: number | null;
  subject: string | null;
  post_policy: 'all' | 'admins';
  add_policy: 'all' | 'admins';
  slow_mode_s: number;
  archived: boolean;
  created_by: number | null;
  created_at: number;
  last_seq: number;
  read_seq: number;
  unread: number;
  my_role: ChatRole | '';
  muted_until: number | null;
  members_count: number;
  peer: Person | null;
  last_message: LastMessage | null;
}

export interface Reaction {
  emoji: string;
  count: number;
  mine: boolean;
}

export interface ForwardedFrom {
  chat_id: number;
  seq: number;
  author_name: string;
}

export interface Message {
  seq: number;
  id: number;
  author: Person;
  text: string | null;
  deleted: boolean;
  deleted_by_moderator: boolean;
  edited_at: number | null;
  reply_to: number | null;
  forwarded_from: ForwardedFrom | null;
  mentions: number[];
  attachments: unknown[];
  reactions: Reaction[];
  pinned: boolean;
  at: number;
}

export interface HistoryPage {
  messages: Message[];
  has_more_before: boolean;
  has_more_after: boolean;
}

export interface Member {
  user_id: number;
  name: string;
  role: ChatRole;
  source: 'manual' | 'system' | string;
  muted_until: number | null;
}

export interface ReadReport {
  seq: number;
  read: { user_id: number; name: string }[];
  unread: { user_id: number; name: string }[];
}

export interface SearchHit {
  chat_id: number;
  chat_title: string;
  seq: number;
  author: Person;
  at: number;
  snippet: { text: string; highlights: [number, number][] };
}

export interface SearchResult {
  results: SearchHit[];
  next_before_id: number | null;
}

/* ---- real-time frames, server → client ---- */

export interface HelloFrame { type: 'hello'; user_id: number; name: string; protocol: number }
export interface SyncedFrame {
  type: 'synced';
  id?: string;
  chats: { chat_id: number; last_seq: number; read_seq: number }[];
}
export interface EventFrame {
  type: 'event';
  chat_id: number;
  seq: number;
  kind: string;
  at: number;
  author_id?: number | null;
  data: Record<string, unknown>;
}
export interface AckFrame {
  type: 'ack';
  id?: string;
  client_id?: string;
  chat_id: number;
  seq: number;
  at?: number;
  message_id?: number;
  duplicate?: boolean;
}
export interface ErrorFrame {
  type: 'error';
  id?: string;
  client_id?: string;
  code: string;
  message: string;
  field?: string;
}
export interface ReadFrame { type: 'read'; chat_id: number; seq: number }
export interface TypingFrame { type: 'typing'; chat_id: number; user_id: number; name: string }
export interface PongFrame { type: 'pong'; id?: string }

export type ServerFrame =
  | HelloFrame | SyncedFrame | EventFrame | AckFrame | ErrorFrame | ReadFrame | TypingFrame | PongFrame;

/* ---- writes, client → server (what the send queue keeps) ---- */

export type WriteOp =
  | { type: 'send'; chat_id: number; text: string; reply_to?: number; mentions?: number[] }
  | { type: 'edit'; chat_id: number; seq: number; text: string }
  | { type: 'delete'; chat_id: number; seq: number }
  | { type: 'react'; chat_id: number; seq: number; emoji: string; on: boolean }
  | { type: 'pin'; chat_id: number; seq: number; pinned: boolean };

/* Parse one text frame; null if it is not a JSON object with a type. */
export function parseFrame(text: string): ServerFrame | null {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string') return v as ServerFrame;
  } catch {
    /* not JSON */
  }
  return null;
}
