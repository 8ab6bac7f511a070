// SPDX-License-Identifier: MIT
// Panels over the chat view: the members (GET /chats/:id/members) with
// moderation for the chat's owner and admins — stop someone writing for a
// while, let them write again, remove them, add people — and leaving the
// chat, and for the owner and admins the invitation links (ChatLinks.tsx);
// and the read report of one message (GET …/messages/:seq/reads): who
// has read it and who has not.
import { useEffect, useState } from 'preact/hooks';
import { t, type MsgKey } from '../i18n';
import { chatApi } from '../rt/api';
import type { Chat, Member, ReadReport } from '../rt/protocol';
import type { ChatSession } from '../rt/session';
import { navigate } from '../router';
import { Spinner } from '../ui';
import { ChatLinksSection, chatTakesLinks } from './ChatLinks';
import { chatErrorText, dateTimeOf, Dialog, isChatAdmin, plural } from './common';
import { PeoplePicker, type Picked } from './People';

const MUTES: [number, MsgKey][] = [[3600, 'chat.members.mute1h'], [86400, 'chat.members.mute1d'], [604800, 'chat.members.mute1w']];

function mayModerate(chat: Chat, me: Member | undefined, target: Member): boolean {
  if (chat.kind === 'direct' || chat.archived || !me || target.user_id === me.user_id) return false;
  if (me.role === 'owner') return target.role !== 'owner';
  if (me.role === 'admin') return target.role === 'member';
  return false;
}

export function MembersDialog({ session, chat, onClose }: { session: ChatSession; chat: Chat; onClose: () => void }) {
  const members = session.store.members.get(chat.id);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState<number | null>(null);
  const [confirm, setConfirm] = useState<number | null>(null);
  const [adding, setAdding] = useState<Picked[]>([]);
  const [addError, setAddError] = useState<string | undefined>(undefined);

  useEffect(() => {
    session.loadMembers(chat.id).catch(setError);
  }, [chat.id]);

  const me = members?.find((m) => m.user_id === session.userId);
  const mayAdd = chat.kind !== 'direct' && !chat.archived && (isChatAdmin(chat) || chat.add_policy === 'all');
  const mayLeave = chat.kind !== 'direct' && !chat.mandatory && chat.my_role !== 'owner';
  const sorted = members ? [...members].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name)) : [];

  async function act(target: Member, fn: () => Promise<unknown>, done: string) {
    setBusy(target.user_id);
    setError(null);
    setStatus('');
    try {
      await fn();
      setStatus(done);
      setConfirm(null);
      await session.loadMembers(chat.id);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  async function add() {
    if (!adding.length) return;
    setAddError(undefined);
    setStatus('');
    try {
      const r = await chatApi.addMembers(chat.id, adding.map((p) => p.id));
      setAdding([]);
      setStatus(t('chat.members.addedDone', { count: r.added.length }));
      await session.loadMembers(chat.id);
    } catch (e) {
      const err = e as { code?: string; field?: string };
      setAddError(err.code === 'forbidden' && err.field === 'user_ids' ? t('chat.new.membersRefused') : chatErrorText(e));
    }
  }

  async function leave() {
    setError(null);
    try {
      await chatApi.removeMember(chat.id, session.userId);
      onClose();
      navigate('/chats');
    } catch (e) {
      setError(e);
    }
  }

  return (
    <Dialog title={`${t('chat.members.title')} · ${plural('chat.members', chat.members_count)}`} onClose={onClose} labelId="members-heading">
      <div role="status" class="alert alert-ok">{status}</div>
      <div role="alert" class="alert alert-error">{error ? chatErrorText(error) : ''}</div>
      {!members && !error && <Spinner label={t('chat.members.loading')} />}
      <ul class="member-list">
        {sorted.map((m) => {
          const muted = m.muted_until && m.muted_until > Date.now() ? m.muted_until : null;
          const moderate = mayModerate(chat, me, m);
          return (
            <li key={m.user_id} class="member">
              <div class="member-main">
                <span class="member-name">{m.name} {m.user_id === session.userId && <span class="muted">{t('chat.members.you')}</span>}</span>
                <span class="muted small">
                  {m.role !== 'member' && t(`chat.role.${m.role}` as MsgKey)}
                  {m.role !== 'member' && m.source === 'system' && ' · '}
                  {m.source === 'system' && t('chat.members.system')}
                </span>
                {muted && <span class="small member-muted">{t('chat.members.mutedUntil', { time: dateTimeOf(muted) })}</span>}
              </div>
              {moderate && (
                <div class="member-actions" role="group" aria-label={t('chat.members.moderate', { name: m.name })}>
                  {confirm === m.user_id ? (
                    <>
                      <span class="small">{t('chat.members.removeConfirm', { name: m.name })}</span>
                      <button type="button" class="btn btn-danger btn-small" disabled={busy === m.user_id}
                        onClick={() => act(m, () => chatApi.removeMember(chat.id, m.user_id), t('chat.members.removedDone', { name: m.name }))}>
                        {t('chat.members.removeYes')}
                      </button>
                      <button type="button" class="btn btn-secondary btn-small" onClick={() => setConfirm(null)}>{t('chat.msg.cancel')}</button>
                    </>
                  ) : (
                    <>
                      {muted ? (
                        <button type="button" class="btn btn-secondary btn-small" disabled={busy === m.user_id}
                          onClick={() => act(m, () => chatApi.muteMember(chat.id, m.user_id, 0), t('chat.members.unmutedDone', { name: m.name }))}>
                          {t('chat.members.unmute')}
                        </button>
                      ) : (
                        <MuteControl name={m.name} id={m.user_id} disabled={busy === m.user_id}
                          onMute={(s) => act(m, () => chatApi.muteMember(chat.id, m.user_id, s),
                            t('chat.members.mutedDone', { name: m.name, time: dateTimeOf(Date.now() + s * 1000) }))} />
                      )}
                      {m.source !== 'system' && (
                        <button type="button" class="btn btn-danger btn-small" onClick={() => setConfirm(m.user_id)}>{t('chat.members.remove')}</button>
                      )}
                    </>
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {mayAdd && (
        <section class="members-add" aria-labelledby="members-add-heading">
          <h3 id="members-add-heading" class="sidebar-heading">{t('chat.members.add')}</h3>
          <PeoplePicker session={session} id="members-add-people" label={t('chat.people.search')} multiple
            chosen={adding} onChange={setAdding} exclude={(members ?? []).map((m) => m.user_id)} error={addError} />
          <button type="button" class="btn btn-primary btn-small" disabled={!adding.length} onClick={add}>{t('chat.members.addSubmit')}</button>
        </section>
      )}
      {chatTakesLinks(chat) && <ChatLinksSection chat={chat} />}
      {mayLeave && <LeaveButton onLeave={leave} />}
    </Dialog>
  );
}

function rank(m: Member): number {
  return m.role === 'owner' ? 0 : m.role === 'admin' ? 1 : 2;
}

function MuteControl({ name, id, disabled, onMute }: { name: string; id: number; disabled: boolean; onMute: (s: number) => void }) {
  const [s, setS] = useState(String(MUTES[0]![0]));
  const selId = `mute-${id}`;
  return (
    <span class="mute-control">
      <label for={selId} class="sr-only">{t('chat.members.muteFor')}: {name}</label>
      <select id={selId} value={s} onChange={(e) => setS((e.currentTarget as HTMLSelectElement).value)}>
        {MUTES.map(([v, k]) => <option key={v} value={String(v)}>{t(k)}</option>)}
      </select>
      <button type="button" class="btn btn-secondary btn-small" disabled={disabled} onClick={() => onMute(Number(s))}>
        {t('chat.members.muteFor')}
      </button>
    </span>
  );
}

function LeaveButton({ onLeave }: { onLeave: () => void }) {
  const [asking, setAsking] = useState(false);
  return (
    <div class="members-leave">
      {asking ? (
        <>
          <p>{t('chat.members.leaveConfirm')}</p>
          <div class="actions">
            <button type="button" class="btn btn-danger" onClick={onLeave}>{t('chat.members.leaveYes')}</button>
            <button type="button" class="btn btn-secondary" onClick={() => setAsking(false)}>{t('chat.msg.cancel')}</button>
          </div>
        </>
      ) : (
        <button type="button" class="btn btn-danger" onClick={() => setAsking(true)}>{t('chat.members.leave')}</button>
      )}
    </div>
  );
}

export function ReadsDialog({ chatId, seq, onClose }: { chatId: number; seq: number; onClose: () => void }) {
  const [report, setReport] = useState<ReadReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const ctl = new AbortController();
    chatApi.reads(chatId, seq, ctl.signal).then(setReport, (e) => {
      if (!ctl.signal.aborted) setError(e);
    });
    return () => ctl.abort();
  }, [chatId, seq]);
  return (
    <Dialog title={t('chat.reads.title')} onClose={onClose} labelId="reads-heading">
      <div role="alert" class="alert alert-error">{error ? chatErrorText(error) : ''}</div>
      {!report && !error && <Spinner label={t('chat.reads.loading')} />}
      {report && (
        <div class="reads">
          <section aria-labelledby="reads-read">
            <h3 id="reads-read" class="sidebar-heading">{t('chat.reads.read', { count: report.read.length })}</h3>
            {report.read.length ? <ul class="reads-list">{report.read.map((p) => <li key={p.user_id}>{p.name}</li>)}</ul>
              : <p class="muted">{t('chat.reads.nobody')}</p>}
          </section>
          <section aria-labelledby="reads-unread">
            <h3 id="reads-unread" class="sidebar-heading">{t('chat.reads.unread', { count: report.unread.length })}</h3>
            {report.unread.length ? <ul class="reads-list">{report.unread.map((p) => <li key={p.user_id}>{p.name}</li>)}</ul>
              : <p class="muted">{t('chat.reads.nobody')}</p>}
          </section>
        </div>
      )}
    </Dialog>
  );
}
