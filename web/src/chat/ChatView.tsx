// SPDX-License-Identifier: MIT
// One open chat: header (back to the list on phones, title, kind, members),
// the pinned bar, the conversation (history pages loaded while scrolling up,
// a page around a linked message, live messages, day separators and the
// "new messages" line, the user's pending messages at the end), who is
// typing, the connection banner and the composer. The read position is
// reported for the messages actually on screen while the page is visible.
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type User } from '../api';
import { t } from '../i18n';
import { chatApi, PAGE_SIZE } from '../rt/api';
import { parseMarkup, plainText, type MentionName } from '../rt/markup';
import type { Chat, Message } from '../rt/protocol';
import type { QueueItem } from '../rt/queue';
import type { ChatSession } from '../rt/session';
import { hasNavigated } from '../router';
import { Link, Spinner } from '../ui';
import {
  ChatBadges, chatErrorText, ConnIndicator, dateTimeOf, dayKey, dayLabel, isChatAdmin, PinIcon, plural, postBlock,
} from './common';
import { Composer, type ComposerMode } from './Composer';
import { MessageItem, PendingItem, type MessageActions, type MessagePerms } from './Message';
import { MembersDialog, ReadsDialog } from './Panels';

type Panel = null | { kind: 'members' } | { kind: 'reads'; seq: number };

export function ChatView({ session, chatId, target }: { session: ChatSession; user: User; chatId: number; target: number | null }) {
  const store = session.store;
  const chat = store.chats.get(chatId);
  const [missing, setMissing] = useState<ApiError | null>(null);

  // a chat not (yet) in the list: ask for it by itself
  useEffect(() => {
    if (chat || !store.chatsLoaded || store.removed.has(chatId)) return;
    const ctl = new AbortController();
    chatApi.get(chatId, ctl.signal).then((r) => store.setChat(r.chat), (e) => {
      if (!ctl.signal.aborted) setMissing(e instanceof ApiError ? e : new ApiError(0, 'unknown', ''));
    });
    return () => ctl.abort();
  }, [chatId, !!chat, store.chatsLoaded]);

  if (store.removed.has(chatId) || (!chat && missing)) {
    return (
      <section class="chat-view chat-view-empty" aria-label={t('chat.title')}>
        <div class="chat-head"><BackLink /></div>
        <p class="lead chat-view-note" role="alert">
          {store.removed.has(chatId) ? t('chat.view.removed')
            : missing && (missing.status === 404 || missing.status === 403) ? t('chat.view.notFound') : chatErrorText(missing)}
        </p>
      </section>
    );
  }
  if (!chat) {
    return (
      <section class="chat-view chat-view-empty" aria-label={t('chat.title')}>
        <div class="chat-head"><BackLink /></div>
        <div class="chat-view-note"><Spinner label={t('chat.view.loadingChat')} /></div>
      </section>
    );
  }
  return <OpenChat session={session} chat={chat} target={target} />;
}

function BackLink() {
  return (
    <Link href="/chats" class="btn btn-ghost chat-back">
      <span aria-hidden="true">←</span><span class="chat-back-text">{t('chat.view.back')}</span>
    </Link>
  );
}

function OpenChat({ session, chat, target }: { session: ChatSession; chat: Chat; target: number | null }) {
  const store = session.store;
  const chatId = chat.id;
  const win = store.windows.get(chatId);
  const loading = session.loading.get(chatId);
  const histErr = session.historyErrors.get(chatId);
  const members = store.members.get(chatId);
  const pins = store.pins.get(chatId) ?? [];
  const queue = session.client.queue.forChat(chatId);
  const admin = isChatAdmin(chat);
  const me = session.userId;

  const [mode, setMode] = useState<ComposerMode>({ kind: 'new' });
  const [composerFocus, setComposerFocus] = useState(false);
  const changeMode = (m: ComposerMode) => {
    setMode(m);
    setComposerFocus(true);
  };
  const [panel, setPanel] = useState<Panel>(null);
  const [highlight, setHighlight] = useState<number | null>(null);
  const [jumpTo, setJumpTo] = useState<number | null>(target);
  const [notFound, setNotFound] = useState(false);
  const [atBottom, setAtBottom] = useState(true);
  const scrollRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLTextAreaElement | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const stick = useRef(target === null);
  const lastFirst = useRef<number | null>(null);
  const lastHeight = useRef(0);
  const initialDone = useRef(false);
  // the read position when the chat was opened: where "new messages" begin
  const [openedRead] = useState(chat.read_seq);
  const visible = useRef(new Set<number>());

  // first load: the latest page, or the page around the linked message
  useEffect(() => {
    if (target !== null) {
      setJumpTo(target);
      if (!store.findMessage(chatId, target)) {
        session.loadHistory(chatId, 'around', target).then(() => {
          if (!store.findMessage(chatId, target)) {
            setNotFound(true);
            setJumpTo(null);
          }
        });
      }
    } else if (!win || !win.loaded || win.hasMoreAfter) {
      // many unread: open at the first of them rather than at the end
      if (chat.unread > PAGE_SIZE / 2) session.loadHistory(chatId, 'around', chat.read_seq + 1);
      else session.loadHistory(chatId, 'latest');
    }
    if (!store.pins.has(chatId)) session.loadPins(chatId).catch(() => {});
    if (!store.members.has(chatId)) session.loadMembers(chatId).catch(() => {});
  }, [chatId, target]);

  useEffect(() => {
    if (hasNavigated()) headingRef.current?.focus({ preventScroll: true });
  }, [chatId]);

  // keep the view where the reader is, whatever is added above or below
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const first = win?.messages[0]?.seq ?? null;
    if (jumpTo !== null) {
      const node = el.querySelector<HTMLElement>(`#msg-${jumpTo}`);
      if (node) {
        node.scrollIntoView({ block: 'center' });
        setHighlight(jumpTo);
        setJumpTo(null);
        stick.current = false;
        initialDone.current = true;
      }
    } else if (!initialDone.current && win?.loaded) {
      initialDone.current = true;
      // unread messages: from the first of them, unless all of them fit
      const line = el.querySelector<HTMLElement>('.new-line');
      if (line && el.scrollHeight - line.offsetTop > el.clientHeight) {
        line.scrollIntoView({ block: 'start' });
        stick.current = false;
      } else {
        el.scrollTop = el.scrollHeight;
      }
    } else if (lastFirst.current !== null && first !== null && first < lastFirst.current && !stick.current) {
      el.scrollTop += el.scrollHeight - lastHeight.current; // older messages came in above
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
    lastFirst.current = first;
    lastHeight.current = el.scrollHeight;
  });

  // a mute ends by itself: show the composer again when it does
  const [, setTick] = useState(0);
  useEffect(() => {
    const left = (chat.muted_until ?? 0) - Date.now();
    if (left <= 0 || left > 2 ** 31 - 1) return;
    const h = setTimeout(() => setTick((n) => n + 1), left + 500);
    return () => clearTimeout(h);
  }, [chat.muted_until]);

  useEffect(() => {
    if (highlight === null) return;
    const h = setTimeout(() => setHighlight(null), 2500);
    return () => clearTimeout(h);
  }, [highlight]);

  function reportRead() {
    if (document.visibilityState !== 'visible' || !win || !win.messages.length) return;
    const seen = visible.current;
    if (!seen.size) return;
    const max = Math.max(...seen);
    const last = win.messages[win.messages.length - 1]!;
    const seq = max >= last.seq && !win.hasMoreAfter ? Math.max(max, chat.last_seq) : max;
    session.client.markRead(chatId, seq);
  }

  // which messages are on screen (the observer outlives renders: it calls
  // the latest reportRead)
  const reportRef = useRef(reportRead);
  reportRef.current = reportRead;
  const observer = useRef<IntersectionObserver | null>(null);
  useEffect(() => {
    const root = scrollRef.current;
    if (!root || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const seq = Number((e.target as HTMLElement).dataset.seq);
        if (!Number.isFinite(seq)) continue;
        // seen: half of it on screen, or a screenful of a very long one
        if (e.isIntersecting && (e.intersectionRatio >= 0.5 || e.intersectionRect.height >= 240)) visible.current.add(seq);
        else visible.current.delete(seq);
      }
      reportRef.current();
    }, { root, threshold: [0, 0.5, 1] });
    observer.current = io;
    const onVis = () => reportRef.current();
    document.addEventListener('visibilitychange', onVis);
    return () => {
      io.disconnect();
      observer.current = null;
      document.removeEventListener('visibilitychange', onVis);
    };
  }, [chatId]);
  useEffect(() => {
    const io = observer.current;
    const root = scrollRef.current;
    if (!io || !root) return;
    root.querySelectorAll<HTMLElement>('li.msg[data-seq]').forEach((n) => io.observe(n));
    reportRead();
  });

  function onScroll() {
    const el = scrollRef.current;
    if (!el || !win) return;
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    stick.current = fromBottom < 80 && !win.hasMoreAfter;
    setAtBottom(fromBottom < 300 && !win.hasMoreAfter);
    if (el.scrollTop < 400 && win.hasMoreBefore && !loading && win.loaded) session.loadHistory(chatId, 'before');
    if (fromBottom < 400 && win.hasMoreAfter && !loading) session.loadHistory(chatId, 'after');
  }

  function toLatest() {
    stick.current = true;
    setAtBottom(true);
    if (win?.hasMoreAfter) session.loadHistory(chatId, 'latest');
    else if (scrollRef.current) scrollRef.current.scrollTop = scrollRef.current.scrollHeight;
  }

  const actions: MessageActions = {
    reply: (m) => changeMode({ kind: 'reply', msg: m }),
    edit: (m) => changeMode({ kind: 'edit', msg: m }),
    remove: (m) => session.remove(chatId, m.seq),
    react: (m, emoji, on) => session.react(chatId, m.seq, emoji, on),
    pin: (m, pinned) => session.pin(chatId, m.seq, pinned),
    reads: (m) => setPanel({ kind: 'reads', seq: m.seq }),
    jump: (seq) => {
      setNotFound(false);
      if (store.findMessage(chatId, seq)) {
        setJumpTo(seq);
        return;
      }
      setJumpTo(seq);
      session.loadHistory(chatId, 'around', seq).then(() => {
        if (!store.findMessage(chatId, seq)) {
          setNotFound(true);
          setJumpTo(null);
        }
      });
    },
    retry: (id) => session.client.retry(id),
    discard: (id) => session.client.discard(id),
  };

  // names for mentions, from the members list
  const nameOf = new Map<number, string>((members ?? []).map((m) => [m.user_id, m.name]));
  const mentionNames = (ids: number[]): MentionName[] =>
    ids.map((id) => ({ id, name: nameOf.get(id) ?? '' })).filter((m) => m.name);

  // pending writes by the message they are about
  const opsBySeq = new Map<number, QueueItem[]>();
  const pendingSends: QueueItem[] = [];
  for (const it of queue) {
    if (it.op.type === 'send') {
      if (!session.client.isEchoed(it.client_id)) pendingSends.push(it);
    } else {
      const list = opsBySeq.get(it.op.seq) ?? [];
      list.push(it);
      opsBySeq.set(it.op.seq, list);
    }
  }

  const block = postBlock(chat);
  const msgs = win?.messages ?? [];
  const reachesEnd = !win || !win.hasMoreAfter;
  const firstNew = msgs.find((m) => m.seq > openedRead && m.author.id !== me && !m.deleted)?.seq ?? null;
  const typists = store.typists(chatId);
  const conn = session.client.state;

  const permsOf = (m: Message): MessagePerms => {
    const mine = m.author.id === me;
    const live = !chat.archived && !m.deleted;
    return {
      canReply: live && block === null,
      canEdit: live && mine,
      canDelete: live && (mine || admin),
      canPin: live && (admin || chat.kind === 'direct'),
      canSeeReads: !m.deleted && chat.kind !== 'direct' && (mine || admin),
      canReact: live,
    };
  };

  const rows: ComponentChildren[] = [];
  let prevDay = '';
  let prevAuthor = -1;
  for (const m of msgs) {
    const dk = dayKey(m.at);
    if (dk !== prevDay) {
      rows.push(<li key={`d${dk}`} class="day-sep"><span>{dayLabel(m.at)}</span></li>);
      prevDay = dk;
      prevAuthor = -1;
    }
    if (m.seq === firstNew) {
      rows.push(<li key="new-line" class="new-line"><span>{t('chat.history.newMessages')}</span></li>);
      prevAuthor = -1;
    }
    const replied = m.reply_to !== null ? store.findMessage(chatId, m.reply_to) : undefined;
    rows.push(
      <MessageItem key={m.seq} msg={m} mine={m.author.id === me} ops={opsBySeq.get(m.seq) ?? []} perms={permsOf(m)}
        mentions={mentionNames(m.mentions)} actions={actions} highlight={highlight === m.seq}
        showAuthor={chat.kind !== 'direct' && m.author.id !== prevAuthor}
        reply={replied ? { name: replied.author.id === me ? t('chat.msg.you') : replied.author.name,
          text: replied.deleted ? t('chat.msg.deleted') : plainText(parseMarkup(replied.text ?? '')).slice(0, 140) } : null} />,
    );
    prevAuthor = m.author.id;
  }
  if (reachesEnd) {
    for (const it of pendingSends) {
      rows.push(<PendingItem key={it.client_id} item={it} actions={actions}
        mentions={it.op.type === 'send' ? mentionNames(it.op.mentions ?? []) : []} />);
    }
  }

  const subtitle = chat.kind === 'direct' ? t('chat.kind.direct') : plural('chat.members', chat.members_count);

  return (
    <section class="chat-view" aria-labelledby="chat-view-title">
      <header class="chat-head">
        <BackLink />
        <div class="chat-head-main">
          <h2 id="chat-view-title" ref={headingRef} tabIndex={-1} class="chat-head-title">{chat.title}</h2>
          <div class="chat-head-sub muted small">
            <ChatBadges chat={chat} /> <span>{subtitle}</span>
          </div>
        </div>
        <span class="chat-head-conn"><ConnIndicator state={conn}
          onRetry={session.client.browserOffline ? undefined : () => session.client.reconnectNow()} /></span>
        <button type="button" class="btn btn-secondary btn-small" onClick={() => setPanel({ kind: 'members' })}>
          {t('chat.view.membersButton')}
        </button>
      </header>

      {pins.length > 0 && <PinnedBar pins={pins} canUnpin={!chat.archived && (admin || chat.kind === 'direct')}
        onJump={(seq) => actions.jump(seq)} onUnpin={(m) => session.pin(chatId, m.seq, false)} />}

      <div class="chat-scroll" ref={scrollRef} onScroll={onScroll}>
        <div class="history-edge" aria-live="polite">
          {loading === 'before' && <Spinner label={t('chat.history.loadingOlder')} />}
          {win?.loaded && !win.hasMoreBefore && msgs.length > 0 && <p class="muted small">{t('chat.history.start')}</p>}
        </div>
        {(loading === 'latest' || loading === 'around') && msgs.length === 0 && <Spinner label={t('chat.history.loading')} />}
        {histErr && (
          <div class="chat-view-note">
            <p role="alert" class="alert alert-error">{t('chat.history.error')} {chatErrorText(histErr)}</p>
            <button type="button" class="btn btn-secondary btn-small" onClick={() => session.loadHistory(chatId, msgs.length ? 'before' : 'latest')}>
              {t('common.retry')}
            </button>
          </div>
        )}
        {notFound && <p role="alert" class="alert alert-error chat-view-note">{t('chat.history.notFound')}</p>}
        {win?.loaded && msgs.length === 0 && pendingSends.length === 0 && !loading && !histErr && (
          <p class="muted chat-view-note">{t('chat.history.empty')}</p>
        )}
        <div role="log" aria-label={t('chat.view.messagesLabel')} aria-relevant="additions">
          <ol class="messages">{rows}</ol>
        </div>
        {loading === 'after' && <Spinner label={t('chat.history.loading')} />}
      </div>

      {!atBottom && (
        <button type="button" class="btn btn-secondary btn-small to-latest" onClick={toLatest}>
          <span aria-hidden="true">↓</span> {t('chat.history.toLatest')}
        </button>
      )}

      <div class="typing-line muted small">
        {typists.length === 1 ? t('chat.typing.one', { name: typists[0]! })
          : typists.length === 2 ? t('chat.typing.two', { a: typists[0]!, b: typists[1]! })
            : typists.length > 2 ? t('chat.typing.many') : ''}
      </div>

      {conn !== 'online' && (
        <div class="conn-banner small" data-state={conn}>
          {conn === 'offline' ? t('chat.conn.banner') : t('chat.conn.bannerConnecting')}
        </div>
      )}

      {block ? (
        <p class="composer-blocked muted">
          {block === 'chat.composer.muted' && chat.muted_until ? t(block, { time: dateTimeOf(chat.muted_until) }) : t(block)}
        </p>
      ) : (
        <Composer key={mode.kind === 'new' ? 'new' : `${mode.kind}:${mode.msg.seq}`} autoFocus={composerFocus}
          session={session} chatId={chatId} mode={mode} members={members} inputRef={inputRef}
          onDone={() => changeMode({ kind: 'new' })}
          onSent={() => {
            stick.current = true;
            if (win?.hasMoreAfter) session.loadHistory(chatId, 'latest');
          }} />
      )}

      {panel?.kind === 'members' && <MembersDialog session={session} chat={chat} onClose={() => setPanel(null)} />}
      {panel?.kind === 'reads' && <ReadsDialog chatId={chatId} seq={panel.seq} onClose={() => setPanel(null)} />}
    </section>
  );
}

function PinnedBar({ pins, canUnpin, onJump, onUnpin }: {
  pins: Message[]; canUnpin: boolean; onJump: (seq: number) => void; onUnpin: (m: Message) => void;
}) {
  const [index, setIndex] = useState(pins.length - 1);
  const i = Math.min(index, pins.length - 1);
  const m = pins[i]!;
  useEffect(() => setIndex(pins.length - 1), [pins.length]);
  return (
    <div class="pinned-bar" role="region" aria-label={t('chat.pins.label')}>
      <span class="pinned-icon"><PinIcon /></span>
      <button type="button" class="pinned-text" onClick={() => onJump(m.seq)} title={t('chat.pins.show')}>
        <span class="pinned-label small">{t('chat.pins.label')}{pins.length > 1 ? ` · ${t('chat.pins.position', { n: i + 1, total: pins.length })}` : ''}</span>
        <span class="pinned-quote">{m.author.name}: {plainText(parseMarkup(m.text ?? ''))}</span>
      </button>
      {pins.length > 1 && (
        <button type="button" class="btn btn-ghost btn-small" onClick={() => setIndex((i + pins.length - 1) % pins.length)}
          aria-label={t('chat.pins.next')} title={t('chat.pins.next')}>
          <span aria-hidden="true">↑</span>
        </button>
      )}
      {canUnpin && <button type="button" class="btn btn-ghost btn-small" onClick={() => onUnpin(m)}>{t('chat.msg.unpin')}</button>}
    </div>
  );
}
