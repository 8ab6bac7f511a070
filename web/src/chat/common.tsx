// SPDX-License-Identifier: MIT
// Small pieces shared by the chat views: plurals, times, the text for a
// chat-related error, the message text renderer (elements only — a user's
// text never becomes HTML), the modal dialog frame, the connection indicator
// and the chat badges.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ApiError } from '../api';
import { errorText, getLang, isMsgKey, t, type MsgKey } from '../i18n';
import type { ConnState } from '../rt/client';
import { parseMarkup, type MentionName, type Node } from '../rt/markup';
import type { Chat } from '../rt/protocol';

type PluralBase = 'chat.unread' | 'chat.members';

/* "{count} участника" with the plural form the language wants. */
export function plural(base: PluralBase, count: number): string {
  const form = new Intl.PluralRules(getLang() === 'en' ? 'en' : 'ru').select(count);
  const key = `${base}.${form === 'one' ? 'one' : form === 'few' ? 'few' : 'many'}` as MsgKey;
  return t(key, { count });
}

function locale(): string {
  return getLang() === 'en' ? 'en-GB' : 'ru-RU';
}

export function timeOf(ms: number): string {
  return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit' }).format(new Date(ms));
}

export function dateTimeOf(ms: number): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/* "Сегодня", "Вчера" or a date, for the separators between days. */
export function dayLabel(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  const today = new Date(now);
  if (sameDay(d, today)) return t('chat.history.today');
  const y = new Date(now);
  y.setDate(y.getDate() - 1);
  if (sameDay(d, y)) return t('chat.history.yesterday');
  return new Intl.DateTimeFormat(locale(), {
    day: 'numeric', month: 'long', ...(d.getFullYear() !== today.getFullYear() ? { year: 'numeric' } : {}),
  }).format(d);
}

export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/* The list's short time: the time today, else the date. */
export function shortWhen(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  if (sameDay(d, new Date(now))) return timeOf(ms);
  return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'short' }).format(d);
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '') + (parts[1]?.[0] ?? '')).toUpperCase() || '#';
}

/* The text for a failed chat request or write: our chat texts for the field
 * or code, else the app's error catalogue, else the server's message. */
export function chatErrorText(e: { status?: number; code: string; message: string; field?: string | null } | unknown): string {
  if (!(e instanceof ApiError) && !(e && typeof e === 'object' && 'code' in e)) return t('error.unknown');
  const err = e as { status?: number; code: string; message: string; field?: string | null };
  if (err.code === 'invalid_input' && err.field) {
    const k = `chat.invalid.${err.field}`;
    if (isMsgKey(k)) return t(k);
  }
  const k = `chat.fail.${err.code}`;
  if (isMsgKey(k)) return t(k);
  return errorText({ status: err.status ?? 0, code: err.code, message: err.message, field: err.field ?? null });
}

/* ---- message text ---- */

function renderNodes(nodes: Node[]): ComponentChildren[] {
  return nodes.map((n, i) => {
    switch (n.t) {
      case 'text': return n.v;
      case 'b': return <strong key={i}>{renderNodes(n.c)}</strong>;
      case 'i': return <em key={i}>{renderNodes(n.c)}</em>;
      case 'link': return <a key={i} href={n.href} target="_blank" rel="noopener noreferrer">{n.v}</a>;
      case 'mention': return <span key={i} class="mention">{n.v}</span>;
    }
  });
}

const parsed = new Map<string, Node[]>();

export function MessageText({ text, mentions }: { text: string; mentions: MentionName[] }) {
  const key = mentions.length ? `${mentions.map((m) => `${m.id}:${m.name}`).join(',')}\u0000${text}` : text;
  let nodes = parsed.get(key);
  if (!nodes) {
    nodes = parseMarkup(text, mentions);
    if (parsed.size > 2000) parsed.clear();
    parsed.set(key, nodes);
  }
  return <>{renderNodes(nodes)}</>;
}

/* ---- modal dialog ---- */

/* A native modal <dialog>: focus is kept inside, Escape closes it, focus
 * returns to where it was. */
export function Dialog({ title, onClose, children, wide, labelId }: {
  title: string; onClose: () => void; children: ComponentChildren; wide?: boolean; labelId: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    const back = document.activeElement as HTMLElement | null;
    if (d && !d.open) {
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', '');
    }
    return () => {
      back?.focus?.();
    };
  }, []);
  return (
    <dialog ref={ref} class={`chat-dialog${wide ? ' chat-dialog-wide' : ''}`} aria-labelledby={labelId}
      onCancel={(e) => { e.preventDefault(); onClose(); }}
      onClick={(e) => { if (e.target === ref.current) onClose(); }}>
      <div class="chat-dialog-body">
        <div class="chat-dialog-head">
          <h2 id={labelId} class="section-heading">{title}</h2>
          <button type="button" class="btn btn-ghost icon-btn" onClick={onClose} aria-label={t('chat.close')} title={t('chat.close')}>
            <span aria-hidden="true">✕</span>
          </button>
        </div>
        {children}
      </div>
    </dialog>
  );
}

/* ---- connection and badges ---- */

export function ConnIndicator({ state, onRetry }: { state: ConnState; onRetry?: () => void }) {
  const key: MsgKey = state === 'online' ? 'chat.conn.online' : state === 'connecting' ? 'chat.conn.connecting' : 'chat.conn.offline';
  return (
    <span class="conn" data-state={state}>
      <span class="conn-dot" aria-hidden="true" />
      <span role="status" aria-live="polite" class="conn-text">{t(key)}</span>
      {state === 'offline' && onRetry && (
        <button type="button" class="btn btn-ghost btn-small" onClick={onRetry}>{t('chat.conn.retryNow')}</button>
      )}
    </span>
  );
}

/* What kind of chat this is, for the list and the header. */
export function ChatBadges({ chat }: { chat: Chat }) {
  return (
    <>
      {chat.mandatory && (
        <span class="chat-badge chat-badge-mandatory" title={t('chat.mandatory.label')}>
          <span class="sr-only">{t('chat.mandatory.label')}: </span>
          {t(`chat.mandatory.${chat.mandatory}` as MsgKey)}
        </span>
      )}
      {chat.kind === 'channel' && <span class="chat-badge">{t('chat.kind.channel')}</span>}
      {chat.archived && <span class="chat-badge">{t('chat.archived')}</span>}
    </>
  );
}

export function Avatar({ name, kind }: { name: string; kind?: string }) {
  return <span class={`avatar chat-avatar${kind === 'channel' ? ' chat-avatar-channel' : ''}`} aria-hidden="true">{initials(name)}</span>;
}

/* Can the user write in this chat now? null, or why not. */
export function postBlock(chat: Chat, now = Date.now()): MsgKey | null {
  if (chat.archived) return 'chat.composer.archived';
  const admin = chat.my_role === 'owner' || chat.my_role === 'admin';
  if ((chat.kind === 'channel' || chat.post_policy === 'admins') && !admin) return 'chat.composer.readOnly';
  if (chat.muted_until && chat.muted_until > now) return 'chat.composer.muted';
  return null;
}

export function isChatAdmin(chat: Chat): boolean {
  return chat.my_role === 'owner' || chat.my_role === 'admin';
}

/* ---- icons (drawn, so that they do not depend on the system's emoji font) ---- */

export function ClockIcon() {
  return (
    <svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <circle cx="8" cy="8" r="6.25" fill="none" stroke="currentColor" stroke-width="1.5" />
      <path d="M8 4.5V8l2.5 1.75" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" />
    </svg>
  );
}

export function PinIcon() {
  return (
    <svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path d="M9.6 1.4l5 5-1.5.6-2.6 2.6.4 3.1-1.2 1.2-3-3-3.9 3.9-.9-.9 3.9-3.9-3-3 1.2-1.2 3.1.4 2.6-2.6z" fill="currentColor" />
    </svg>
  );
}

export function SendIcon() {
  return (
    <svg class="icon" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" focusable="false">
      <path d="M2.5 9.2L17.3 2.6c.5-.2 1 .3.8.8l-6.6 14.8c-.2.5-.9.5-1.1 0L8.6 11.4 2.6 9.6c-.5-.2-.6-.9-.1-1.1z" fill="currentColor" />
    </svg>
  );
}
