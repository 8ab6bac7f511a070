// SPDX-License-Identifier: MIT
// One message of the conversation: author, time, reply quote, the formatted
// text (or «Сообщение удалено»), reactions, marks (edited, pinned, pending
// writes, failed writes with retry/cancel), and a disclosure with its
// actions — reactions, reply, edit and delete (own; admins delete any), pin
// (admins), who has read it. Also the pending copy of a message not yet
// acknowledged by the server (clock; red mark with retry/delete if refused).
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, type MsgKey } from '../i18n';
import type { MentionName } from '../rt/markup';
import type { Message, Reaction } from '../rt/protocol';
import type { QueueItem } from '../rt/queue';
import { chatErrorText, ClockIcon, MessageText, PinIcon, timeOf } from './common';

export const REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

export interface MessagePerms {
  canReply: boolean;
  canEdit: boolean;
  canDelete: boolean;
  canPin: boolean;
  canSeeReads: boolean;
  canReact: boolean;
}

export interface MessageActions {
  reply(m: Message): void;
  edit(m: Message): void;
  remove(m: Message): void;
  react(m: Message, emoji: string, on: boolean): void;
  pin(m: Message, pinned: boolean): void;
  reads(m: Message): void;
  jump(seq: number): void;
  retry(clientId: string): void;
  discard(clientId: string): void;
}

/* The reactions as the user should see them: the server's, with the user's
 * own reactions still on their way already counted. */
function shownReactions(reactions: Reaction[], ops: QueueItem[]): Reaction[] {
  const out = reactions.map((r) => ({ ...r }));
  for (const it of ops) {
    if (it.op.type !== 'react' || it.state === 'failed') continue;
    const { emoji, on } = it.op;
    let r = out.find((x) => x.emoji === emoji);
    if (on && !r?.mine) {
      if (!r) {
        r = { emoji, count: 0, mine: false };
        out.push(r);
      }
      r.count++;
      r.mine = true;
    } else if (!on && r?.mine) {
      r.count--;
      r.mine = false;
    }
  }
  return out.filter((r) => r.count > 0);
}

const FAILED_KEY: Record<string, MsgKey> = {
  edit: 'chat.msg.failedEdit', delete: 'chat.msg.failedDelete', react: 'chat.msg.failedReact', pin: 'chat.msg.failedPin',
};

export function MessageItem(p: {
  msg: Message;
  mine: boolean;
  ops: QueueItem[];
  perms: MessagePerms;
  mentions: MentionName[];
  reply: { name: string; text: string } | null;
  actions: MessageActions;
  highlight: boolean;
  showAuthor: boolean;
}) {
  const { msg, mine, ops, perms, actions } = p;
  const [open, setOpen] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    panelRef.current?.querySelector<HTMLElement>('button')?.focus();
  }, [open]);

  const close = () => {
    setOpen(false);
    setConfirmDelete(false);
    toggleRef.current?.focus();
  };

  const pendingEdit = [...ops].reverse().find((o) => o.op.type === 'edit' && o.state !== 'failed');
  const pendingDelete = ops.some((o) => o.op.type === 'delete' && o.state !== 'failed');
  const pending = ops.some((o) => o.state !== 'failed');
  const failed = ops.filter((o) => o.state === 'failed');
  const text = pendingEdit && pendingEdit.op.type === 'edit' ? pendingEdit.op.text : msg.text;
  const reactions = msg.deleted ? [] : shownReactions(msg.reactions, ops);
  const hasActions = !msg.deleted && (perms.canReply || perms.canEdit || perms.canDelete || perms.canPin || perms.canSeeReads || perms.canReact);

  return (
    <li class={`msg${mine ? ' msg-mine' : ''}${msg.deleted ? ' msg-deleted' : ''}${p.highlight ? ' msg-highlight' : ''}${pendingDelete ? ' msg-fading' : ''}`}
      data-seq={msg.seq} id={`msg-${msg.seq}`} onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          close();
        }
      }}>
      <div class="msg-bubble">
        {p.showAuthor && !mine
          ? <div class="msg-author">{msg.author.name}</div>
          : <span class="sr-only">{mine ? t('chat.msg.you') : msg.author.name}: </span>}
        {msg.forwarded_from && !msg.deleted && (
          <div class="msg-forwarded muted small">{t('chat.msg.forwarded', { name: msg.forwarded_from.author_name })}</div>
        )}
        {msg.reply_to !== null && !msg.deleted && (
          <button type="button" class="msg-quote" onClick={() => actions.jump(msg.reply_to!)}>
            {p.reply ? (
              <>
                <span class="sr-only">{t('chat.msg.replyTo')}: </span>
                <span class="msg-quote-name">{p.reply.name}</span>
                <span class="msg-quote-text">{p.reply.text}</span>
              </>
            ) : <span class="msg-quote-name">{t('chat.msg.replyUnknown')}</span>}
          </button>
        )}
        <div class="msg-text">
          {msg.deleted
            ? <span class="msg-deleted-text">{msg.deleted_by_moderator ? t('chat.msg.deletedByModerator') : t('chat.msg.deleted')}</span>
            : <MessageText text={text ?? ''} mentions={p.mentions} />}
        </div>
        <div class="msg-meta muted small">
          {msg.pinned && <span class="msg-pin-mark" title={t('chat.msg.pinned')}><PinIcon /><span class="sr-only">{t('chat.msg.pinned')}</span></span>}
          {msg.edited_at !== null && !msg.deleted && <span>{t('chat.msg.edited')}</span>}
          <time dateTime={new Date(msg.at).toISOString()}>{timeOf(msg.at)}</time>
          {pending && <span class="msg-clock" title={t('chat.msg.sending')}><ClockIcon /><span class="sr-only">{t('chat.msg.sending')}</span></span>}
        </div>
        {reactions.length > 0 && (
          <ul class="reactions" aria-label={t('chat.msg.reactions')}>
            {reactions.map((r) => (
              <li key={r.emoji}>
                <button type="button" class={`reaction${r.mine ? ' reaction-mine' : ''}`} aria-pressed={r.mine}
                  disabled={!perms.canReact}
                  aria-label={r.mine ? t('chat.msg.reactionMine', { emoji: r.emoji, count: r.count }) : `${r.emoji} ${r.count}`}
                  onClick={() => actions.react(msg, r.emoji, !r.mine)}>
                  <span aria-hidden="true">{r.emoji}</span> <span aria-hidden="true">{r.count}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        {failed.map((f) => (
          <div key={f.client_id} class="msg-failed" role="alert">
            <span class="failed-mark" aria-hidden="true">!</span>
            <span>{t(FAILED_KEY[f.op.type] ?? 'chat.msg.failed')}: {f.error ? chatErrorText(f.error) : ''}</span>
            <button type="button" class="btn btn-ghost btn-small" onClick={() => actions.retry(f.client_id)}>{t('chat.msg.retry')}</button>
            <button type="button" class="btn btn-ghost btn-small" onClick={() => actions.discard(f.client_id)}>{t('chat.msg.discardOp')}</button>
          </div>
        ))}
      </div>
      {hasActions && (
        <div class="msg-actions">
          <button ref={toggleRef} type="button" class="btn btn-ghost icon-btn msg-actions-toggle" aria-expanded={open}
            aria-controls={open ? `msg-actions-${msg.seq}` : undefined}
            aria-label={t('chat.msg.actions')} title={t('chat.msg.actions')}
            onClick={() => (open ? close() : setOpen(true))}>
            <span aria-hidden="true">⋯</span>
          </button>
        </div>
      )}
      {hasActions && open && (
        <div ref={panelRef} id={`msg-actions-${msg.seq}`} class="msg-actions-panel" role="group" aria-label={t('chat.msg.actions')}>
          {confirmDelete ? (
            <div class="msg-confirm">
              <span>{t('chat.msg.deleteConfirm')}</span>
              <button type="button" class="btn btn-danger btn-small" onClick={() => { close(); actions.remove(msg); }}>{t('chat.msg.deleteYes')}</button>
              <button type="button" class="btn btn-secondary btn-small" onClick={() => setConfirmDelete(false)}>{t('chat.msg.cancel')}</button>
            </div>
          ) : (
            <>
              {perms.canReact && (
                <div class="msg-react-row">
                  {REACTIONS.map((e) => {
                    const mineNow = reactions.some((r) => r.emoji === e && r.mine);
                    return (
                      <button key={e} type="button" class="reaction-pick" aria-pressed={mineNow}
                        aria-label={t('chat.msg.react', { emoji: e })} title={t('chat.msg.react', { emoji: e })}
                        onClick={() => { close(); actions.react(msg, e, !mineNow); }}>
                        {e}
                      </button>
                    );
                  })}
                </div>
              )}
              <div class="msg-action-row">
                {perms.canReply && <button type="button" class="btn btn-ghost btn-small" onClick={() => { setOpen(false); actions.reply(msg); }}>{t('chat.msg.reply')}</button>}
                {perms.canEdit && <button type="button" class="btn btn-ghost btn-small" onClick={() => { setOpen(false); actions.edit(msg); }}>{t('chat.msg.edit')}</button>}
                {perms.canPin && <button type="button" class="btn btn-ghost btn-small" onClick={() => { close(); actions.pin(msg, !msg.pinned); }}>{msg.pinned ? t('chat.msg.unpin') : t('chat.msg.pin')}</button>}
                {perms.canSeeReads && <button type="button" class="btn btn-ghost btn-small" onClick={() => { setOpen(false); actions.reads(msg); }}>{t('chat.msg.reads')}</button>}
                {perms.canDelete && <button type="button" class="btn btn-ghost btn-small btn-danger-text" onClick={() => setConfirmDelete(true)}>{t('chat.msg.delete')}</button>}
              </div>
            </>
          )}
        </div>
      )}
    </li>
  );
}

/* A message of the user's that the server has not acknowledged yet. */
export function PendingItem({ item, mentions, actions }: { item: QueueItem; mentions: MentionName[]; actions: MessageActions }) {
  if (item.op.type !== 'send') return null;
  const failed = item.state === 'failed';
  return (
    <li class={`msg msg-mine msg-pending${failed ? ' msg-failed-item' : ''}`} data-client-id={item.client_id}>
      <div class="msg-bubble">
        <span class="sr-only">{t('chat.msg.you')}: </span>
        <div class="msg-text"><MessageText text={item.op.text} mentions={mentions} /></div>
        <div class="msg-meta muted small">
          <time dateTime={new Date(item.created_at).toISOString()}>{timeOf(item.created_at)}</time>
          {failed
            ? <span class="failed-mark" title={t('chat.msg.failed')} aria-hidden="true">!</span>
            : <span class="msg-clock" role="img" aria-label={t('chat.msg.pending')} title={t('chat.msg.pending')}><ClockIcon /></span>}
        </div>
        {failed && (
          <div class="msg-failed" role="alert">
            <span>{t('chat.msg.failed')}: {item.error ? chatErrorText(item.error) : ''}</span>
            <button type="button" class="btn btn-ghost btn-small" onClick={() => actions.retry(item.client_id)}>{t('chat.msg.retry')}</button>
            <button type="button" class="btn btn-ghost btn-small" onClick={() => actions.discard(item.client_id)}>{t('chat.msg.discard')}</button>
          </div>
        )}
      </div>
    </li>
  );
}
