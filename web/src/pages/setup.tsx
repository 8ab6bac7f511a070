// SPDX-License-Identifier: MIT
// /setup?token=…: the one-time link printed by `parta serve` on first start.
// The first administrator chooses a login, a name and a password here. An
// unknown or already used token shows a clear explanation instead of the form.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type User } from '../api';
import { t } from '../i18n';
import { Alert, Field, Link, PageHeading, problemOf, Spinner, SubmitButton, useTitle, type Problem } from '../ui';
import { checkLogin, checkName, checkNewPassword, checkRepeat } from '../validate';
import { AuthLayout } from './auth-layout';

type SetupField = 'login' | 'name' | 'password' | 'password2';
const FIELDS: readonly SetupField[] = ['login', 'name', 'password', 'password2'];

export function SetupPage({ token, onCreated }: { token: string | null; onCreated: (user: User) => void }) {
  useTitle('setup.title');
  const [state, setState] = useState<'checking' | 'invalid' | 'form' | 'error'>(token ? 'checking' : 'invalid');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!token) return;
    const ctl = new AbortController();
    setState('checking');
    api.setupStatus(token, ctl.signal).then(
      (r) => setState(r.valid ? 'form' : 'invalid'),
      (err) => {
        if (ctl.signal.aborted) return;
        // A token the server rejects outright (malformed, unknown) is an invalid link too.
        if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429) {
          setState('invalid');
          return;
        }
        setProblem(problemOf(err));
        setState('error');
      },
    );
    return () => ctl.abort();
  }, [token, attempt]);

  return (
    <AuthLayout>
      {state === 'checking' && <Spinner label={t('setup.checking')} />}
      {state === 'invalid' && <InvalidLink />}
      {state === 'error' && (
        <>
          <PageHeading>{t('setup.heading')}</PageHeading>
          <Alert problem={problem} />
          <button type="button" class="btn btn-secondary" onClick={() => setAttempt((n) => n + 1)}>
            {t('common.retry')}
          </button>
        </>
      )}
      {state === 'form' && token && (
        <SetupForm token={token} onCreated={onCreated} onExpired={() => setState('invalid')} />
      )}
    </AuthLayout>
  );
}

function InvalidLink() {
  return (
    <>
      <PageHeading>{t('setup.invalidHeading')}</PageHeading>
      <div role="alert" class="notice">
        <p>{t('setup.invalidText')}</p>
      </div>
      <p class="actions">
        <Link href="/login" class="btn btn-primary">{t('setup.toLogin')}</Link>
      </p>
    </>
  );
}

function SetupForm({ token, onCreated, onExpired }: {
  token: string; onCreated: (user: User) => void; onExpired: () => void;
}) {
  const [values, setValues] = useState<Record<SetupField, string>>({ login: '', name: '', password: '', password2: '' });
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<SetupField, Problem>>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const refs = {
    login: useRef<HTMLInputElement>(null),
    name: useRef<HTMLInputElement>(null),
    password: useRef<HTMLInputElement>(null),
    password2: useRef<HTMLInputElement>(null),
  };
  const set = (f: SetupField) => (v: string) => setValues((old) => ({ ...old, [f]: v }));
  useEffect(() => refs.login.current?.focus(), []);

  function showFieldErrors(errors: Partial<Record<SetupField, Problem>>): boolean {
    setFieldErrors(errors);
    const first = FIELDS.find((f) => errors[f]);
    if (first) refs[first].current?.focus();
    return !!first;
  }

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    const errors: Partial<Record<SetupField, Problem>> = {};
    const checks: [SetupField, ReturnType<typeof checkLogin>][] = [
      ['login', checkLogin(values.login)],
      ['name', checkName(values.name)],
      ['password', checkNewPassword(values.password)],
      ['password2', checkRepeat(values.password, values.password2)],
    ];
    for (const [f, key] of checks) if (key) errors[f] = { key };
    setProblem(null);
    if (showFieldErrors(errors)) return;
    setBusy(true);
    try {
      const res = await api.setup({
        token, login: values.login.trim(), name: values.name.trim(), password: values.password,
      });
      onCreated(res.user);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.code === 'expired') {
        onExpired();
        return;
      }
      if (err instanceof ApiError && err.code === 'invalid_input' && err.field) {
        const f = err.field as SetupField;
        if (FIELDS.includes(f)) {
          showFieldErrors({ [f]: { error: err } });
          return;
        }
      }
      setProblem(problemOf(err));
    }
  }

  return (
    <>
      <PageHeading>{t('setup.heading')}</PageHeading>
      <p class="lead">{t('setup.lead')}</p>
      <form class="form" onSubmit={submit} noValidate>
        <Field id="login" label={t('setup.login')} hint={t('setup.loginHint')} value={values.login}
          onInput={set('login')} autoComplete="username" inputMode="email" error={fieldErrors.login}
          inputRef={refs.login} />
        <Field id="name" label={t('setup.name')} hint={t('setup.nameHint')} value={values.name}
          onInput={set('name')} autoComplete="name" error={fieldErrors.name} inputRef={refs.name} />
        <Field id="password" label={t('setup.password')} hint={t('setup.passwordHint')} type="password"
          value={values.password} onInput={set('password')} autoComplete="new-password"
          error={fieldErrors.password} inputRef={refs.password} />
        <Field id="password2" label={t('setup.password2')} type="password" value={values.password2}
          onInput={set('password2')} autoComplete="new-password" error={fieldErrors.password2}
          inputRef={refs.password2} />
        <Alert problem={problem} />
        <SubmitButton busy={busy} label={t('setup.submit')} busyLabel={t('setup.submitting')} />
      </form>
    </>
  );
}
