// SPDX-License-Identifier: MIT
// /profile: the account, the password change form, and the list of the user's
// sessions (devices) with a button to end each one but this device's.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Session, type User } from '../api';
import { getLang, roleName, t, type MsgKey } from '../i18n';
import { formatDateTime, parseUserAgent } from '../format';
import { Alert, Field, PageHeading, problemOf, problemText, Spinner, Status, SubmitButton, useTitle,
  type Problem } from '../ui';
import { checkNewPassword, checkRepeat, checkRequired } from '../validate';

export function ProfilePage({ user }: { user: User }) {
  useTitle('profile.title');
  // Bumped after a password change, which ends the other sessions.
  const [sessionsVersion, setSessionsVersion] = useState(0);
  return (
    <div class="page">
      <PageHeading>{t('profile.title')}</PageHeading>
      <section class="card" aria-labelledby="account-heading">
        <h2 id="account-heading" class="section-heading">{t('profile.account')}</h2>
        <dl class="facts">
          <div><dt>{t('profile.name')}</dt><dd>{user.name}</dd></div>
          <div><dt>{t('profile.login')}</dt><dd>{user.login}</dd></div>
          {user.roles.length > 0 && (
            <div><dt>{t('profile.roles')}</dt><dd>{user.roles.map((r) => roleName(r)).join(', ')}</dd></div>
          )}
        </dl>
      </section>
      <PasswordForm login={user.login} onChanged={() => setSessionsVersion((n) => n + 1)} />
      <Sessions version={sessionsVersion} />
    </div>
  );
}

type PwField = 'current' | 'next' | 'repeat';
const PW_FIELDS: readonly PwField[] = ['current', 'next', 'repeat'];

function PasswordForm({ login, onChanged }: { login: string; onChanged: () => void }) {
  const [values, setValues] = useState<Record<PwField, string>>({ current: '', next: '', repeat: '' });
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<PwField, Problem>>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const refs = {
    current: useRef<HTMLInputElement>(null),
    next: useRef<HTMLInputElement>(null),
    repeat: useRef<HTMLInputElement>(null),
  };
  const set = (f: PwField) => (v: string) => {
    setValues((old) => ({ ...old, [f]: v }));
    setDone(false);
  };

  function showFieldErrors(errors: Partial<Record<PwField, Problem>>): boolean {
    setFieldErrors(errors);
    const first = PW_FIELDS.find((f) => errors[f]);
    if (first) refs[first].current?.focus();
    return !!first;
  }

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    const errors: Partial<Record<PwField, Problem>> = {};
    const c = checkRequired(values.current);
    if (c) errors.current = { key: c };
    const n = checkNewPassword(values.next);
    if (n) errors.next = { key: n };
    const r = checkRepeat(values.next, values.repeat);
    if (r) errors.repeat = { key: r };
    setProblem(null);
    setDone(false);
    if (showFieldErrors(errors)) return;
    setBusy(true);
    try {
      await api.changePassword(values.current, values.next);
      setBusy(false);
      setValues({ current: '', next: '', repeat: '' });
      setDone(true);
      onChanged();
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.code === 'bad_credentials') {
        showFieldErrors({ current: { key: 'password.wrongCurrent' } });
        setValues((old) => ({ ...old, current: '' }));
        return;
      }
      if (err instanceof ApiError && err.code === 'invalid_input') {
        if (err.field === 'new_password') {
          showFieldErrors({ next: { error: err } });
          return;
        }
        if (err.field === 'current_password') {
          showFieldErrors({ current: { error: err } });
          return;
        }
      }
      setProblem(problemOf(err));
    }
  }

  return (
    <section class="card" aria-labelledby="password-heading">
      <h2 id="password-heading" class="section-heading">{t('password.heading')}</h2>
      <form class="form form-narrow" onSubmit={submit} noValidate>
        {/* Lets password managers know whose password this is. */}
        <input type="text" name="username" autoComplete="username" value={login} hidden readOnly />
        <Field id="current-password" label={t('password.current')} type="password" value={values.current}
          onInput={set('current')} autoComplete="current-password" error={fieldErrors.current}
          inputRef={refs.current} />
        <Field id="new-password" label={t('password.new')} hint={t('password.newHint')} type="password"
          value={values.next} onInput={set('next')} autoComplete="new-password" error={fieldErrors.next}
          inputRef={refs.next} />
        <Field id="repeat-password" label={t('password.repeat')} type="password" value={values.repeat}
          onInput={set('repeat')} autoComplete="new-password" error={fieldErrors.repeat}
          inputRef={refs.repeat} />
        <Alert problem={problem} />
        <Status text={done ? t('password.done') : ''} />
        <SubmitButton busy={busy} label={t('password.submit')} busyLabel={t('password.submitting')} />
      </form>
    </section>
  );
}

function sortSessions(list: Session[]): Session[] {
  return [...list].sort((a, b) =>
    a.current !== b.current ? (a.current ? -1 : 1) : b.last_seen_at.localeCompare(a.last_seen_at));
}

function Sessions({ version }: { version: number }) {
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [loading, setLoading] = useState(true);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [status, setStatus] = useState<MsgKey | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    setProblem(null);
    api.sessions(ctl.signal).then(
      (r) => {
        setSessions(sortSessions(r.sessions));
        setLoading(false);
      },
      (err) => {
        if (ctl.signal.aborted) return;
        setProblem(problemOf(err));
        setLoading(false);
      },
    );
    return () => ctl.abort();
  }, [version, reload]);

  async function revoke(s: Session) {
    if (revoking) return;
    setRevoking(s.id);
    setProblem(null);
    setStatus(null);
    try {
      await api.revokeSession(s.id);
      setSessions((list) => list && list.filter((x) => x.id !== s.id));
      setStatus('sessions.revoked');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'not_found') {
        // Already gone (ended elsewhere or expired): the list was stale.
        setSessions((list) => list && list.filter((x) => x.id !== s.id));
      } else {
        setProblem(problemOf(err));
      }
    } finally {
      setRevoking(null);
    }
  }

  const lang = getLang();
  const others = sessions?.filter((s) => !s.current).length ?? 0;
  return (
    <section class="card" aria-labelledby="sessions-heading" aria-busy={loading ? 'true' : undefined}>
      <div class="section-head">
        <h2 id="sessions-heading" class="section-heading">{t('sessions.heading')}</h2>
        <button type="button" class="btn btn-ghost" onClick={() => {
          setStatus(null);
          setReload((n) => n + 1);
        }} disabled={loading}>
          {t('sessions.refresh')}
        </button>
      </div>
      <p class="muted">{t('sessions.lead')}</p>
      <div role="alert" class="alert alert-error">{problemText(problem)}</div>
      <div role="status" class="alert alert-ok">{status ? t(status) : ''}</div>
      {loading && !sessions && <Spinner label={t('sessions.loading')} />}
      {sessions && (
        <ul class="sessions" aria-labelledby="sessions-heading">
          {sessions.map((s) => {
            const d = parseUserAgent(s.user_agent);
            const device = d.browser && d.os ? t('sessions.device', { browser: d.browser, os: d.os })
              : d.browser || d.os || t('sessions.unknownDevice');
            const descId = `session-${s.id}-desc`;
            return (
              <li key={s.id} class={s.current ? 'session session-current' : 'session'}>
                <div class="session-main" id={descId}>
                  <p class="session-device">
                    <span>{device}</span>
                    {s.current && <span class="badge badge-accent">{t('sessions.current')}</span>}
                  </p>
                  {s.user_agent && <p class="session-ua muted small">{s.user_agent}</p>}
                  <dl class="session-facts small">
                    <div><dt>{t('sessions.ip')}</dt><dd>{s.ip || '—'}</dd></div>
                    <div><dt>{t('sessions.created')}</dt><dd>{formatDateTime(s.created_at, lang)}</dd></div>
                    <div><dt>{t('sessions.lastSeen')}</dt><dd>{formatDateTime(s.last_seen_at, lang)}</dd></div>
                  </dl>
                </div>
                {!s.current && (
                  <button type="button" class="btn btn-danger" aria-describedby={descId}
                    disabled={revoking !== null} aria-busy={revoking === s.id ? 'true' : undefined}
                    onClick={() => revoke(s)}>
                    {revoking === s.id && <span class="spinner" aria-hidden="true" />}
                    <span>{revoking === s.id ? t('sessions.revoking') : t('sessions.revoke')}</span>
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {sessions && others === 0 && <p class="muted small">{t('sessions.onlyThis')}</p>}
    </section>
  );
}
