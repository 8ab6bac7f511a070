// SPDX-License-Identifier: MIT
// Joining a chat by link (src/api/chat_links.c; docs/internals/chat_policy.md).
// ChatLinksSection: in the members panel, for the owner and admins of a group
// chat or channel that is not mandatory — create a link (how long it lasts,
// how many may join by it), copy it, revoke it, and the list of links with
// their uses. ChatLinkPage: /chat-link/:token — the chat the link leads to
// and a «Вступить» button, then the chat itself; a link that no longer works,
// or that the college's rules do not let this person use, is explained.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, request, type User } from '../api';
import { t, type MsgKey } from '../i18n';
import { copyText } from '../pages/admin/widgets';
import type { Chat } from '../rt/protocol';
import { matchPath, navigate, useLocation } from '../router';
import { Link, PageHeading, Spinner, useTitle } from '../ui';
import { chatErrorText, dateTimeOf, plural } from './common';

export type ChatLinkState = 'live' | 'revoked' | 'expired' | 'exhausted';

export interface ChatLink {
  id: number;
  chat_id: number;
  token: string | null;
  url: string | null;
  created_at: number;
  expires_at: number;
  max_uses: number;
  uses: number;
  revoked: boolean;
  state: ChatLinkState;
  created_by: { id: number; name: string };
}

export interface ChatLinkPreview {
  chat: { id: number; title: string; kind: 'group' | 'channel'; members_count: number };
  already_member: boolean;
  may_join: boolean;
  refused: 'removed' | 'link' | null;
  expires_at: number;
}

export const chatLinkApi = {
  list(chatId: number, signal?: AbortSignal): Promise<{ links: ChatLink[] }> {
    return request('GET', `/chats/${chatId}/links`, { signal });
  },
  create(chatId: number, body: { expires_in_s: number; max_uses: number }): Promise<{ link: ChatLink }> {
    return request('POST', `/chats/${chatId}/links`, { body });
  },
  revoke(chatId: number, linkId: number): Promise<{ link: ChatLink }> {
    return request('POST', `/chats/${chatId}/links/${linkId}/revoke`);
  },
  open(token: string, signal?: AbortSignal): Promise<ChatLinkPreview> {
    return request('GET', `/chat-links/${encodeURIComponent(token)}`, { signal });
  },
  join(token: string): Promise<{ chat: Chat }> {
    return request('POST', `/chat-links/${encodeURIComponent(token)}/join`);
  },
};

/* Whether the members panel offers links for this chat (the server decides
 * again): its owner and admins, not in direct, mandatory or archived chats. */
export function chatTakesLinks(chat: Chat): boolean {
  return (chat.my_role === 'owner' || chat.my_role === 'admin') && chat.kind !== 'direct' &&
    !chat.mandatory && !chat.archived;
}

/* Why a link cannot be opened or used, as a catalogue key; null if the error
 * is not about the link (then chatErrorText says what happened). */
export function linkRefusalKey(e: unknown): MsgKey | null {
  if (!(e instanceof ApiError)) return null;
  if (e.status === 404) return 'chat.linkPage.gone.unknown';
  if (e.status === 410) {
    if (e.field === 'revoked' || e.field === 'exhausted') return `chat.linkPage.gone.${e.field}`;
    return 'chat.linkPage.gone.expired';
  }
  if (e.status === 403 && e.code === 'forbidden') {
    if (e.field === 'link' || e.field === 'removed') return `chat.linkPage.refused.${e.field}`;
    return 'chat.linkPage.refused.outside';
  }
  return null;
}

const TTLS: [number, MsgKey][] = [
  [3600, 'chat.links.ttl1h'], [86400, 'chat.links.ttl1d'], [604800, 'chat.links.ttl7d'],
  [2592000, 'chat.links.ttl30d'],
];
const MAX_USES = [1, 10, 30, 100, 500];

/* ---- the members panel's section ---- */

export function ChatLinksSection({ chat }: { chat: Chat }) {
  const [list, setList] = useState<ChatLink[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const [ttl, setTtl] = useState('604800');
  const [uses, setUses] = useState('100');
  const [busy, setBusy] = useState(false);
  const [fresh, setFresh] = useState<number | null>(null);

  async function load(signal?: AbortSignal) {
    try {
      const r = await chatLinkApi.list(chat.id, signal);
      setList(r.links);
    } catch (e) {
      if (!signal?.aborted) setError(e);
    }
  }

  useEffect(() => {
    const ctl = new AbortController();
    load(ctl.signal);
    return () => ctl.abort();
  }, [chat.id]);

  async function create(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      const r = await chatLinkApi.create(chat.id, { expires_in_s: Number(ttl), max_uses: Number(uses) });
      setFresh(r.link.id);
      setList((l) => [r.link, ...(l ?? []).filter((x) => x.id !== r.link.id)]);
      setStatus(t('chat.links.created'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function revoke(link: ChatLink) {
    setError(null);
    setStatus('');
    try {
      const r = await chatLinkApi.revoke(chat.id, link.id);
      setList((l) => (l ?? []).map((x) => (x.id === link.id ? r.link : x)));
      setStatus(t('chat.links.revokedDone'));
    } catch (err) {
      setError(err);
    }
  }

  const live = (list ?? []).filter((l) => l.state === 'live');
  const inactive = (list ?? []).filter((l) => l.state !== 'live');
  return (
    <section class="chat-links" aria-labelledby="chat-links-heading">
      <h3 id="chat-links-heading" class="sidebar-heading">{t('chat.links.title')}</h3>
      <p class="muted small">{t('chat.links.lead')}</p>
      <form class="actions" onSubmit={create}>
        <span class="mute-control">
          <label for="chat-link-ttl">{t('chat.links.expires')}</label>
          <select id="chat-link-ttl" value={ttl} onChange={(e) => setTtl((e.currentTarget as HTMLSelectElement).value)}>
            {TTLS.map(([v, k]) => <option key={v} value={String(v)}>{t(k)}</option>)}
          </select>
        </span>
        <span class="mute-control">
          <label for="chat-link-uses">{t('chat.links.maxUses')}</label>
          <select id="chat-link-uses" value={uses} onChange={(e) => setUses((e.currentTarget as HTMLSelectElement).value)}>
            {MAX_USES.map((v) => <option key={v} value={String(v)}>{v}</option>)}
          </select>
        </span>
        <button type="submit" class="btn btn-primary btn-small" disabled={busy} aria-busy={busy ? 'true' : undefined}>
          {t(busy ? 'chat.links.creating' : 'chat.links.create')}
        </button>
      </form>
      <div role="status" class="alert alert-ok">{status}</div>
      <div role="alert" class="alert alert-error">{error ? chatErrorText(error) : ''}</div>
      {!list && !error && <Spinner label={t('chat.links.loading')} />}
      {list && !live.length && <p class="muted small">{t('chat.links.none')}</p>}
      {live.length > 0 && (
        <ul class="member-list chat-link-list" aria-label={t('chat.links.liveList')}>
          {live.map((l) => <LinkRow key={l.id} link={l} focus={l.id === fresh} onRevoke={() => revoke(l)} />)}
        </ul>
      )}
      {inactive.length > 0 && (
        <details class="chat-links-inactive">
          <summary>{t('chat.links.inactive', { count: inactive.length })}</summary>
          <ul class="member-list chat-link-list">
            {inactive.map((l) => <LinkRow key={l.id} link={l} focus={false} onRevoke={null} />)}
          </ul>
        </details>
      )}
    </section>
  );
}

function LinkRow({ link, focus, onRevoke }: { link: ChatLink; focus: boolean; onRevoke: (() => void) | null }) {
  const [asking, setAsking] = useState(false);
  const [copied, setCopied] = useState<boolean | null>(null);
  const ref = useRef<HTMLInputElement>(null);
  const urlId = `chat-link-url-${link.id}`;
  useEffect(() => {
    if (focus) ref.current?.focus();
  }, [focus]);
  useEffect(() => {
    if (copied === null) return;
    const id = setTimeout(() => setCopied(null), 2500);
    return () => clearTimeout(id);
  }, [copied]);
  return (
    <li class="member chat-link">
      <div class="member-main chat-link-main">
        {link.url ? (
          <div class="field">
            <label for={urlId} class="sr-only">{t('chat.links.url')}</label>
            <input id={urlId} ref={ref} class="adm-url" type="text" readOnly value={link.url}
              onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
          </div>
        ) : <span class="muted small">{t('chat.links.noToken')}</span>}
        <span class="muted small">
          {t('chat.links.uses', { uses: link.uses, max: link.max_uses })}
          {' · '}
          {link.state === 'live' ? t('chat.links.until', { time: dateTimeOf(link.expires_at) })
            : t(`chat.links.state.${link.state}` as MsgKey)}
          {' · '}
          {t('chat.links.by', { name: link.created_by.name })}
        </span>
        <span role="status" class="small">{copied === null ? '' : t(copied ? 'chat.links.copied' : 'chat.links.copyFailed')}</span>
      </div>
      {(link.url && link.state === 'live') || onRevoke ? (
        <div class="member-actions" role="group" aria-label={t('chat.links.actions', { url: link.url ?? String(link.id) })}>
          {asking ? (
            <>
              <span class="small">{t('chat.links.revokeConfirm')}</span>
              <button type="button" class="btn btn-danger btn-small" onClick={() => { setAsking(false); onRevoke?.(); }}>
                {t('chat.links.revokeYes')}
              </button>
              <button type="button" class="btn btn-secondary btn-small" onClick={() => setAsking(false)}>{t('chat.msg.cancel')}</button>
            </>
          ) : (
            <>
              {link.url && link.state === 'live' && (
                <button type="button" class="btn btn-secondary btn-small" onClick={async () => setCopied(await copyText(link.url!))}>
                  {t('chat.links.copy')}
                </button>
              )}
              {onRevoke && (
                <button type="button" class="btn btn-danger btn-small" onClick={() => setAsking(true)}>{t('chat.links.revoke')}</button>
              )}
            </>
          )}
        </div>
      ) : null}
    </li>
  );
}

/* ---- /chat-link/:token ---- */

type PageState =
  | { state: 'loading' }
  | { state: 'ok'; preview: ChatLinkPreview }
  | { state: 'refused'; key: MsgKey; gone: boolean }
  | { state: 'failed'; error: unknown };

function pageStateOf(e: unknown): PageState {
  const key = linkRefusalKey(e);
  if (key) return { state: 'refused', key, gone: key.startsWith('chat.linkPage.gone.') };
  return { state: 'failed', error: e };
}

export function ChatLinkPage(_: { user: User }) {
  useTitle('chat.linkPage.title');
  const loc = useLocation();
  const token = matchPath('/chat-link/:token', loc.path)?.token ?? '';
  const [page, setPage] = useState<PageState>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [joining, setJoining] = useState(false);
  const [joinError, setJoinError] = useState<unknown>(null);

  useEffect(() => {
    const ctl = new AbortController();
    setPage({ state: 'loading' });
    chatLinkApi.open(token, ctl.signal).then(
      (preview) => setPage({ state: 'ok', preview }),
      (e) => !ctl.signal.aborted && setPage(pageStateOf(e)),
    );
    return () => ctl.abort();
  }, [token, attempt]);

  async function join(chatId: number) {
    setJoining(true);
    setJoinError(null);
    try {
      const r = await chatLinkApi.join(token);
      navigate(`/chats/${r.chat.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        navigate(`/chats/${chatId}`); // joined meanwhile (another tab)
        return;
      }
      const key = linkRefusalKey(e);
      if (key) setPage({ state: 'refused', key, gone: key.startsWith('chat.linkPage.gone.') });
      else setJoinError(e);
    } finally {
      setJoining(false);
    }
  }

  return (
    <div class="page">
      {page.state === 'loading' && <Spinner label={t('chat.linkPage.checking')} />}
      {page.state === 'refused' && (
        <>
          <PageHeading>{t(page.gone ? 'chat.linkPage.goneHeading' : 'chat.linkPage.refusedHeading')}</PageHeading>
          <p class="lead">{t(page.key)}</p>
          <p class="actions"><Link href="/chats" class="btn btn-secondary">{t('chat.linkPage.toChats')}</Link></p>
        </>
      )}
      {page.state === 'failed' && (
        <>
          <PageHeading>{t('chat.linkPage.title')}</PageHeading>
          <div role="alert" class="alert alert-error">{chatErrorText(page.error)}</div>
          <p class="actions">
            <button type="button" class="btn btn-secondary" onClick={() => setAttempt((n) => n + 1)}>{t('common.retry')}</button>
          </p>
        </>
      )}
      {page.state === 'ok' && (
        <LinkPreview preview={page.preview} joining={joining} error={joinError} onJoin={() => join(page.preview.chat.id)} />
      )}
    </div>
  );
}

function LinkPreview({ preview, joining, error, onJoin }: {
  preview: ChatLinkPreview; joining: boolean; error: unknown; onJoin: () => void;
}) {
  const { chat } = preview;
  return (
    <>
      <p class="muted">{t(chat.kind === 'channel' ? 'chat.linkPage.leadChannel' : 'chat.linkPage.lead')}</p>
      <PageHeading>{chat.title}</PageHeading>
      <p class="lead">{t(chat.kind === 'channel' ? 'chat.kind.channel' : 'chat.kind.group')} · {plural('chat.members', chat.members_count)}</p>
      {preview.already_member ? (
        <>
          <p>{t('chat.linkPage.already')}</p>
          <p class="actions"><Link href={`/chats/${chat.id}`} class="btn btn-primary">{t('chat.linkPage.open')}</Link></p>
        </>
      ) : preview.may_join ? (
        <>
          <div role="alert" class="alert alert-error">{error ? chatErrorText(error) : ''}</div>
          <p class="actions">
            <button type="button" class="btn btn-primary" disabled={joining} aria-busy={joining ? 'true' : undefined} onClick={onJoin}>
              {joining && <span class="spinner" aria-hidden="true" />}
              <span>{t(joining ? 'chat.linkPage.joining' : 'chat.linkPage.join')}</span>
            </button>
            <Link href="/chats" class="btn btn-secondary">{t('chat.linkPage.toChats')}</Link>
          </p>
        </>
      ) : (
        <>
          <p class="alert alert-error" role="alert">{t(preview.refused === 'removed' ? 'chat.linkPage.refused.removed' : 'chat.linkPage.refused.link')}</p>
          <p class="actions"><Link href="/chats" class="btn btn-secondary">{t('chat.linkPage.toChats')}</Link></p>
        </>
      )}
    </>
  );
}
