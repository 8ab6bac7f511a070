// SPDX-License-Identifier: MIT
// Picking people for a new chat or for adding members. Who may be found
// depends on the user: the people directory (GET /people) answers the
// administration and the staff of their own units; everyone may also pick
// among the members of the chats they share. The server still decides whom
// the user may actually write to (the contact policy) and says so.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { roleName, t } from '../i18n';
import { chatApi } from '../rt/api';
import type { ChatSession } from '../rt/session';

export interface Picked {
  id: number;
  name: string;
  hint?: string;
}

/* Per session: the units where the user may read people, and the members of
 * the chats they share. */
const unitsCache = new WeakMap<ChatSession, Promise<number[]>>();
const sharedCache = new WeakMap<ChatSession, Promise<Picked[]>>();

function myUnits(session: ChatSession): Promise<number[]> {
  let p = unitsCache.get(session);
  if (!p) {
    p = chatApi.person(session.userId).then(
      (r) => [...new Set(r.assignments.filter((a) => !a.until).map((a) => a.unit_id))],
      () => [],
    );
    unitsCache.set(session, p);
  }
  return p;
}

function sharedPeople(session: ChatSession): Promise<Picked[]> {
  let p = sharedCache.get(session);
  if (!p) {
    const chats = session.store.sortedChats().filter((c) => c.kind !== 'channel').slice(0, 30);
    p = Promise.all(chats.map((c) => chatApi.members(c.id).then((r) => r.members, () => []))).then((lists) => {
      const seen = new Map<number, Picked>();
      for (const list of lists) for (const m of list) if (!seen.has(m.user_id)) seen.set(m.user_id, { id: m.user_id, name: m.name });
      return [...seen.values()];
    });
    sharedCache.set(session, p);
  }
  return p;
}

function norm(s: string): string {
  return s.toLocaleLowerCase().replace(/ё/g, 'е');
}

/* Everyone the user may find by q (at least 1 character). */
async function findPeople(session: ChatSession, q: string, signal: AbortSignal): Promise<Picked[]> {
  const found = new Map<number, Picked>();
  const add = (p: Picked) => {
    if (p.id !== session.userId && !found.has(p.id)) found.set(p.id, p);
  };
  const fromDirectory = async (unit?: number) => {
    const r = await chatApi.people(q, unit, signal);
    for (const p of r.people) {
      const role = p.roles?.[0];
      add({ id: p.id, name: p.name, hint: role ? `${roleName(role.role)}, ${role.unit_name}` : undefined });
    }
  };
  try {
    await fromDirectory();
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 403) throw e;
    const units = await myUnits(session);
    await Promise.all(units.map((u) => fromDirectory(u).catch((err) => {
      if (!(err instanceof ApiError) || err.status !== 403) throw err;
    })));
  }
  const nq = norm(q);
  for (const p of await sharedPeople(session)) if (norm(p.name).includes(nq)) add(p);
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name)).slice(0, 30);
}

export function PeoplePicker({ session, id, label, multiple, chosen, onChange, exclude = [], error }: {
  session: ChatSession;
  id: string;
  label: string;
  multiple: boolean;
  chosen: Picked[];
  onChange: (people: Picked[]) => void;
  exclude?: number[];
  error?: string;
}) {
  const [q, setQ] = useState('');
  const [results, setResults] = useState<Picked[]>([]);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const query = q.trim();
    if (timer.current) clearTimeout(timer.current);
    if (!query) {
      setResults([]);
      setBusy(false);
      return;
    }
    const ctl = new AbortController();
    setBusy(true);
    timer.current = setTimeout(() => {
      findPeople(session, query, ctl.signal).then(
        (r) => {
          setResults(r);
          setFailure(null);
        },
        (e) => {
          if (!ctl.signal.aborted) setFailure(e instanceof ApiError ? e.message || t('error.unknown') : t('error.unknown'));
        },
      ).finally(() => {
        if (!ctl.signal.aborted) setBusy(false);
      });
    }, 250);
    return () => ctl.abort();
  }, [q]);

  const isChosen = (p: Picked) => chosen.some((c) => c.id === p.id);
  const toggle = (p: Picked, on: boolean) => {
    if (!multiple) onChange(on ? [p] : []);
    else onChange(on ? [...chosen.filter((c) => c.id !== p.id), p] : chosen.filter((c) => c.id !== p.id));
  };
  const shown = results.filter((p) => !exclude.includes(p.id));
  const errorId = `${id}-error`;

  return (
    <div class="people-picker field">
      <label for={id}>{label}</label>
      <p id={`${id}-hint`} class="hint">{t('chat.people.searchHint')}</p>
      <input id={id} type="search" value={q} autoComplete="off" maxLength={200}
        aria-describedby={`${id}-hint${error ? ` ${errorId}` : ''}`} aria-invalid={error ? 'true' : undefined}
        onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)}
        onKeyDown={(e) => { if (e.key === 'Enter') e.preventDefault(); }} />
      {chosen.length > 0 && (
        <ul class="chips" aria-label={t('chat.people.chosen')}>
          {chosen.map((p) => (
            <li key={p.id} class="chip">
              <span>{p.name}</span>
              <button type="button" class="chip-remove" aria-label={t('chat.people.unchoose', { name: p.name })}
                title={t('chat.people.unchoose', { name: p.name })} onClick={() => toggle(p, false)}>
                <span aria-hidden="true">✕</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <div role="status" class="people-status muted small">
        {busy ? t('chat.people.searching') : q.trim() && !failure && shown.length === 0 ? t('chat.people.none') : ''}
      </div>
      {failure && <p class="alert alert-error" role="alert">{failure}</p>}
      {shown.length > 0 && (
        <ul class="people-results" aria-label={t('chat.people.results')}>
          {shown.map((p) => (
            <li key={p.id}>
              <label class="people-option">
                <input type={multiple ? 'checkbox' : 'radio'} name={`${id}-pick`} checked={isChosen(p)}
                  onChange={(e) => toggle(p, (e.currentTarget as HTMLInputElement).checked)} />
                <span class="people-name">{p.name}</span>
                {p.hint && <span class="muted small"> — {p.hint}</span>}
              </label>
            </li>
          ))}
        </ul>
      )}
      <p id={errorId} class="field-error" role={error ? 'alert' : undefined}>{error ?? ''}</p>
    </div>
  );
}
