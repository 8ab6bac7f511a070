// SPDX-License-Identifier: MIT
// The chat resources of the REST API (src/api/chats.c, chat_members.c,
// search.c, people.c, org.c), through api.ts's request(): the chat list,
// one chat, history pages, members and their moderation, read reports, pins,
// full-text search, creating chats, and the people a chat can be made with.
import { request } from '../api';
import type { Chat, HistoryPage, Member, Message, ReadReport, SearchResult } from './protocol';

export type PageQuery = { mode: 'latest' } | { mode: 'before' | 'after' | 'around'; seq: number };

export interface NewChat {
  kind: 'direct' | 'group' | 'channel';
  user_id?: number;
  title?: string;
  description?: string;
  user_ids?: number[];
  unit_id?: number;
  subject?: string;
}

export interface PersonHit {
  id: number;
  name: string;
  login?: string;
  roles?: { role: string; unit_id: number; unit_name: string }[];
}

export interface Assignment {
  id: number;
  role: string;
  unit_id: number;
  unit_name: string;
  until: string | null;
}

export interface OrgUnit {
  id: number;
  kind: 'college' | 'branch' | 'department' | 'study_group';
  parent_id: number | null;
  name: string;
  code: string | null;
  archived: boolean;
}

export const PAGE_SIZE = 50;

export const chatApi = {
  list(signal?: AbortSignal): Promise<{ chats: Chat[] }> {
    return request('GET', '/chats', { signal });
  },
  get(id: number, signal?: AbortSignal): Promise<{ chat: Chat }> {
    return request('GET', `/chats/${id}`, { signal });
  },
  history(id: number, q: PageQuery, signal?: AbortSignal): Promise<HistoryPage> {
    const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (q.mode !== 'latest') p.set(q.mode, String(q.seq));
    return request('GET', `/chats/${id}/messages?${p}`, { signal });
  },
  members(id: number, signal?: AbortSignal): Promise<{ members: Member[] }> {
    return request('GET', `/chats/${id}/members`, { signal });
  },
  addMembers(id: number, userIds: number[]): Promise<{ added: number[] }> {
    return request('POST', `/chats/${id}/members`, { body: { user_ids: userIds } });
  },
  removeMember(id: number, userId: number): Promise<void> {
    return request('DELETE', `/chats/${id}/members/${userId}`);
  },
  muteMember(id: number, userId: number, seconds: number): Promise<{ member: Member }> {
    return request('PATCH', `/chats/${id}/members/${userId}`, { body: { muted_for_s: seconds } });
  },
  reads(id: number, seq: number, signal?: AbortSignal): Promise<ReadReport> {
    return request('GET', `/chats/${id}/messages/${seq}/reads`, { signal });
  },
  pins(id: number, signal?: AbortSignal): Promise<{ messages: Message[] }> {
    return request('GET', `/chats/${id}/pins`, { signal });
  },
  search(q: string, beforeId?: number, signal?: AbortSignal): Promise<SearchResult> {
    const p = new URLSearchParams({ q });
    if (beforeId) p.set('before_id', String(beforeId));
    return request('GET', `/search?${p}`, { signal });
  },
  create(body: NewChat): Promise<{ chat: Chat }> {
    return request('POST', '/chats', { body });
  },
  people(q: string, unitId?: number, signal?: AbortSignal): Promise<{ total: number; people: PersonHit[] }> {
    const p = new URLSearchParams({ q, limit: '20' });
    if (unitId) p.set('unit_id', String(unitId));
    return request('GET', `/people?${p}`, { signal });
  },
  person(id: number, signal?: AbortSignal): Promise<{ assignments: Assignment[] }> {
    return request('GET', `/people/${id}`, { signal });
  },
  orgTree(signal?: AbortSignal): Promise<{ units: OrgUnit[] }> {
    return request('GET', '/org/tree', { signal });
  },
};
