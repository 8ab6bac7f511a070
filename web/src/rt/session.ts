// SPDX-License-Identifier: MIT
// One chat session per logged-in user and page: the store, the real-time
// client and the REST loaders that fill the store (chat list, history pages,
// members, pins), plus the actions the views call. The shell keeps it alive
// for as long as the user is logged in (useChatSession in the sidebar), so
// unread counts stay live on every page; it closes on logout and then forgets
// the user's cursors and unsent writes (a shared computer keeps nothing).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, request, type User } from '../api';
import { chatApi, type NewChat, type PageQuery } from './api';
import { RtClient, type SocketLike } from './client';
import type { StorageLike } from './cursors';
import type { Chat, WriteOp } from './protocol';
import { ChatStore } from './store';

export type LoadMode = 'latest' | 'before' | 'after' | 'around';

function sessionStore(): StorageLike | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // storage disabled
  }
}

function wsUrl(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/v1/ws`;
}

export class ChatSession {
  readonly store: ChatStore;
  readonly client: RtClient;
  readonly userId: number;
  /* chat → the history page being loaded */
  readonly loading = new Map<number, LoadMode>();
  /* chat → why its history could not be loaded */
  readonly historyErrors = new Map<number, ApiError>();
  chatsError: ApiError | null = null;
  chatsLoading = false;
  private chatsAgain = false;
  private chatsTimer: ReturnType<typeof setTimeout> | null = null;
  private refreshing = new Set<number>();
  private offWindow: (() => void) | null = null;

  constructor(user: User) {
    this.userId = Number(user.id);
    this.store = new ChatStore(this.userId);
    this.client = new RtClient({
      userId: this.userId,
      store: this.store,
      storage: sessionStore(),
      makeSocket: () => new WebSocket(wsUrl()) as unknown as SocketLike,
      checkSession: () => {
        // a 401 here runs the app's "session ended" handler (api.ts)
        request('GET', '/auth/me').catch(() => {});
      },
      onReset: () => {
        this.store.dropWindows();
        this.loadChats();
      },
      onSynced: () => this.loadChats(),
    });
    this.store.onStale = (what) => {
      if (what.chats) this.loadChatsSoon();
      if (what.chat) this.refreshChat(what.chat);
      if (what.members) this.loadMembers(what.members).catch(() => {});
      if (what.pins) this.loadPins(what.pins).catch(() => {});
    };
    this.client.queue.subscribe(() => this.store.changed());
    this.client.onState(() => this.store.changed());
  }

  start(): void {
    const online = () => this.client.setBrowserOnline(true);
    const offline = () => this.client.setBrowserOnline(false);
    const hide = () => this.client.flushCursors();
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    window.addEventListener('pagehide', hide);
    this.offWindow = () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      window.removeEventListener('pagehide', hide);
    };
    if (typeof navigator !== 'undefined' && navigator.onLine === false) this.client.setBrowserOnline(false);
    this.client.start();
    this.loadChats();
  }

  /* End the session; forget: also drop the stored cursors and writes. */
  stop(forget: boolean): void {
    this.offWindow?.();
    this.offWindow = null;
    this.client.stop();
    if (this.chatsTimer) clearTimeout(this.chatsTimer);
    if (forget) {
      this.client.queue.clear();
      this.client.cursors.clear();
      this.client.cursors.save();
    }
  }

  /* ---- loaders ---- */

  loadChats(): void {
    if (this.chatsLoading) {
      this.chatsAgain = true;
      return;
    }
    this.chatsLoading = true;
    this.store.changed();
    chatApi.list().then(
      (r) => {
        this.chatsError = null;
        this.store.setChats(r.chats);
      },
      (e) => {
        this.chatsError = e instanceof ApiError ? e : new ApiError(0, 'unknown', String(e));
      },
    ).finally(() => {
      this.chatsLoading = false;
      this.store.changed();
      if (this.chatsAgain) {
        this.chatsAgain = false;
        this.loadChats();
      }
    });
  }

  private loadChatsSoon(): void {
    if (this.chatsTimer) return;
    this.chatsTimer = setTimeout(() => {
      this.chatsTimer = null;
      this.loadChats();
    }, 200);
  }

  refreshChat(id: number): void {
    if (this.refreshing.has(id)) return;
    this.refreshing.add(id);
    chatApi.get(id).then((r) => this.store.setChat(r.chat), () => {}).finally(() => this.refreshing.delete(id));
  }

  /* Load a page of chatId's history. Returns false if one is already on its
   * way (or nothing more to load). */
  async loadHistory(chatId: number, mode: LoadMode, seq?: number): Promise<boolean> {
    const busy = this.loading.get(chatId);
    if (busy && !(mode === 'around' || (mode === 'latest' && busy !== 'latest'))) return false;
    const win = this.store.windows.get(chatId);
    let q: PageQuery = { mode: 'latest' };
    if (mode === 'before') {
      const first = win?.messages[0];
      if (!win || !win.hasMoreBefore || !first) return false;
      q = { mode: 'before', seq: first.seq };
    } else if (mode === 'after') {
      const last = win?.messages[win.messages.length - 1];
      if (!win || !win.hasMoreAfter || !last) return false;
      q = { mode: 'after', seq: last.seq };
    } else if (mode === 'around') {
      q = { mode: 'around', seq: seq ?? 0 };
    }
    this.loading.set(chatId, mode);
    this.historyErrors.delete(chatId);
    this.store.changed();
    try {
      for (let attempt = 0; ; attempt++) {
        const mark = this.store.mark();
        const page = await chatApi.history(chatId, q);
        if (this.loading.get(chatId) !== mode) return false; // overtaken by another load
        if (attempt < 2 && this.store.reactionsRaced(chatId, mark, page)) continue;
        this.store.mergePage(chatId, mode, page, mark);
        return true;
      }
    } catch (e) {
      if (this.loading.get(chatId) === mode) {
        this.historyErrors.set(chatId, e instanceof ApiError ? e : new ApiError(0, 'unknown', String(e)));
      }
      return false;
    } finally {
      if (this.loading.get(chatId) === mode) this.loading.delete(chatId);
      this.store.changed();
    }
  }

  async loadMembers(chatId: number): Promise<void> {
    const r = await chatApi.members(chatId);
    this.store.setMembers(chatId, r.members);
  }

  async loadPins(chatId: number): Promise<void> {
    const r = await chatApi.pins(chatId);
    this.store.setPins(chatId, r.messages);
  }

  async createChat(body: NewChat): Promise<Chat> {
    const r = await chatApi.create(body);
    this.store.setChat(r.chat);
    return r.chat;
  }

  /* ---- writes ---- */

  send(chatId: number, text: string, opts: { replyTo?: number; mentions?: number[] } = {}): string {
    const op: WriteOp = { type: 'send', chat_id: chatId, text };
    if (opts.replyTo) op.reply_to = opts.replyTo;
    if (opts.mentions?.length) op.mentions = opts.mentions;
    return this.client.submit(op);
  }

  edit(chatId: number, seq: number, text: string): string {
    return this.client.submit({ type: 'edit', chat_id: chatId, seq, text });
  }

  remove(chatId: number, seq: number): string {
    return this.client.submit({ type: 'delete', chat_id: chatId, seq });
  }

  react(chatId: number, seq: number, emoji: string, on: boolean): string {
    return this.client.submit({ type: 'react', chat_id: chatId, seq, emoji, on });
  }

  pin(chatId: number, seq: number, pinned: boolean): string {
    return this.client.submit({ type: 'pin', chat_id: chatId, seq, pinned });
  }
}

/* ---- the one session of the page ---- */

let current: ChatSession | null = null;
let holders = 0;
let closing: ReturnType<typeof setTimeout> | null = null;

export function acquireSession(user: User): ChatSession {
  if (closing) {
    clearTimeout(closing);
    closing = null;
  }
  if (current && current.userId !== Number(user.id)) {
    current.stop(true);
    current = null;
  }
  if (!current) {
    current = new ChatSession(user);
    current.start();
  }
  holders++;
  return current;
}

export function releaseSession(): void {
  holders = Math.max(0, holders - 1);
  if (holders > 0 || closing) return;
  // a moment's grace: a page switch releases and acquires again
  closing = setTimeout(() => {
    closing = null;
    if (holders === 0 && current) {
      current.stop(true);
      current = null;
    }
  }, 0);
}

/* The session for user, held while the calling component is mounted; the
 * component re-renders on every change of the store, the queue or the
 * connection state. */
export function useChatSession(user: User): ChatSession {
  const [session] = useState(() => acquireSession(user));
  const [, setVersion] = useState(0);
  useEffect(() => {
    const off = session.store.subscribe(() => setVersion(session.store.version));
    return () => {
      off();
      releaseSession();
    };
  }, [session]);
  return session;
}
