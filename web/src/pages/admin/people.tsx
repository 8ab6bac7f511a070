// SPDX-License-Identifier: MIT
// /people: search the college's people by name or login and filter by unit
// and role, within the units the user may read (the whole college for the
// platform administrator, their unit or group for the administration,
// teachers and curators). The platform administrator can also add a person
// with one role directly.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { User } from '../../api';
import { roleName, t } from '../../i18n';
import { Link, Spinner } from '../../ui';
import { orgApi, type PersonRow, type Role } from '../../admin/api';
import { admErrorText, isForbidden, useGrants, useTree, type AdmProblem } from '../../admin/context';
import { assignableRoles, capabilities, peopleScopes, targetKinds, type Caps } from '../../admin/scope';
import { buildTree, byId, COLLEGE_ID, isWithin, unitOptions } from '../../admin/tree';
import { checkLogin, checkName } from '../../validate';
import {
  AdmAlert, AdmPage, AdmStatus, BusyButton, Forbidden, InputField, Pager, SelectField, unitSelectOptions, useDebounced,
} from './widgets';

const PAGE = 50;
export const ALL_ROLES: readonly Role[] = ['platform_admin', 'administration', 'curator', 'teacher', 'student', 'parent', 'staff'];

export function PeoplePage({ user }: { user: User }) {
  const grants = useGrants(user);
  const caps = capabilities(user.roles, grants);
  const { tree } = useTree();
  const params = new URLSearchParams(location.search);
  const [q, setQ] = useState(params.get('q') ?? '');
  const [unit, setUnit] = useState(params.get('unit') ?? '');
  const [role, setRole] = useState(params.get('role') ?? '');
  const [offset, setOffset] = useState(0);
  const [result, setResult] = useState<{ total: number; people: PersonRow[] } | null>(null);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<AdmProblem>(null);
  const [adding, setAdding] = useState(false);
  const [status, setStatus] = useState('');
  const [version, setVersion] = useState(0);
  const query = useDebounced(q.trim(), 300);

  const scopes = grants ? peopleScopes(caps, grants) : null;
  const root = useMemo(() => (tree ? buildTree(tree.college, tree.units) : null), [tree]);
  const readable = useMemo(() => {
    if (!tree || !scopes) return null;
    const map = byId(tree.units);
    const ids = new Set<number>();
    if (scopes.includes(COLLEGE_ID)) ids.add(COLLEGE_ID);
    for (const u of tree.units) if (scopes.some((s) => isWithin(map, u.id, s))) ids.add(u.id);
    return ids;
  }, [tree, scopes?.join(',')]);
  // Without a college-wide scope a unit must be named: default to the first one.
  const effectiveUnit = unit || (scopes && !scopes.includes(COLLEGE_ID) && scopes[0] ? String(scopes[0]) : '');

  useEffect(() => setOffset(0), [query, effectiveUnit, role]);

  useEffect(() => {
    if (!scopes || (!caps.people && grants)) return;
    const ctl = new AbortController();
    setLoading(true);
    orgApi.people({ q: query, unit_id: effectiveUnit ? Number(effectiveUnit) : null, role, limit: PAGE, offset },
      ctl.signal).then(
      (r) => {
        setResult(r);
        setProblem(null);
        setLoading(false);
      },
      (err) => {
        if (ctl.signal.aborted) return;
        setProblem({ err });
        setLoading(false);
      },
    );
    return () => ctl.abort();
  }, [query, effectiveUnit, role, offset, scopes?.join(','), version]);

  if (grants && !caps.people) return <AdmPage title="adm.people.title"><Forbidden /></AdmPage>;
  if (problem && isForbidden(problem.err) && !result) return <AdmPage title="adm.people.title"><Forbidden /></AdmPage>;

  const unitOpts = root && readable ? unitOptions(root, { only: readable }) : [];
  return (
    <AdmPage title="adm.people.title" wide actions={caps.admin && (
      <button type="button" class="btn btn-primary" aria-expanded={adding} onClick={() => setAdding(!adding)}>
        {t('adm.people.add')}
      </button>
    )}>
      <AdmStatus text={status} />
      {adding && tree && root && (
        <CreatePersonForm caps={caps} root={root} onCancel={() => setAdding(false)} onCreated={(name) => {
          setAdding(false);
          setStatus(t('adm.people.created', { name }));
          setVersion((n) => n + 1);
        }} />
      )}
      <section class="card" aria-labelledby="adm-people-filters">
        <h2 id="adm-people-filters" class="sr-only">{t('adm.filters')}</h2>
        <form class="adm-filters" role="search" onSubmit={(e) => e.preventDefault()}>
          <InputField id="people-q" label={t('adm.people.search')} type="search" value={q} onInput={setQ}
            placeholder={t('adm.people.searchHint')} compact />
          <SelectField id="people-unit" label={t('adm.people.unit')} value={effectiveUnit} onChange={setUnit} compact
            options={unitSelectOptions(unitOpts, scopes?.includes(COLLEGE_ID) ? t('adm.people.allUnits') : undefined)} />
          <SelectField id="people-role" label={t('adm.people.role')} value={role} onChange={setRole} compact
            options={[{ value: '', label: t('adm.people.allRoles') }, ...ALL_ROLES.map((r) => ({ value: r, label: roleName(r) }))]} />
        </form>
      </section>
      <section class="card" aria-labelledby="adm-people-results" aria-busy={loading ? 'true' : undefined}>
        <div class="section-head">
          <h2 id="adm-people-results" class="section-heading">{t('adm.people.results')}</h2>
          <span class="muted small" role="status">{result ? t('adm.people.total', { n: result.total }) : ''}</span>
        </div>
        <AdmAlert problem={problem} />
        {!result && loading && <Spinner label={t('adm.loading')} />}
        {result && result.people.length === 0 && <p class="muted">{t('adm.people.none')}</p>}
        {result && result.people.length > 0 && (
          <table class="adm-table">
            <thead>
              <tr><th scope="col">{t('adm.people.name')}</th><th scope="col">{t('adm.people.login')}</th><th scope="col">{t('adm.people.roles')}</th></tr>
            </thead>
            <tbody>
              {result.people.map((p) => (
                <tr key={p.id}>
                  <td data-label={t('adm.people.name')}><Link href={`/people/${p.id}`}>{p.name}</Link></td>
                  <td data-label={t('adm.people.login')} class="adm-login">{p.login.startsWith('ext:') ? <span class="muted">{t('adm.people.noLogin')}</span> : p.login}</td>
                  <td data-label={t('adm.people.roles')}>
                    <ul class="adm-role-list">
                      {p.roles.map((r, i) => (
                        <li key={i}>{roleName(r.director ? 'director' : r.role)} <span class="muted">· {r.unit_name}</span></li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {result && <Pager offset={offset} limit={PAGE} total={result.total} onPage={setOffset} busy={loading} />}
      </section>
    </AdmPage>
  );
}

function CreatePersonForm({ caps, root, onCreated, onCancel }: {
  caps: Caps; root: ReturnType<typeof buildTree>;
  onCreated: (name: string) => void; onCancel: () => void;
}) {
  const roles = assignableRoles(caps).filter((r) => r !== 'platform_admin');
  const [v, setV] = useState({ login: '', name: '', password: '', role: roles[0] ?? 'teacher', unit: '' });
  const [director, setDirector] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<AdmProblem>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const set = (k: keyof typeof v) => (x: string) => setV((o) => ({ ...o, [k]: x }));
  const opts = unitOptions(root, { kinds: targetKinds(v.role as Role) });
  const unitValue = opts.some((o) => String(o.id) === v.unit) ? v.unit : String(opts[0]?.id ?? '');
  useEffect(() => formRef.current?.querySelector<HTMLElement>('input')?.focus(), []);

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    const errs: Record<string, string> = {};
    const l = checkLogin(v.login);
    if (l) errs.login = t(l);
    const n = checkName(v.name);
    if (n) errs.name = t(n);
    if (v.password && [...v.password].length < 8) errs.password = t('v.passwordLength');
    if (!unitValue) errs.unit_id = t('v.required');
    setErrors(errs);
    setProblem(null);
    const first = Object.keys(errs)[0];
    if (first) {
      formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const r = await orgApi.createPerson({
        login: v.login.trim(), name: v.name.trim(), role: v.role as Role, unit_id: Number(unitValue),
        ...(v.password ? { password: v.password } : {}),
        ...(v.role === 'administration' && director ? { director: true } : {}),
      });
      setBusy(false);
      onCreated(r.user.name);
    } catch (err) {
      setBusy(false);
      const f = (err as { field?: string }).field;
      if (f && ['login', 'name', 'password', 'role', 'unit_id'].includes(f)) {
        setErrors({ [f]: admErrorText(err) });
        formRef.current?.querySelector<HTMLElement>(`[name="${f}"]`)?.focus();
      } else setProblem({ err });
    }
  }

  return (
    <section class="card" aria-labelledby="adm-add-person">
      <h2 id="adm-add-person" class="section-heading">{t('adm.people.addHeading')}</h2>
      <p class="muted small">{t('adm.people.addLead')}</p>
      <form ref={formRef} class="form adm-form" onSubmit={submit} noValidate>
        <div class="adm-row">
          <InputField id="name" label={t('adm.people.name')} value={v.name} onInput={set('name')} maxLength={200}
            autoComplete="off" error={errors.name} />
          <InputField id="login" label={t('adm.people.login')} hint={t('login.loginHint')} value={v.login}
            onInput={set('login')} autoComplete="off" error={errors.login} />
        </div>
        <div class="adm-row">
          <SelectField id="role" label={t('adm.people.role')} value={v.role} onChange={set('role')} error={errors.role}
            options={roles.map((r) => ({ value: r, label: roleName(r) }))} />
          <SelectField id="unit_id" label={t('adm.people.unit')} value={unitValue} onChange={set('unit')} error={errors.unit_id}
            options={unitSelectOptions(opts)} />
        </div>
        {v.role === 'administration' && (
          <div class="adm-check">
            <input id="director" type="checkbox" checked={director} onChange={(e) => setDirector((e.currentTarget as HTMLInputElement).checked)} />
            <label for="director">{t('adm.people.director')}</label>
          </div>
        )}
        <InputField id="password" type="password" label={t('adm.people.passwordOpt')} hint={t('adm.people.passwordHint')}
          value={v.password} onInput={set('password')} autoComplete="new-password" error={errors.password} />
        <AdmAlert problem={problem} />
        <div class="actions">
          <BusyButton type="submit" variant="primary" busy={busy} label={t('adm.people.create')} busyLabel={t('adm.saving')} />
          <button type="button" class="btn btn-ghost" onClick={onCancel}>{t('adm.cancel')}</button>
        </div>
      </form>
    </section>
  );
}
