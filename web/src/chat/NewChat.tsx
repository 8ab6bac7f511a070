// SPDX-License-Identifier: MIT
// "New chat": a direct conversation with one person (anyone; the server's
// contact policy may refuse, and the refusal is said plainly), a group chat
// or an announcement channel with its first members (teaching staff and the
// administration), or a subject chat for a study group (its teacher: the
// group's students and curator join by themselves).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type User } from '../api';
import { t, type MsgKey } from '../i18n';
import { chatApi, type NewChat, type OrgUnit } from '../rt/api';
import type { ChatSession } from '../rt/session';
import { navigate } from '../router';
import { Spinner, SubmitButton } from '../ui';
import { chatErrorText, Dialog } from './common';
import { PeoplePicker, type Picked } from './People';

type Kind = 'direct' | 'group' | 'channel' | 'subject';
const CREATORS = ['platform_admin', 'administration', 'curator', 'teacher', 'admin'];

export function canCreateGroups(user: User): boolean {
  return user.roles.some((r) => CREATORS.includes(r));
}

type Errors = Partial<Record<'person' | 'members' | 'title' | 'description' | 'unit' | 'subject' | 'form', string>>;

export function NewChatDialog({ session, user, onClose }: { session: ChatSession; user: User; onClose: () => void }) {
  const staff = canCreateGroups(user);
  const kinds: Kind[] = staff ? ['direct', 'group', 'channel', 'subject'] : ['direct'];
  const [kind, setKind] = useState<Kind>('direct');
  const [people, setPeople] = useState<Picked[]>([]);
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [unitId, setUnitId] = useState('');
  const [subject, setSubject] = useState('');
  const [groups, setGroups] = useState<OrgUnit[] | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const titleRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (kind !== 'subject' || groups) return;
    chatApi.orgTree().then(
      (r) => setGroups(r.units.filter((u) => u.kind === 'study_group' && !u.archived)
        .sort((a, b) => (a.code ?? a.name).localeCompare(b.code ?? b.name))),
      (e) => {
        setGroups([]);
        setErrors({ form: chatErrorText(e) });
      },
    );
  }, [kind]);

  function switchKind(k: Kind) {
    setKind(k);
    setErrors({});
    if (k === 'direct') setPeople((p) => p.slice(0, 1));
  }

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    const errs: Errors = {};
    let body: NewChat;
    if (kind === 'direct') {
      if (!people[0]) errs.person = t('chat.new.pickPerson');
      body = { kind: 'direct', user_id: people[0]?.id };
    } else if (kind === 'subject') {
      if (!unitId) errs.unit = t('chat.invalid.unit_id');
      if (!subject.trim()) errs.subject = t('chat.invalid.subject');
      body = { kind: 'group', unit_id: Number(unitId), subject: subject.trim() };
      if (title.trim()) body.title = title.trim();
    } else {
      if (!title.trim()) errs.title = t('chat.invalid.title');
      body = { kind, title: title.trim() };
      if (description.trim()) body.description = description.trim();
      if (people.length) body.user_ids = people.map((p) => p.id);
    }
    setErrors(errs);
    if (Object.keys(errs).length) {
      if (errs.title) titleRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      const chat = await session.createChat(body);
      onClose();
      navigate(`/chats/${chat.id}`);
    } catch (err) {
      setBusy(false);
      setErrors(serverErrors(err, kind));
    }
  }

  const kindLabel: Record<Kind, MsgKey> = {
    direct: 'chat.new.kindDirect', group: 'chat.new.kindGroup', channel: 'chat.new.kindChannel', subject: 'chat.new.kindSubject',
  };

  return (
    <Dialog title={t('chat.new.title')} onClose={onClose} labelId="new-chat-heading" wide>
      <form class="form new-chat-form" onSubmit={submit} noValidate>
        {kinds.length > 1 && (
          <fieldset class="kind-choice">
            <legend>{t('chat.new.kind')}</legend>
            {kinds.map((k) => (
              <label key={k} class="kind-option">
                <input type="radio" name="new-chat-kind" value={k} checked={kind === k} onChange={() => switchKind(k)} />
                <span>{t(kindLabel[k])}</span>
              </label>
            ))}
          </fieldset>
        )}
        {kind === 'channel' && <p class="hint">{t('chat.new.kindChannelHint')}</p>}

        {(kind === 'group' || kind === 'channel') && (
          <>
            <TextField id="new-chat-title" label={t('chat.new.name')} value={title} onInput={setTitle} error={errors.title}
              inputRef={titleRef} maxLength={200} />
            <TextField id="new-chat-description" label={t('chat.new.description')} hint={t('chat.new.optional')}
              value={description} onInput={setDescription} error={errors.description} maxLength={1000} />
          </>
        )}
        {kind === 'subject' && (
          <>
            <div class="field">
              <label for="new-chat-group">{t('chat.new.studyGroup')}</label>
              {groups === null ? <Spinner label={t('chat.new.loadingGroups')} /> : (
                <select id="new-chat-group" value={unitId} onChange={(e) => setUnitId((e.currentTarget as HTMLSelectElement).value)}
                  aria-invalid={errors.unit ? 'true' : undefined} aria-describedby="new-chat-group-error">
                  <option value="">{t('chat.new.chooseGroup')}</option>
                  {groups.map((g) => <option key={g.id} value={String(g.id)}>{g.code ? `${g.code} — ${g.name}` : g.name}</option>)}
                </select>
              )}
              <p id="new-chat-group-error" class="field-error">{errors.unit ?? ''}</p>
            </div>
            <TextField id="new-chat-subject" label={t('chat.new.subject')} hint={t('chat.new.subjectHint')} value={subject}
              onInput={setSubject} error={errors.subject} maxLength={200} />
            <TextField id="new-chat-title" label={t('chat.new.name')} hint={t('chat.new.subjectTitleHint')} value={title}
              onInput={setTitle} error={errors.title} inputRef={titleRef} maxLength={200} />
          </>
        )}
        {kind !== 'subject' && (
          <PeoplePicker session={session} id="new-chat-people" multiple={kind !== 'direct'}
            label={kind === 'direct' ? t('chat.new.person') : t('chat.new.members')}
            chosen={people} onChange={setPeople} error={kind === 'direct' ? errors.person : errors.members} />
        )}
        <div role="alert" class="alert alert-error">{errors.form ?? ''}</div>
        <div class="actions">
          <SubmitButton busy={busy} label={t('chat.new.submit')} busyLabel={t('chat.new.submitting')} />
          <button type="button" class="btn btn-secondary" onClick={onClose}>{t('chat.new.cancel')}</button>
        </div>
      </form>
    </Dialog>
  );
}

/* Where the server's refusal goes: the contact policy's refusal of the
 * person or of some members is said in so many words. */
function serverErrors(err: unknown, kind: Kind): Errors {
  if (!(err instanceof ApiError)) return { form: t('error.unknown') };
  if (err.code === 'forbidden') {
    if (err.field === 'user_id') return { person: t('chat.new.contactRefused') };
    if (err.field === 'user_ids') return { members: t('chat.new.membersRefused') };
    if (kind === 'subject' && err.field === 'unit_id') return { unit: t('chat.new.notAllowed') };
    return { form: t('chat.new.notAllowed') };
  }
  if (err.code === 'invalid_input') {
    const text = chatErrorText(err);
    switch (err.field) {
      case 'title': return { title: text };
      case 'description': return { description: text };
      case 'subject': return { subject: text };
      case 'unit_id': return { unit: text };
      case 'user_id': return { person: text };
      case 'user_ids': return { members: text };
      default: return { form: text };
    }
  }
  return { form: chatErrorText(err) };
}

function TextField({ id, label, hint, value, onInput, error, inputRef, maxLength }: {
  id: string; label: string; hint?: string; value: string; onInput: (v: string) => void; error?: string;
  inputRef?: { current: HTMLInputElement | null }; maxLength?: number;
}) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && <p id={`${id}-hint`} class="hint">{hint}</p>}
      <input id={id} ref={inputRef} type="text" value={value} maxLength={maxLength}
        aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy || undefined}
        onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)} />
      <p id={`${id}-error`} class="field-error">{error ?? ''}</p>
    </div>
  );
}
