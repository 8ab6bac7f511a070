// SPDX-License-Identifier: MIT
// /login: login (e-mail or phone) and password. Wrong credentials, rate
// limiting and field errors from the server are shown in place.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type User } from '../api';
import { t, type MsgKey } from '../i18n';
import { Alert, Field, PageHeading, problemOf, Status, SubmitButton, useTitle, type Problem } from '../ui';
import { checkRequired } from '../validate';
import { AuthLayout } from './auth-layout';

type LoginField = 'login' | 'password';

export function LoginPage({ notice, onLoggedIn }: {
  notice: MsgKey | null;
  onLoggedIn: (user: User) => void;
}) {
  useTitle('login.title');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<LoginField, Problem>>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const loginRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const refs: Record<LoginField, typeof loginRef> = { login: loginRef, password: passwordRef };

  // After the heading's own focus on navigation: the first field is where to start.
  useEffect(() => loginRef.current?.focus(), []);

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    const errors: Partial<Record<LoginField, Problem>> = {};
    const l = checkRequired(login.trim());
    if (l) errors.login = { key: l };
    const p = checkRequired(password);
    if (p) errors.password = { key: p };
    setFieldErrors(errors);
    const first = (Object.keys(errors) as LoginField[])[0];
    if (first) {
      setProblem(null);
      refs[first].current?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const res = await api.login(login.trim(), password);
      onLoggedIn(res.user);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.code === 'invalid_input' && (err.field === 'login' || err.field === 'password')) {
        setFieldErrors({ [err.field]: { error: err } });
        refs[err.field].current?.focus();
        return;
      }
      setProblem(problemOf(err));
      if (err instanceof ApiError && err.code === 'bad_credentials') {
        setPassword('');
        passwordRef.current?.focus();
      }
    }
  }

  return (
    <AuthLayout>
      <PageHeading id="login-heading">{t('login.heading')}</PageHeading>
      <Status text={notice && !problem ? t(notice) : ''} />
      <form class="form" onSubmit={submit} noValidate aria-labelledby="login-heading">
        <Field id="login" label={t('login.login')} hint={t('login.loginHint')} value={login}
          onInput={(v) => setLogin(v)} autoComplete="username" inputMode="email"
          error={fieldErrors.login} inputRef={loginRef} />
        <Field id="password" label={t('login.password')} type="password" value={password}
          onInput={(v) => setPassword(v)} autoComplete="current-password"
          error={fieldErrors.password} inputRef={passwordRef} />
        <Alert problem={problem} />
        <SubmitButton busy={busy} label={t('login.submit')} busyLabel={t('login.submitting')} />
      </form>
    </AuthLayout>
  );
}
