// SPDX-License-Identifier: MIT
// /people/:id: a person's card — their active roles (ended by those who may
// assign them), the role history, a form to assign a role (the platform
// administrator; the administration appoints the platform administrator),
// their children or parents, and their movements (enrolment, transfers,
// hiring...) with the reversal of the latest one.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { User } from '../../api';
import { getLang, roleName, t, type MsgKey } from '../../i18n';
import { formatDateTime } from '../../format';
import { Link, Spinner } from '../../ui';
import { movementApi, orgApi, type Assignment, type Movement, type MovementKind, type Person, type Role } from '../../admin/api';
import { admErrorText, invalidateGrants, isForbidden, useGrants, useTree, type AdmProblem } from '../../admin/context';
import { formatDate, todayIso } from '../../admin/format';
import { reversible } from '../../admin/movements';
import { assignableRoles, canEndRole, capabilities, targetKinds, type Caps } from '../../admin/scope';
import { buildTree, unitOptions } from '../../admin/tree';
import {
  AdmAlert, AdmPage, AdmStatus, BusyButton, CheckField, ConfirmButton, Forbidden, InputField, routeParam, SelectField,
  unitSelectOptions,
} from './widgets';

export const MOVEMENT_KEY: Record<MovementKind, MsgKey> = {
  enrolment: 'adm.mv.enrolment',
  transfer: 'adm.mv.transfer',
  academic_leave: 'adm.mv.academic_leave',
  return: 'adm.mv.return',
  expulsion: 'adm.mv.expulsion',
  graduation: 'adm.mv.graduation',
  hiring: 'adm.mv.hiring',
  staff_transfer: 'adm.mv.staff_transfer',
  dismissal: 'adm.mv.dismissal',
};

export function PersonPage({ user }: { user: User }) {
  const personId = routeParam('/people/:id', 'id');
  const grants = useGrants(user);
  const caps = capabilities(user.roles, grants);
  const [person, setPerson] = useState<Person | null>(null);
  const [problem, setProblem] = useState<AdmProblem>(null);
  const [version, setVersion] = useState(0);
  const [status, setStatus] = useState('');

  useEffect(() => {
    const ctl = new AbortController();
    orgApi.person(personId, ctl.signal).then(
      (p) => {
        setPerson(p);
        setProblem(null);
      },
      (err) => !ctl.signal.aborted && setProblem({ err }),
    );
    return () => ctl.abort();
  }, [personId, version]);

  const changed = (msg: string) => {
    setStatus(msg);
    setVersion((n) => n + 1);
    if (String(user.id) === personId) invalidateGrants();
  };

  if (problem && !person) {
    return (
      <AdmPage title="adm.person.title">
        {isForbidden(problem.err) ? <Forbidden /> : <div class="card"><AdmAlert problem={problem} /></div>}
      </AdmPage>
    );
  }
  if (!person) return <AdmPage title="adm.person.title"><Spinner label={t('adm.loading')} /></AdmPage>;

  const lang = getLang();
  const active = person.assignments.filter((a) => a.until === null);
  const ended = person.assignments.filter((a) => a.until !== null);
  const children = person.guardianships.filter((g) => g.parent_id === person.user.id);
  const parents = person.guardianships.filter((g) => g.student_id === person.user.id);
  const canAssign = assignableRoles(caps).length > 0;

  return (
    <AdmPage title="adm.person.title" heading={person.user.name}>
      <p class="muted adm-back"><Link href="/people">{t('adm.person.back')}</Link></p>
      <AdmStatus text={status} />
      <section class="card" aria-labelledby="adm-person-roles">
        <h2 id="adm-person-roles" class="section-heading">{t('adm.person.roles')}</h2>
        <dl class="facts">
          <div><dt>{t('adm.people.login')}</dt><dd>{person.user.login.startsWith('ext:') ? t('adm.people.noLogin') : person.user.login}</dd></div>
        </dl>
        {active.length === 0 ? <p class="muted adm-gap">{t('adm.person.noRoles')}</p> : (
          <ul class="adm-list adm-gap">
            {active.map((a) => (
              <AssignmentRow key={a.id} a={a} canEnd={canEndRole(caps, a.role)} onEnded={() =>
                changed(t('adm.person.roleEnded', { role: roleName(a.role), unit: a.unit_name }))} />
            ))}
          </ul>
        )}
        {ended.length > 0 && (
          <details class="adm-details">
            <summary>{t('adm.person.history', { n: ended.length })}</summary>
            <ul class="adm-list">
              {ended.map((a) => (
                <li key={a.id} class="adm-item">
                  <span><strong>{roleName(a.director ? 'director' : a.role)}</strong> · {a.unit_name}</span>
                  <span class="muted small">{t('adm.person.period', { since: formatDateTime(a.since, lang), until: formatDateTime(a.until ?? '', lang) })}</span>
                </li>
              ))}
            </ul>
          </details>
        )}
      </section>
      {canAssign && <AssignRoleForm person={person} caps={caps} onAssigned={(role, unit) =>
        changed(t('adm.person.roleAssigned', { role: roleName(role), unit }))} />}
      {(children.length > 0 || parents.length > 0) && (
        <section class="card" aria-labelledby="adm-person-family">
          <h2 id="adm-person-family" class="section-heading">{t('adm.person.family')}</h2>
          <ul class="adm-list">
            {children.map((g) => (
              <li key={`c${g.student_id}`} class="adm-item">
                <span>{t('adm.person.child')}: {caps.people ? <Link href={`/people/${g.student_id}`}>{g.name}</Link> : g.name}</span>
                <span class={g.confirmed ? 'badge badge-ok' : 'badge'}>{t(g.confirmed ? 'adm.person.confirmed' : 'adm.person.unconfirmed')}</span>
              </li>
            ))}
            {parents.map((g) => (
              <li key={`p${g.parent_id}`} class="adm-item">
                <span>{t('adm.person.parent')}: {caps.people ? <Link href={`/people/${g.parent_id}`}>{g.name}</Link> : g.name}</span>
                <span class={g.confirmed ? 'badge badge-ok' : 'badge'}>{t(g.confirmed ? 'adm.person.confirmed' : 'adm.person.unconfirmed')}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <PersonMovements userId={person.user.id} canRecord={caps.movements} version={version}
        onReversed={(m) => changed(t('adm.mv.reversedDone', { kind: t(MOVEMENT_KEY[m.kind]) }))} />
    </AdmPage>
  );
}

function AssignmentRow({ a, canEnd, onEnded }: { a: Assignment; canEnd: boolean; onEnded: () => void }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<AdmProblem>(null);
  const descId = `adm-assignment-${a.id}`;
  return (
    <li class="adm-item">
      <span id={descId}>
        <strong>{roleName(a.director ? 'director' : a.role)}</strong> · {a.unit_name}
        <span class="muted small"> · {t('adm.person.since', { date: formatDateTime(a.since, getLang()) })}</span>
      </span>
      {canEnd && (
        <ConfirmButton busy={busy} label={t('adm.person.endRole')} confirmLabel={t('adm.person.endRoleConfirm')}
          busyLabel={t('adm.saving')} describedBy={descId}
          question={t('adm.person.endRoleQuestion', { role: roleName(a.role), unit: a.unit_name })}
          onConfirm={async () => {
            setBusy(true);
            setProblem(null);
            try {
              await orgApi.endRole(a.user_id, a.id);
              setBusy(false);
              onEnded();
            } catch (err) {
              setBusy(false);
              setProblem({ err });
            }
          }} />
      )}
      <AdmAlert problem={problem} />
    </li>
  );
}

function AssignRoleForm({ person, caps, onAssigned }: {
  person: Person; caps: Caps; onAssigned: (role: Role, unit: string) => void;
}) {
  const { tree } = useTree();
  const roles = assignableRoles(caps);
  const [role, setRole] = useState<Role>(roles[0]!);
  const [unit, setUnit] = useState('');
  const [director, setDirector] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<AdmProblem>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const root = useMemo(() => (tree ? buildTree(tree.college, tree.units) : null), [tree]);
  const opts = root ? unitOptions(root, { kinds: targetKinds(role) }) : [];
  const unitValue = opts.some((o) => String(o.id) === unit) ? unit : String(opts[0]?.id ?? '');
  const onlyAppoint = roles.length === 1 && roles[0] === 'platform_admin';

  async function submit(e: Event) {
    e.preventDefault();
    if (busy || !unitValue) return;
    setBusy(true);
    setProblem(null);
    setErrors({});
    try {
      await orgApi.assignRole(person.user.id, {
        role, unit_id: Number(unitValue), ...(role === 'administration' && director ? { director: true } : {}),
      });
      setBusy(false);
      onAssigned(role, opts.find((o) => String(o.id) === unitValue)?.label ?? '');
    } catch (err) {
      setBusy(false);
      const f = (err as { field?: string }).field;
      if (f === 'role' || f === 'unit_id') setErrors({ [f]: admErrorText(err) });
      else setProblem({ err });
    }
  }

  return (
    <section class="card" aria-labelledby="adm-assign-heading">
      <h2 id="adm-assign-heading" class="section-heading">{t(onlyAppoint ? 'adm.person.appointHeading' : 'adm.person.assignHeading')}</h2>
      {onlyAppoint && <p class="muted small">{t('adm.person.appointLead')}</p>}
      <form class="form adm-form" onSubmit={submit} noValidate>
        <div class="adm-row">
          <SelectField id="assign-role" label={t('adm.people.role')} value={role} onChange={(x) => setRole(x as Role)}
            error={errors.role} options={roles.map((r) => ({ value: r, label: roleName(r) }))} />
          <SelectField id="assign-unit" label={t('adm.people.unit')} value={unitValue} onChange={setUnit}
            error={errors.unit_id} options={unitSelectOptions(opts)} disabled={role === 'platform_admin'} />
        </div>
        {role === 'administration' && (
          <CheckField id="assign-director" label={t('adm.people.director')} checked={director} onChange={setDirector} />
        )}
        <AdmAlert problem={problem} />
        <div class="actions">
          <BusyButton type="submit" variant="primary" busy={busy} disabled={!unitValue}
            label={t(role === 'platform_admin' ? 'adm.person.appoint' : 'adm.person.assign')} busyLabel={t('adm.saving')} />
        </div>
      </form>
    </section>
  );
}

function PersonMovements({ userId, canRecord, version, onReversed }: {
  userId: number; canRecord: boolean; version: number; onReversed: (m: Movement) => void;
}) {
  const [list, setList] = useState<Movement[] | null>(null);
  const [problem, setProblem] = useState<AdmProblem>(null);
  const [reversing, setReversing] = useState<number | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    movementApi.ofPerson(userId, ctl.signal).then(
      (r) => setList(r.movements),
      (err) => !ctl.signal.aborted && setProblem({ err }),
    );
    return () => ctl.abort();
  }, [userId, version]);
  const latest = useMemo(() => reversible(list ?? []), [list]);
  if (problem && isForbidden(problem.err)) return null;

  return (
    <section class="card" aria-labelledby="adm-person-movements">
      <div class="section-head">
        <h2 id="adm-person-movements" class="section-heading">{t('adm.mv.history')}</h2>
        {canRecord && <Link href={`/movements?user=${userId}`} class="btn btn-secondary">{t('adm.mv.record')}</Link>}
      </div>
      <AdmAlert problem={problem} />
      {!list && !problem && <Spinner label={t('adm.loading')} />}
      {list && list.length === 0 && <p class="muted">{t('adm.mv.none')}</p>}
      {list && list.length > 0 && (
        <ol class="adm-list adm-timeline">
          {list.map((m) => (
            <li key={m.id} class="adm-item">
              <MovementLine m={m} />
              {canRecord && latest.has(m.id) && reversing !== m.id && (
                <button type="button" class="btn btn-secondary" onClick={() => setReversing(m.id)}>{t('adm.mv.reverse')}</button>
              )}
              {reversing === m.id && (
                <ReverseForm m={m} onCancel={() => setReversing(null)} onDone={() => {
                  setReversing(null);
                  onReversed(m);
                }} />
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function MovementLine({ m, withPerson }: { m: Movement; withPerson?: boolean }) {
  const lang = getLang();
  return (
    <div class="adm-mv">
      <p>
        <strong>{t(MOVEMENT_KEY[m.kind] ?? 'adm.mv.enrolment')}</strong>
        {withPerson && <> · <Link href={`/people/${m.user.id}`}>{m.user.name}</Link></>}
        {m.role && m.role !== 'student' && <span class="muted"> · {roleName(m.role)}</span>}
      </p>
      <p class="small">
        {m.from_unit && <span>{t('adm.mv.from', { unit: m.from_unit.name })} </span>}
        {m.to_unit && <span>{t('adm.mv.to', { unit: m.to_unit.name })}</span>}
      </p>
      <p class="muted small">
        {formatDate(m.date, lang)}
        {m.order_ref && <> · {m.order_ref}</>}
        {m.note && <> · {m.note}</>}
        {m.reverses_id !== null && <> · {t('adm.mv.isReversal')}</>}
        {m.reversed_by !== null && <> · <span class="badge">{t('adm.mv.reversed')}</span></>}
      </p>
    </div>
  );
}

export function ReverseForm({ m, onDone, onCancel }: { m: Movement; onDone: () => void; onCancel: () => void }) {
  const [date, setDate] = useState(todayIso());
  const [order, setOrder] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<AdmProblem>(null);
  const [dateError, setDateError] = useState('');
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => ref.current?.focus(), []);
  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    if (!date) {
      setDateError(t('v.required'));
      return;
    }
    setBusy(true);
    setProblem(null);
    setDateError('');
    try {
      await movementApi.reverse(m.id, { date, ...(order.trim() ? { order_ref: order.trim() } : {}) });
      setBusy(false);
      onDone();
    } catch (err) {
      setBusy(false);
      if ((err as { field?: string }).field === 'date') setDateError(admErrorText(err));
      else setProblem({ err });
    }
  }
  return (
    <form class="form adm-form adm-inline-form" onSubmit={submit} noValidate
      aria-label={t('adm.mv.reverseHeading', { kind: t(MOVEMENT_KEY[m.kind]) })}>
      <p class="small">{t('adm.mv.reverseLead')}</p>
      <div class="adm-row">
        <InputField id={`reverse-date-${m.id}`} label={t('adm.mv.date')} type="date" value={date} onInput={setDate}
          inputRef={ref} error={dateError} />
        <InputField id={`reverse-order-${m.id}`} label={t('adm.mv.order')} value={order} onInput={setOrder} maxLength={100} />
      </div>
      <AdmAlert problem={problem} />
      <div class="actions">
        <BusyButton type="submit" variant="primary" busy={busy} label={t('adm.mv.reverseSubmit')} busyLabel={t('adm.saving')} />
        <button type="button" class="btn btn-ghost" onClick={onCancel}>{t('adm.cancel')}</button>
      </div>
    </form>
  );
}
