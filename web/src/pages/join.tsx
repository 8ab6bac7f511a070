// SPDX-License-Identifier: MIT
// /join/:token — the invitation link the server hands out. Works logged in or
// not: shows the college, the role and the unit the link is for; a new person
// registers (name, login, password), someone with an account logs in, and
// then joins; a parent link first asks which student is theirs (the group's
// roster from the server, short names only). Ends with a clear status:
// joined, or the request waiting for confirmation. A personal link (made by
// the import) hands over the imported account: only a login and a password.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type User } from '../api';
import { getLang, isMsgKey, roleName, t, type MsgKey } from '../i18n';
import { formatDateTime } from '../format';
import { inviteApi, type JoinPreview, type JoinResult } from '../admin/api';
import { admErrorText, invalidateGrants, type AdmProblem } from '../admin/context';
import { Field, Link, PageHeading, Spinner, useTitle, type Problem } from '../ui';
import { checkLogin, checkName, checkNewPassword, checkRepeat, checkRequired } from '../validate';
import { AuthLayout } from './auth-layout';
import { AdmAlert } from './admin/widgets';

type Mode = 'register' | 'login';

const GONE_KEY: Record<string, MsgKey> = {
  revoked: 'join.gone.revoked',
  expired: 'join.gone.expired',
  exhausted: 'join.gone.exhausted',
};

/* What the join page knows about the link: loading, usable, or why not. */
type LinkState =
  | { state: 'loading' }
  | { state: 'ok'; preview: JoinPreview }
  | { state: 'gone'; key: MsgKey }
  | { state: 'failed'; problem: AdmProblem };

export function linkStateOf(err: unknown): LinkState {
  if (err instanceof ApiError) {
    if (err.status === 404) return { state: 'gone', key: 'join.gone.unknown' };
    if (err.status === 410) return { state: 'gone', key: GONE_KEY[err.field ?? ''] ?? 'join.gone.expired' };
  }
  return { state: 'failed', problem: { err } };
}

export function JoinPage({ token, user, onUser }: {
  token: string;
  user: User | null;
  /* the app's session changed: logged in (registered) or out */
  onUser: (user: User | null) => void;
}) {
  useTitle('join.title');
  const [link, setLink] = useState<LinkState>({ state: 'loading' });
  const [result, setResult] = useState<JoinResult | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    setLink({ state: 'loading' });
    inviteApi.preview(token, ctl.signal).then(
      (preview) => setLink({ state: 'ok', preview }),
      (err) => !ctl.signal.aborted && setLink(linkStateOf(err)),
    );
    return () => ctl.abort();
  }, [token, attempt]);

  return (
    <AuthLayout>
      {link.state === 'loading' && <Spinner label={t('join.checking')} />}
      {link.state === 'gone' && (
        <>
          <PageHeading>{t('join.goneHeading')}</PageHeading>
          <p class="lead">{t(link.key)}</p>
          <p class="actions"><Link href={user ? '/' : '/login'} class="btn btn-secondary">{t(user ? 'join.toApp' : 'setup.toLogin')}</Link></p>
        </>
      )}
      {link.state === 'failed' && (
        <>
          <PageHeading>{t('join.title')}</PageHeading>
          <AdmAlert problem={link.problem} />
          <p class="actions"><button type="button" class="btn btn-secondary" onClick={() => setAttempt((n) => n + 1)}>{t('common.retry')}</button></p>
        </>
      )}
      {link.state === 'ok' && !result && (
        <JoinForm token={token} preview={link.preview} user={user} onUser={onUser} onResult={(r) => {
          invalidateGrants();
          setResult(r);
        }} />
      )}
      {link.state === 'ok' && result && <JoinDone preview={link.preview} result={result} />}
    </AuthLayout>
  );
}

function LinkSummary({ preview }: { preview: JoinPreview }) {
  return (
    <dl class="facts join-facts">
      <div><dt>{t('join.college')}</dt><dd>{preview.college.name}</dd></div>
      <div><dt>{t('join.role')}</dt><dd>{roleName(preview.role)}</dd></div>
      <div><dt>{t(preview.unit.kind === 'study_group' ? 'join.group' : 'join.unit')}</dt><dd>{preview.unit.name}</dd></div>
    </dl>
  );
}

type FieldName = 'name' | 'login' | 'password' | 'password2' | 'student_id';

function JoinForm({ token, preview, user, onUser, onResult }: {
  token: string; preview: JoinPreview; user: User | null; onUser: (u: User | null) => void;
  onResult: (r: JoinResult) => void;
}) {
  const personal = !!preview.personal;
  const roster = preview.roster ?? null;
  const [mode, setMode] = useState<Mode>('register');
  const [v, setV] = useState({ name: '', login: '', password: '', password2: '' });
  const [student, setStudent] = useState('');
  const [errors, setErrors] = useState<Partial<Record<FieldName, Problem>>>({});
  const [problem, setProblem] = useState<AdmProblem>(null);
  const [busy, setBusy] = useState(false);
  const [loggingOut, setLoggingOut] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const set = (k: keyof typeof v) => (x: string) => setV((o) => ({ ...o, [k]: x }));

  function focus(name: string) {
    formRef.current?.querySelector<HTMLElement>(`[name="${name}"]`)?.focus();
  }

  function check(): boolean {
    const e: Partial<Record<FieldName, Problem>> = {};
    if (roster && !student) e.student_id = { key: 'join.v.student' };
    if (!user) {
      if (mode === 'register') {
        if (!personal) {
          const n = checkName(v.name);
          if (n) e.name = { key: n };
        }
        const l = checkLogin(v.login);
        if (l) e.login = { key: l };
        const p = checkNewPassword(v.password);
        if (p) e.password = { key: p };
        const r = checkRepeat(v.password, v.password2);
        if (r) e.password2 = { key: r };
      } else {
        const l = checkRequired(v.login.trim());
        if (l) e.login = { key: l };
        const p = checkRequired(v.password);
        if (p) e.password = { key: p };
      }
    }
    setErrors(e);
    const order: FieldName[] = ['student_id', 'name', 'login', 'password', 'password2'];
    const first = order.find((f) => e[f]);
    if (first) focus(first);
    return !first;
  }

  function apiFieldError(err: unknown): boolean {
    if (!(err instanceof ApiError) || !err.field) return false;
    const f = err.field === 'new_password' ? 'password' : err.field;
    if (f === 'name' || f === 'login' || f === 'password' || f === 'student_id') {
      // Field errors render through ui.tsx's texts: hand over our specific one as a key.
      const key = JOIN_ERRORS.map((p) => `${p}.err.${err.code}.${err.field}`).find(isMsgKey);
      setErrors({ [f]: key ? { key } : { error: err } });
      focus(f);
      return true;
    }
    return false;
  }

  async function submit(e: Event) {
    e.preventDefault();
    if (busy || !check()) return;
    setBusy(true);
    setProblem(null);
    const studentId = roster ? { student_id: Number(student) } : {};
    try {
      let res: JoinResult;
      if (user) {
        res = await inviteApi.join(token, studentId);
      } else if (mode === 'login') {
        const auth = await api.login(v.login.trim(), v.password);
        onUser(auth.user);
        res = await inviteApi.join(token, studentId);
      } else {
        res = await inviteApi.join(token, {
          register: { login: v.login.trim(), password: v.password, ...(personal ? {} : { name: v.name.trim() }) },
          ...studentId,
        });
      }
      setBusy(false);
      onUser(res.user);
      onResult(res);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.code === 'bad_credentials') {
        setErrors({ password: { key: 'error.bad_credentials' } });
        setV((o) => ({ ...o, password: '' }));
        focus('password');
        return;
      }
      if (apiFieldError(err)) return;
      setProblem({ err, prefixes: JOIN_ERRORS });
    }
  }

  async function logout() {
    setLoggingOut(true);
    try {
      await api.logout();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) {
        setLoggingOut(false);
        setProblem({ err });
        return;
      }
    }
    setLoggingOut(false);
    onUser(null);
  }

  const lang = getLang();
  const heading = personal ? t('join.personalHeading', { name: preview.personal!.name }) :
    t('join.heading', { college: preview.college.name });
  return (
    <>
      <PageHeading id="join-heading">{heading}</PageHeading>
      <p class="lead">{t(personal ? 'join.personalLead' : 'join.lead')}</p>
      <LinkSummary preview={preview} />
      {preview.needs_approval && !personal && <p class="notice small">{t('join.needsApproval')}</p>}
      <p class="muted small">{t('join.expires', { date: formatDateTime(preview.expires_at, lang) })}</p>

      {user ? (
        <div class="join-as">
          <p>{t('join.as', { name: user.name, login: user.login })}</p>
          <button type="button" class="btn btn-ghost" onClick={logout} disabled={loggingOut}>
            {t(loggingOut ? 'nav.loggingOut' : 'join.notYou')}
          </button>
        </div>
      ) : !personal && (
        <div class="join-modes" role="group" aria-label={t('join.modeLabel')}>
          <button type="button" class={mode === 'register' ? 'btn btn-secondary join-mode-on' : 'btn btn-ghost'}
            aria-pressed={mode === 'register'} onClick={() => {
              setMode('register');
              setErrors({});
            }}>{t('join.modeRegister')}</button>
          <button type="button" class={mode === 'login' ? 'btn btn-secondary join-mode-on' : 'btn btn-ghost'}
            aria-pressed={mode === 'login'} onClick={() => {
              setMode('login');
              setErrors({});
            }}>{t('join.modeLogin')}</button>
        </div>
      )}

      <form ref={formRef} class="form" onSubmit={submit} noValidate aria-labelledby="join-heading">
        {roster && (
          <div class="field">
            <label for="student_id">{t('join.student')}</label>
            <p id="student_id-hint" class="hint">{t('join.studentHint')}</p>
            <select id="student_id" name="student_id" value={student}
              onChange={(e) => setStudent((e.currentTarget as HTMLSelectElement).value)}
              aria-invalid={errors.student_id ? 'true' : undefined}
              aria-describedby={`student_id-hint${errors.student_id ? ' student_id-error' : ''}`}>
              <option value="">{t('join.studentPick')}</option>
              {roster.map((s) => <option key={s.id} value={String(s.id)}>{s.name_short}</option>)}
            </select>
            <p id="student_id-error" class="field-error">{errors.student_id ? problemText(errors.student_id) : ''}</p>
            {roster.length === 0 && <p class="muted small">{t('join.rosterEmpty')}</p>}
          </div>
        )}
        {!user && mode === 'register' && !personal && (
          <Field id="name" label={t('setup.name')} hint={t('setup.nameHint')} value={v.name} onInput={set('name')}
            autoComplete="name" error={errors.name} maxLength={200} />
        )}
        {!user && (
          <Field id="login" label={t('login.login')} hint={t(mode === 'register' ? 'setup.loginHint' : 'login.loginHint')}
            value={v.login} onInput={set('login')} autoComplete="username" inputMode="email" error={errors.login} />
        )}
        {!user && (
          <Field id="password" label={t('login.password')} type="password"
            hint={mode === 'register' ? t('setup.passwordHint') : undefined} value={v.password} onInput={set('password')}
            autoComplete={mode === 'register' ? 'new-password' : 'current-password'} error={errors.password} />
        )}
        {!user && mode === 'register' && (
          <Field id="password2" label={t('setup.password2')} type="password" value={v.password2} onInput={set('password2')}
            autoComplete="new-password" error={errors.password2} />
        )}
        <AdmAlert problem={problem} />
        <button type="submit" class="btn btn-primary" disabled={busy} aria-busy={busy ? 'true' : undefined}>
          {busy && <span class="spinner" aria-hidden="true" />}
          <span>{busy ? t('join.submitting') : t(user ? 'join.submitJoin' : mode === 'register' ? 'join.submitRegister' : 'join.submitLogin')}</span>
        </button>
      </form>
    </>
  );
}

const JOIN_ERRORS = ['join', 'adm'];

function problemText(p: Problem): string {
  return 'key' in p ? t(p.key) : admErrorText(p.error, JOIN_ERRORS);
}

function JoinDone({ preview, result }: { preview: JoinPreview; result: JoinResult }) {
  const pending = result.status === 'pending';
  return (
    <>
      <PageHeading>{t(pending ? 'join.pendingHeading' : 'join.joinedHeading')}</PageHeading>
      <div role="status" class={pending ? 'alert join-pending' : 'alert alert-ok'}>
        {pending ? t('join.pending') : t('join.joined', { role: roleName(preview.role), unit: preview.unit.name })}
      </div>
      <LinkSummary preview={preview} />
      <p class="muted join-done-lead">{t(pending ? 'join.pendingLead' : 'join.joinedLead')}</p>
      <p class="actions"><Link href="/" class="btn btn-primary">{t('join.toApp')}</Link></p>
    </>
  );
}

