// SPDX-License-Identifier: MIT
// The message composer: a growing text area (Enter sends, Shift+Enter makes
// a new line), the reply or edit bar, a mention picker that opens on "@"
// (a listbox driven from the text area with the arrow keys), the typing
// signal, and the draft of each chat kept while the page lives.
import { useLayoutEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import type { Member, Message } from '../rt/protocol';
import type { ChatSession } from '../rt/session';
import { SendIcon } from './common';

const drafts = new Map<number, string>();
const MAX_BYTES = 8000;
const encoder = new TextEncoder();

export type ComposerMode = { kind: 'new' } | { kind: 'reply'; msg: Message } | { kind: 'edit'; msg: Message };

/* The "@query" being typed just before the caret, if any. */
export function mentionQuery(text: string, caret: number): { start: number; q: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|[\s(«"'])@([^\s@]{0,30}(?: [^\s@]{0,30})?)$/u.exec(before);
  if (!m) return null;
  return { start: caret - m[2]!.length - 1, q: m[2]! };
}

/* The ids of the members whose "@Name" appears in text. */
export function mentionedIds(text: string, members: Member[], me: number): number[] {
  const lower = text.toLocaleLowerCase();
  return members.filter((m) => m.user_id !== me && m.name && lower.includes(`@${m.name.toLocaleLowerCase()}`)).map((m) => m.user_id);
}

/* The composer of one chat in one mode: the parent gives it a key per mode
 * (new / reply to a message / edit a message), so each mode starts afresh —
 * from the chat's draft, or from the text being edited. */
export function Composer({ session, chatId, mode, onDone, members, onSent, inputRef, autoFocus }: {
  session: ChatSession;
  chatId: number;
  mode: ComposerMode;
  onDone: () => void;
  members: Member[] | undefined;
  onSent: () => void;
  inputRef: { current: HTMLTextAreaElement | null };
  autoFocus: boolean;
}) {
  const [text, setTextState] = useState(() => (mode.kind === 'edit' ? mode.msg.text ?? '' : drafts.get(chatId) ?? ''));
  const [error, setError] = useState<string | null>(null);
  const [mq, setMq] = useState<{ start: number; q: string } | null>(null);
  const [active, setActive] = useState(0);

  // the draft of the chat follows every change (not while editing a message)
  const setText = (v: string) => {
    setTextState(v);
    if (mode.kind === 'edit') return;
    if (v) drafts.set(chatId, v);
    else drafts.delete(chatId);
  };

  // a new mode chosen by the user takes the focus (opening a chat does not:
  // on a phone that would pop up the keyboard)
  useLayoutEffect(() => {
    if (!autoFocus) return;
    const el = inputRef.current;
    el?.focus();
    el?.setSelectionRange(el.value.length, el.value.length);
  }, []);

  // grow with the text, up to the CSS max-height
  useLayoutEffect(() => {
    const el = inputRef.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight + 2}px`;
  }, [text]);

  const candidates = mq && members
    ? members.filter((m) => m.user_id !== session.userId && m.name.toLocaleLowerCase().includes(mq.q.toLocaleLowerCase())).slice(0, 6)
    : [];
  const pickerOpen = candidates.length > 0;

  function updateMention(el: HTMLTextAreaElement) {
    const q = mentionQuery(el.value, el.selectionStart ?? el.value.length);
    setMq(q);
    setActive(0);
    if (q && !members) session.loadMembers(chatId).catch(() => {});
  }

  function pick(m: Member) {
    if (!mq) return;
    const el = inputRef.current;
    const caret = el?.selectionStart ?? text.length;
    const next = `${text.slice(0, mq.start)}@${m.name} ${text.slice(caret)}`;
    setText(next);
    setMq(null);
    const pos = mq.start + m.name.length + 2;
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(pos, pos);
    });
  }

  function submit() {
    const body = text.trim();
    if (!body) return;
    if (encoder.encode(body).length > MAX_BYTES) {
      setError(t('chat.composer.tooLong'));
      return;
    }
    setError(null);
    if (mode.kind === 'edit') {
      if (body !== (mode.msg.text ?? '')) session.edit(chatId, mode.msg.seq, body);
      onDone();
      return;
    }
    const mentions = mentionedIds(body, members ?? [], session.userId);
    session.send(chatId, body, { replyTo: mode.kind === 'reply' ? mode.msg.seq : undefined, mentions });
    setText('');
    setMq(null);
    onDone();
    onSent();
  }

  function onKeyDown(e: KeyboardEvent) {
    if (pickerOpen) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = candidates.length;
        setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        const m = candidates[active];
        if (m) pick(m);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setMq(null);
        return;
      }
    }
    if (e.key === 'Escape' && mode.kind !== 'new') {
      e.preventDefault();
      onDone();
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  }

  const replyName = mode.kind === 'reply' ? (mode.msg.author.id === session.userId ? t('chat.msg.you') : mode.msg.author.name) : '';

  return (
    <form class="composer" onSubmit={(e) => { e.preventDefault(); submit(); }}>
      {mode.kind !== 'new' && (
        <div class="composer-bar">
          <span class="composer-bar-text">
            <strong>{mode.kind === 'edit' ? t('chat.composer.editing') : t('chat.composer.replyTo', { name: replyName })}</strong>
            <span class="muted small composer-bar-quote">{mode.msg.text ?? ''}</span>
          </span>
          <button type="button" class="btn btn-ghost icon-btn" onClick={onDone}
            aria-label={mode.kind === 'edit' ? t('chat.composer.cancelEdit') : t('chat.composer.cancelReply')}
            title={mode.kind === 'edit' ? t('chat.composer.cancelEdit') : t('chat.composer.cancelReply')}>
            <span aria-hidden="true">✕</span>
          </button>
        </div>
      )}
      {pickerOpen && (
        <ul id="mention-list" class="mention-list" role="listbox" aria-label={t('chat.mention.list')}>
          {candidates.map((m, i) => (
            <li key={m.user_id} id={`mention-${m.user_id}`} role="option" aria-selected={i === active}
              class={i === active ? 'active' : ''}
              onMouseDown={(e) => { e.preventDefault(); pick(m); }}>
              {m.name}
            </li>
          ))}
        </ul>
      )}
      <div class="composer-row">
        <label for="composer-input" class="sr-only">{t('chat.composer.label')}</label>
        <textarea id="composer-input" ref={inputRef} rows={1} value={text} placeholder={t('chat.composer.placeholder')}
          aria-describedby="composer-hint" aria-invalid={error ? 'true' : undefined}
          aria-autocomplete="list" aria-controls={pickerOpen ? 'mention-list' : undefined}
          aria-activedescendant={pickerOpen && candidates[active] ? `mention-${candidates[active]!.user_id}` : undefined}
          onInput={(e) => {
            const el = e.currentTarget as HTMLTextAreaElement;
            setText(el.value);
            updateMention(el);
            if (el.value.trim()) session.client.typing(chatId);
          }}
          onClick={(e) => updateMention(e.currentTarget as HTMLTextAreaElement)}
          onKeyDown={onKeyDown} />
        <button type="submit" class="btn btn-primary composer-send" disabled={!text.trim()}>
          <SendIcon />
          <span class="composer-send-text">{mode.kind === 'edit' ? t('chat.composer.save') : t('chat.composer.send')}</span>
        </button>
      </div>
      <p id="composer-hint" class="sr-only">{t('chat.composer.hint')}</p>
      <p class="field-error composer-error" role="alert">{error ?? ''}</p>
    </form>
  );
}
