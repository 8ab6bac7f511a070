// SPDX-License-Identifier: MIT
// /movements (platform administrator): record a movement of a student
// (enrolment, transfer, academic leave, return, expulsion, graduation) or a
// staff member (hiring, staff transfer, dismissal) with its date and order,
// and the college's journal of movements with filters, paging and the
// reversal of a person's latest movement.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { User } from '../../api';
import { roleName, t } from '../../i18n';
import { Spinner } from '../../ui';
import { movementApi, orgApi, type Movement, type MovementInput, type MovementKind, type PersonRow, type Role } from '../../admin/api';
import { admErrorText, isForbidden, useGrants, useTree, type AdmProblem } from '../../admin/context';
import { todayIso } from '../../admin/format';
import { movementFields, STAFF_KINDS, STUDENT_KINDS } from '../../admin/movements';
import { capabilities, targetKinds } from '../../admin/scope';
import { buildTree, unitOptions, type TreeNode } from '../../admin/tree';
import { MOVEMENT_KEY, MovementLine, ReverseForm } from './person';
import {
  AdmAlert, AdmPage, AdmStatus, BusyButton, Forbidden, InputField, Pager, SelectField, TextAreaField,
  unitSelectOptions, useDebounced,
} from './widgets';

const STAFF_ROLES: readonly Role[] = ['teacher', 'staff', 'administration', 'curator'];
const PAGE = 30;

export function MovementsPage({ user }: { user: User }) {
  const grants = useGrants(user);
  const caps = capabilities(user.roles, grants);
  const { tree } = useTree();
  const root = useMemo(() => (tree ? buildTree(tree.college, tree.units) : null), [tree]);
  const [version, setVersion] = useState(0);
  const [message, setMessage] = useState('');

  if (grants && !caps.movements) return <AdmPage title="adm.mv.title"><Forbidden /></AdmPage>;

  return (
    <AdmPage title="adm.mv.title" wide lead={t('adm.mv.lead')}>
      <AdmStatus text={message} />
      {root && <RecordForm root={root} onRecorded={(m) => {
        setMessage(t('adm.mv.recorded', { kind: t(MOVEMENT_KEY[m.kind]), name: m.user.name }));
        setVersion((n) => n + 1);
      }} />}
      {root && <Journal root={root} version={version} onReversed={(m) => {
        setMessage(t('adm.mv.reversedDone', { kind: t(MOVEMENT_KEY[m.kind]) }));
        setVersion((n) => n + 1);
      }} />}
      {!root && <Spinner label={t('adm.loading')} />}
    </AdmPage>
  );
}

/* Find a person by name or login and pick one. */
function PersonPicker({ value, onChange, error }: {
  value: { id: number; name: string } | null; onChange: (p: { id: number; name: string } | null) => void; error?: string;
}) {
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim(), 250);
  const [found, setFound] = useState<PersonRow[] | null>(null);
  const [problem, setProblem] = useState<AdmProblem>(null);
  const changeRef = useRef<HTMLButtonElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (!query) {
      setFound(null);
      return;
    }
    const ctl = new AbortController();
    orgApi.people({ q: query, limit: 8 }, ctl.signal).then(
      (r) => {
        setFound(r.people);
        setProblem(null);
      },
      (err) => !ctl.signal.aborted && setProblem({ err }),
    );
    return () => ctl.abort();
  }, [query]);

  if (value) {
    return (
      <div class="field">
        <span class="adm-label" id="mv-person-label">{t('adm.mv.person')}</span>
        <div class="adm-picked" aria-labelledby="mv-person-label">
          <strong>{value.name}</strong>
          <button ref={changeRef} type="button" class="btn btn-ghost" onClick={() => {
            onChange(null);
            requestAnimationFrame(() => searchRef.current?.focus());
          }}>{t('adm.mv.changePerson')}</button>
        </div>
        <p class="field-error" />
      </div>
    );
  }
  return (
    <div class="adm-picker">
      <InputField id="user_id" label={t('adm.mv.person')} hint={t('adm.mv.personHint')} type="search" value={q}
        onInput={setQ} inputRef={searchRef} error={error} autoComplete="off" />
      <AdmAlert problem={problem} />
      {found && (
        <ul class="adm-picker-list" aria-label={t('adm.mv.found')}>
          {found.length === 0 && <li class="muted small">{t('adm.people.none')}</li>}
          {found.map((p) => (
            <li key={p.id}>
              <button type="button" class="adm-pick" onClick={() => onChange({ id: p.id, name: p.name })}>
                <span>{p.name}</span>
                <span class="muted small">{p.roles.map((r) => `${roleName(r.role)} · ${r.unit_name}`).join('; ')}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function RecordForm({ root, onRecorded }: { root: TreeNode; onRecorded: (m: Movement) => void }) {
  const initialUser = new URLSearchParams(location.search).get('user');
  const [person, setPerson] = useState<{ id: number; name: string } | null>(null);
  const [kind, setKind] = useState<MovementKind>('enrolment');
  const [role, setRole] = useState<Role | ''>('teacher');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [date, setDate] = useState(todayIso());
  const [order, setOrder] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<AdmProblem>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const fields = movementFields(kind);
  const student = STUDENT_KINDS.includes(kind);
  const unitRole: Role = student ? 'student' : (role || 'teacher');
  const opts = unitOptions(root, { kinds: targetKinds(unitRole) });
  const toValue = opts.some((o) => String(o.id) === to) ? to : '';
  const fromValue = opts.some((o) => String(o.id) === from) ? from : '';

  useEffect(() => {
    if (!initialUser) return;
    orgApi.person(initialUser).then((p) => setPerson({ id: p.user.id, name: p.user.name }), () => undefined);
  }, [initialUser]);

  useEffect(() => {
    if (STAFF_KINDS.includes(kind) && kind !== 'dismissal' && !role) setRole('teacher');
  }, [kind]);

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    const errs: Record<string, string> = {};
    if (!person) errs.user_id = t('adm.mv.v.person');
    if (fields.to === 'required' && !toValue) errs.to_unit_id = t('v.required');
    if (fields.role === 'required' && !role) errs.role = t('v.required');
    if (!date) errs.date = t('v.required');
    setErrors(errs);
    setProblem(null);
    const first = Object.keys(errs)[0];
    if (first) {
      formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
      return;
    }
    const body: MovementInput = { user_id: person!.id, kind, date };
    if (fields.role && role) body.role = role;
    if (fields.from && fromValue) body.from_unit_id = Number(fromValue);
    if (fields.to && toValue) body.to_unit_id = Number(toValue);
    if (order.trim()) body.order_ref = order.trim();
    if (note.trim()) body.note = note.trim();
    setBusy(true);
    try {
      const m = await movementApi.record(body);
      setBusy(false);
      setOrder('');
      setNote('');
      onRecorded(m);
    } catch (err) {
      setBusy(false);
      const f = (err as { field?: string }).field;
      if (f && ['user_id', 'kind', 'role', 'from_unit_id', 'to_unit_id', 'date', 'order_ref', 'note'].includes(f)) {
        setErrors({ [f]: admErrorText(err) });
        formRef.current?.querySelector<HTMLElement>(`[name="${f}"]`)?.focus();
      } else setProblem({ err });
    }
  }

  const kindOptions = [
    ...STUDENT_KINDS.map((k) => ({ value: k, label: `${t('adm.mv.groupStudents')}: ${t(MOVEMENT_KEY[k])}` })),
    ...STAFF_KINDS.map((k) => ({ value: k, label: `${t('adm.mv.groupStaff')}: ${t(MOVEMENT_KEY[k])}` })),
  ];

  return (
    <section class="card" aria-labelledby="adm-mv-record">
      <h2 id="adm-mv-record" class="section-heading">{t('adm.mv.record')}</h2>
      <form ref={formRef} class="form adm-form" onSubmit={submit} noValidate>
        <PersonPicker value={person} onChange={setPerson} error={errors.user_id} />
        <div class="adm-row">
          <SelectField id="kind" label={t('adm.mv.kind')} value={kind} onChange={(x) => setKind(x as MovementKind)}
            options={kindOptions} error={errors.kind} />
          {fields.role && (
            <SelectField id="role" label={t('adm.people.role')} value={role} onChange={(x) => setRole(x as Role | '')}
              error={errors.role}
              options={[...(fields.role === 'optional' ? [{ value: '', label: t('adm.mv.allRoles') }] : []),
                ...STAFF_ROLES.map((r) => ({ value: r, label: roleName(r) }))]} />
          )}
        </div>
        {(fields.from || fields.to) && (
          <div class="adm-row">
            {fields.from && (
              <SelectField id="from_unit_id" label={t('adm.mv.fromUnit')} value={fromValue} onChange={setFrom}
                error={errors.from_unit_id} options={unitSelectOptions(opts, t('adm.mv.current'))} />
            )}
            {fields.to && (
              <SelectField id="to_unit_id" label={t('adm.mv.toUnit')} value={toValue} onChange={setTo}
                error={errors.to_unit_id}
                options={unitSelectOptions(opts, fields.to === 'optional' ? t('adm.mv.groupLeft') : t('adm.mv.choose'))} />
            )}
          </div>
        )}
        <div class="adm-row">
          <InputField id="date" label={t('adm.mv.date')} type="date" value={date} onInput={setDate} error={errors.date} />
          <InputField id="order_ref" label={t('adm.mv.order')} hint={t('adm.mv.orderHint')} value={order} onInput={setOrder}
            maxLength={100} error={errors.order_ref} />
        </div>
        <TextAreaField id="note" label={t('adm.mv.note')} value={note} onInput={setNote} maxLength={500} rows={2}
          error={errors.note} />
        <AdmAlert problem={problem} />
        <div class="actions">
          <BusyButton type="submit" variant="primary" busy={busy} label={t('adm.mv.recordSubmit')} busyLabel={t('adm.saving')} />
        </div>
      </form>
    </section>
  );
}

function Journal({ root, version, onReversed }: { root: TreeNode; version: number; onReversed: (m: Movement) => void }) {
  const [kind, setKind] = useState('');
  const [unit, setUnit] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<{ movements: Movement[]; total: number } | null>(null);
  const [loading, setLoading] = useState(true);
  const [problem, setProblem] = useState<AdmProblem>(null);
  const [reversing, setReversing] = useState<number | null>(null);

  useEffect(() => setOffset(0), [kind, unit, from, to]);
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    movementApi.journal({ kind, unit_id: unit ? Number(unit) : null, from, to, limit: PAGE, offset }, ctl.signal).then(
      (r) => {
        setData(r);
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
  }, [kind, unit, from, to, offset, version]);

  if (problem && isForbidden(problem.err) && !data) return null;
  return (
    <section class="card" aria-labelledby="adm-mv-journal" aria-busy={loading ? 'true' : undefined}>
      <h2 id="adm-mv-journal" class="section-heading">{t('adm.mv.journal')}</h2>
      <form class="adm-filters" onSubmit={(e) => e.preventDefault()} aria-label={t('adm.filters')}>
        <SelectField id="mv-f-kind" label={t('adm.mv.kind')} value={kind} onChange={setKind} compact
          options={[{ value: '', label: t('adm.mv.allKinds') },
            ...[...STUDENT_KINDS, ...STAFF_KINDS].map((k) => ({ value: k, label: t(MOVEMENT_KEY[k]) }))]} />
        <SelectField id="mv-f-unit" label={t('adm.people.unit')} value={unit} onChange={setUnit} compact
          options={unitSelectOptions(unitOptions(root).slice(1), t('adm.people.allUnits'))} />
        <InputField id="mv-f-from" label={t('adm.mv.dateFrom')} type="date" value={from} onInput={setFrom} compact />
        <InputField id="mv-f-to" label={t('adm.mv.dateTo')} type="date" value={to} onInput={setTo} compact />
      </form>
      <AdmAlert problem={problem} />
      {!data && loading && <Spinner label={t('adm.loading')} />}
      {data && data.movements.length === 0 && <p class="muted">{t('adm.mv.none')}</p>}
      {data && data.movements.length > 0 && (
        <ul class="adm-list">
          {data.movements.map((m) => (
            <li key={m.id} class="adm-item">
              <MovementLine m={m} withPerson />
              {m.reversed_by === null && reversing !== m.id && (
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
        </ul>
      )}
      {data && <Pager offset={offset} limit={PAGE} total={data.total} onPage={setOffset} busy={loading} />}
    </section>
  );
}
