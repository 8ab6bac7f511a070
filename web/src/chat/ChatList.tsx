// SPDX-License-Identifier: MIT
// The chat list pane: the connection indicator, "new chat", a search box
// that filters the list by name as one types and offers a full-text search
// of the messages (GET /search), and the chats — title, kind badges
// (mandatory chats marked), last message, time and unread count.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { User } from '../api';
import { t } from '../i18n';
import { chatApi } from '../rt/api';
import type { Chat, SearchHit } from '../rt/protocol';
import type { ChatSession } from '../rt/session';
import { hasNavigated } from '../router';
import { Link, Spinner } from '../ui';
import { Avatar, ChatBadges, chatErrorText, ConnIndicator, plural, shortWhen } from './common';
import { NewChatDialog } from './NewChat';

/* The filter text stays when the page is re-created (a new chat opened). */
let keptFilter = '';
let keptSearch: string | null = null;
let keptScroll = 0;

function preview(chat: Chat, me: number): string {
  const m = chat.last_message;
  if (!m) return t('chat.list.noMessages');
  const text = m.deleted || m.text === null ? t('chat.list.deleted') : m.text.replace(/\s+/g, ' ');
  if (chat.kind === 'direct' && m.author.id !== me) return text;
  const who = m.author.id === me ? t('chat.list.you') : m.author.name.split(' ')[0] ?? m.author.name;
  return `${who}: ${text}`;
}

function norm(s: string): string {
  return s.toLocaleLowerCase().replace(/ё/g, 'е');
}

export function ChatList({ session, user, activeId }: { session: ChatSession; user: User; activeId: number | null }) {
  const store = session.store;
  const [filter, setFilter] = useState(keptFilter);
  const [searchQ, setSearchQ] = useState<string | null>(keptSearch);
  const [newOpen, setNewOpen] = useState(false);
  const listRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    keptFilter = filter;
    keptSearch = searchQ;
  }, [filter, searchQ]);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = keptScroll;
    // arriving at the list: screen readers hear where they are
    if (activeId === null && hasNavigated()) headingRef.current?.focus({ preventScroll: true });
  }, []);

  const chats = store.sortedChats();
  const f = norm(filter.trim());
  const shown = f ? chats.filter((c) => norm(c.title).includes(f) || norm(c.description).includes(f)) : chats;

  return (
    <section class="chat-list-pane" aria-labelledby="chats-heading">
      <div class="chat-list-head">
        <h1 id="chats-heading" ref={headingRef} class="page-heading" tabIndex={-1}>{t('chat.title')}</h1>
        <button type="button" class="btn btn-primary btn-small" onClick={() => setNewOpen(true)}>
          <span aria-hidden="true">+</span> {t('chat.new.open')}
        </button>
      </div>
      <div class="chat-list-conn">
        <ConnIndicator state={session.client.state}
          onRetry={session.client.browserOffline ? undefined : () => session.client.reconnectNow()} />
      </div>
      <form class="chat-search" role="search" onSubmit={(e) => {
        e.preventDefault();
        if (filter.trim().length >= 2) setSearchQ(filter.trim());
      }}>
        <label for="chat-search-input" class="sr-only">{t('chat.search.label')}</label>
        <input id="chat-search-input" type="search" value={filter} placeholder={t('chat.search.placeholder')}
          autoComplete="off" maxLength={200}
          onInput={(e) => {
            setFilter((e.currentTarget as HTMLInputElement).value);
            setSearchQ(null);
          }} />
        {filter.trim().length >= 2 && searchQ === null && (
          <button type="submit" class="btn btn-ghost btn-small chat-search-messages">
            {t('chat.search.inMessages', { q: filter.trim() })}
          </button>
        )}
      </form>
      <div class="chat-list-scroll" ref={listRef} onScroll={(e) => { keptScroll = (e.currentTarget as HTMLElement).scrollTop; }}>
        {searchQ !== null && <SearchResults q={searchQ} onClose={() => setSearchQ(null)} />}
        <nav aria-label={t('chat.listLabel')}>
          {!store.chatsLoaded && session.chatsLoading && <Spinner label={t('chat.list.loading')} />}
          {!store.chatsLoaded && session.chatsError && !session.chatsLoading && (
            <div class="chat-list-error">
              <p role="alert" class="alert alert-error">{chatErrorText(session.chatsError)}</p>
              <button type="button" class="btn btn-secondary" onClick={() => session.loadChats()}>{t('common.retry')}</button>
            </div>
          )}
          {store.chatsLoaded && chats.length === 0 && <p class="muted chat-list-note">{t('chat.list.empty')}</p>}
          {store.chatsLoaded && chats.length > 0 && shown.length === 0 && <p class="muted chat-list-note">{t('chat.list.noMatch')}</p>}
          <ul class="chat-list">
            {shown.map((c) => (
              <li key={c.id}>
                <ChatRow chat={c} me={session.userId} active={c.id === activeId} />
              </li>
            ))}
          </ul>
        </nav>
      </div>
      {newOpen && <NewChatDialog session={session} user={user} onClose={() => setNewOpen(false)} />}
    </section>
  );
}

function ChatRow({ chat, me, active }: { chat: Chat; me: number; active: boolean }) {
  const when = chat.last_message?.at ?? null;
  return (
    <Link href={`/chats/${chat.id}`} active={active} class="chat-row">
      <Avatar name={chat.title} kind={chat.kind} />
      <span class="chat-row-main">
        <span class="chat-row-top">
          <span class="chat-row-title">{chat.title}</span>
          {when !== null && <span class="chat-row-when muted small">{shortWhen(when)}</span>}
        </span>
        <span class="chat-row-badges"><ChatBadges chat={chat} /></span>
        <span class="chat-row-bottom">
          <span class="chat-row-preview muted small">{preview(chat, me)}</span>
          {chat.unread > 0 && (
            <span class="unread-badge" aria-label={plural('chat.unread', chat.unread)} title={plural('chat.unread', chat.unread)}>
              {chat.unread > 999 ? '999+' : chat.unread}
            </span>
          )}
        </span>
      </span>
    </Link>
  );
}

function Highlighted({ text, ranges }: { text: string; ranges: [number, number][] }) {
  const out: ComponentChildren[] = [];
  let at = 0;
  for (const [start, len] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (start < at) continue;
    if (start > at) out.push(text.slice(at, start));
    out.push(<mark key={start}>{text.slice(start, start + len)}</mark>);
    at = start + len;
  }
  if (at < text.length) out.push(text.slice(at));
  return <>{out}</>;
}

function SearchResults({ q, onClose }: { q: string; onClose: () => void }) {
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [busy, setBusy] = useState(true);
  const [error, setError] = useState<unknown>(null);

  async function load(before?: number) {
    setBusy(true);
    setError(null);
    try {
      const r = await chatApi.search(q, before);
      setHits((old) => (before ? [...old, ...r.results] : r.results));
      setNext(r.next_before_id);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    setHits([]);
    load();
  }, [q]);

  return (
    <section class="chat-search-results" aria-labelledby="chat-search-heading" aria-busy={busy ? 'true' : undefined}>
      <div class="section-head">
        <h2 id="chat-search-heading" class="sidebar-heading">{t('chat.search.results')}</h2>
        <button type="button" class="btn btn-ghost btn-small" onClick={onClose}>{t('chat.search.close')}</button>
      </div>
      <div role="status" class="sr-only">{busy ? '' : hits.length ? `${t('chat.search.results')}: ${hits.length}` : t('chat.search.none')}</div>
      {error !== null && <p role="alert" class="alert alert-error">{chatErrorText(error)}</p>}
      {!busy && !error && hits.length === 0 && <p class="muted chat-list-note">{t('chat.search.none')}</p>}
      <ul class="search-hits">
        {hits.map((h) => (
          <li key={`${h.chat_id}:${h.seq}`}>
            <Link href={`/chats/${h.chat_id}?m=${h.seq}`} class="search-hit">
              <span class="search-hit-top">
                <span class="chat-row-title">{h.chat_title}</span>
                <span class="muted small">{shortWhen(h.at)}</span>
              </span>
              <span class="small"><span class="muted">{h.author.name}: </span><Highlighted text={h.snippet.text} ranges={h.snippet.highlights} /></span>
            </Link>
          </li>
        ))}
      </ul>
      {busy && <Spinner label={t('chat.search.searching')} />}
      {!busy && next !== null && (
        <button type="button" class="btn btn-secondary btn-small" onClick={() => load(next)}>{t('chat.search.more')}</button>
      )}
    </section>
  );
}
