// SPDX-License-Identifier: MIT
// /structure: the college as a tree (branches, departments, study groups with
// code, year and curator) beside a panel for the chosen unit. Everyone in the
// college reads it; the platform administrator also creates, renames, moves,
// archives and restores units and edits the college's details.
import type { RefObject } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { User } from '../../api';
import { t, type MsgKey } from '../../i18n';
import { Link, Spinner } from '../../ui';
import { orgApi, type College, type Tree, type Unit, type UnitKind } from '../../admin/api';
import { admErrorText, isForbidden, useGrants, useTree, type AdmProblem } from '../../admin/context';
import { capabilities, type Caps } from '../../admin/scope';
import {
  buildTree, byId, childKinds, COLLEGE_ID, collegeUnit, flatten, moveTargets, unitLabel, unitPath,
  type TreeNode,
} from '../../admin/tree';
import {
  AdmAlert, AdmPage, AdmStatus, BusyButton, CheckField, ConfirmButton, Forbidden, InputField, SelectField,
  unitSelectOptions,
} from './widgets';

export const KIND_KEY: Record<UnitKind, MsgKey> = {
  college: 'adm.kind.college',
  branch: 'adm.kind.branch',
  department: 'adm.kind.department',
  study_group: 'adm.kind.study_group',
};

export function StructurePage({ user }: { user: User }) {
  const grants = useGrants(user);
  const caps = capabilities(user.roles, grants);
  const [archived, setArchived] = useState(false);
  const state = useTree(archived);
  const initial = Number(new URLSearchParams(location.search).get('unit')) || COLLEGE_ID;
  const [selected, setSelected] = useState<number>(initial);
  const [collapsed, setCollapsed] = useState<Set<number>>(new Set());
  const [status, setStatus] = useState('');
  const panelHeading = useRef<HTMLHeadingElement>(null);

  const root = useMemo(() => (state.tree ? buildTree(state.tree.college, state.tree.units) : null), [state.tree]);
  const nodes = useMemo(() => (root ? flatten(root) : []), [root]);
  const node = nodes.find((n) => n.unit.id === selected) ?? nodes[0] ?? null;

  function select(id: number, focus = true) {
    setSelected(id);
    setStatus('');
    const url = new URL(location.href);
    if (id === COLLEGE_ID) url.searchParams.delete('unit');
    else url.searchParams.set('unit', String(id));
    history.replaceState(null, '', url.pathname + url.search);
    if (focus) requestAnimationFrame(() => panelHeading.current?.focus({ preventScroll: false }));
  }

  if (state.problem && isForbidden(state.problem.err) && !state.tree) {
    return <AdmPage title="adm.structure.title"><Forbidden /></AdmPage>;
  }

  return (
    <AdmPage title="adm.structure.title" wide
      lead={caps.structureEdit ? t('adm.structure.leadEdit') : t('adm.structure.leadRead')}>
      {state.problem && !state.tree && (
        <div class="card">
          <AdmAlert problem={state.problem} />
          <p class="actions"><button type="button" class="btn btn-secondary" onClick={state.reload}>{t('common.retry')}</button></p>
        </div>
      )}
      {!state.tree && !state.problem && <Spinner label={t('adm.loading')} />}
      {state.tree && root && node && (
        <div class="adm-split">
          <section class="card adm-tree-card" aria-labelledby="adm-tree-heading" aria-busy={state.loading ? 'true' : undefined}>
            <div class="section-head">
              <h2 id="adm-tree-heading" class="section-heading">{t('adm.structure.tree')}</h2>
            </div>
            <CheckField id="adm-show-archived" label={t('adm.structure.showArchived')} checked={archived}
              onChange={setArchived} />
            <ul class="adm-tree" aria-label={t('adm.structure.tree')}>
              <TreeItem node={root} selected={node.unit.id} collapsed={collapsed} onSelect={select}
                onToggle={(id) => setCollapsed((old) => {
                  const next = new Set(old);
                  if (next.has(id)) next.delete(id);
                  else next.add(id);
                  return next;
                })} />
            </ul>
          </section>
          <UnitPanel tree={state.tree} node={node} caps={caps} headingRef={panelHeading}
            status={status}
            onChanged={(msg, selectId) => {
              state.reload();
              if (selectId !== undefined) select(selectId, false);
              setStatus(msg);
            }} />
        </div>
      )}
    </AdmPage>
  );
}

function TreeItem({ node, selected, collapsed, onSelect, onToggle }: {
  node: TreeNode; selected: number; collapsed: ReadonlySet<number>; onSelect: (id: number) => void;
  onToggle: (id: number) => void;
}) {
  const u = node.unit;
  const open = !collapsed.has(u.id);
  const label = u.kind === 'college' ? u.name : unitLabel(u);
  return (
    <li>
      <div class={`adm-node adm-node-${u.kind}${u.archived ? ' adm-archived' : ''}`}
        data-selected={u.id === selected ? 'true' : undefined}>
        {node.children.length > 0 ? (
          <button type="button" class="adm-toggle" aria-expanded={open}
            aria-label={t(open ? 'adm.structure.collapse' : 'adm.structure.expand', { name: label })}
            onClick={() => onToggle(u.id)}>
            <span aria-hidden="true">{open ? '▾' : '▸'}</span>
          </button>
        ) : <span class="adm-toggle-spacer" aria-hidden="true" />}
        <button type="button" class="adm-node-btn" aria-current={u.id === selected ? 'true' : undefined}
          onClick={() => onSelect(u.id)}>
          <span class="adm-node-name">{label}</span>
          <span class="adm-node-meta small muted">
            {t(KIND_KEY[u.kind])}
            {u.kind === 'study_group' && u.enrolment_year ? `, ${u.enrolment_year}` : ''}
            {u.kind === 'study_group' && u.curator ? ` · ${t('adm.unit.curatorShort', { name: u.curator.name })}` : ''}
            {u.archived ? `, ${t('adm.structure.archived')}` : ''}
          </span>
        </button>
      </div>
      {open && node.children.length > 0 && (
        <ul>
          {node.children.map((c) => (
            <TreeItem key={c.unit.id} node={c} selected={selected} collapsed={collapsed} onSelect={onSelect}
              onToggle={onToggle} />
          ))}
        </ul>
      )}
    </li>
  );
}

type Mode = 'view' | 'add' | 'edit' | 'move' | 'college';

function UnitPanel({ tree, node, caps, headingRef, status, onChanged }: {
  tree: Tree; node: TreeNode; caps: Caps;
  headingRef: RefObject<HTMLHeadingElement | null>; status: string;
  onChanged: (message: string, selectId?: number) => void;
}) {
  const u = node.unit;
  const [mode, setMode] = useState<Mode>('view');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<AdmProblem>(null);
  const map = useMemo(() => byId(tree.units), [tree.units]);
  const isCollege = u.kind === 'college';
  // One panel for every unit (its status line stays put for screen readers):
  // a new unit starts without an open form or an old error.
  useEffect(() => {
    setMode('view');
    setProblem(null);
  }, [u.id]);
  const label = isCollege ? u.name : unitLabel(u);

  async function archiveOrRestore() {
    setBusy(true);
    setProblem(null);
    try {
      if (u.archived) await orgApi.restore(u.id);
      else await orgApi.archive(u.id);
      setBusy(false);
      onChanged(t(u.archived ? 'adm.structure.restored' : 'adm.structure.archivedDone', { name: label }));
    } catch (err) {
      setBusy(false);
      setProblem({ err });
    }
  }

  const done = (msg: string, selectId?: number) => {
    setMode('view');
    onChanged(msg, selectId);
  };

  return (
    <section class="card adm-panel" aria-labelledby="adm-panel-heading">
      <p class="muted small adm-path">{isCollege ? t('adm.kind.college') : unitPath(tree.college, map, u.id)}</p>
      <h2 id="adm-panel-heading" ref={headingRef} tabIndex={-1} class="section-heading adm-panel-heading">{label}</h2>
      <AdmStatus text={status} />
      <dl class="facts adm-facts">
        <div><dt>{t('adm.unit.kind')}</dt><dd>{t(KIND_KEY[u.kind])}{u.archived ? ` (${t('adm.structure.archived')})` : ''}</dd></div>
        {u.short_name && <div><dt>{t('adm.unit.shortName')}</dt><dd>{u.short_name}</dd></div>}
        {u.kind === 'study_group' && (
          <>
            <div><dt>{t('adm.unit.code')}</dt><dd>{u.code}</dd></div>
            <div><dt>{t('adm.unit.year')}</dt><dd>{u.enrolment_year ?? '—'}</dd></div>
            <div>
              <dt>{t('adm.unit.curator')}</dt>
              <dd>{u.curator ? (caps.people ? <Link href={`/people/${u.curator.id}`}>{u.curator.name}</Link> : u.curator.name)
                : <span class="muted">{t('adm.unit.noCurator')}</span>}</dd>
            </div>
          </>
        )}
        {u.counts && !isCollege && (
          <div><dt>{t('adm.unit.people')}</dt><dd>{t('adm.unit.counts', { students: u.counts.students, staff: u.counts.staff })}</dd></div>
        )}
        {isCollege && Object.entries(tree.college.details).map(([k, v]) => (
          <div key={k}><dt>{k}</dt><dd>{v}</dd></div>
        ))}
      </dl>
      {(caps.people || caps.invites) && (
        <p class="actions">
          {caps.people && <Link href={isCollege ? '/people' : `/people?unit=${u.id}`} class="btn btn-secondary">{t('adm.unit.toPeople')}</Link>}
          {caps.invites && !u.archived && (
            <Link href={isCollege ? '/invites' : `/invites?unit=${u.id}`} class="btn btn-secondary">{t('adm.unit.toInvites')}</Link>
          )}
          {caps.admin && u.kind === 'study_group' && !u.curator && !u.archived && (
            <Link href={`/invites?role=curator&unit=${u.id}`} class="btn btn-secondary">{t('adm.unit.inviteCurator')}</Link>
          )}
        </p>
      )}
      {caps.structureEdit && (
        <div class="adm-panel-actions" key={u.id}>
          <div class="actions" role="group" aria-label={t('adm.structure.actions')}>
            {!u.archived && childKinds(u.kind).length > 0 && (
              <button type="button" class="btn btn-primary" aria-expanded={mode === 'add'}
                onClick={() => setMode(mode === 'add' ? 'view' : 'add')}>{t('adm.structure.add')}</button>
            )}
            {isCollege ? (
              <button type="button" class="btn btn-secondary" aria-expanded={mode === 'college'}
                onClick={() => setMode(mode === 'college' ? 'view' : 'college')}>{t('adm.college.edit')}</button>
            ) : (
              <>
                {!u.archived && (
                  <button type="button" class="btn btn-secondary" aria-expanded={mode === 'edit'}
                    onClick={() => setMode(mode === 'edit' ? 'view' : 'edit')}>{t('adm.structure.rename')}</button>
                )}
                {!u.archived && (
                  <button type="button" class="btn btn-secondary" aria-expanded={mode === 'move'}
                    onClick={() => setMode(mode === 'move' ? 'view' : 'move')}>{t('adm.structure.move')}</button>
                )}
                {u.archived ? (
                  <BusyButton busy={busy} label={t('adm.structure.restore')} busyLabel={t('adm.saving')}
                    onClick={archiveOrRestore} />
                ) : (
                  <ConfirmButton busy={busy} label={t('adm.structure.archive')} confirmLabel={t('adm.structure.archiveConfirm')}
                    busyLabel={t('adm.saving')} onConfirm={archiveOrRestore}
                    question={t('adm.structure.archiveQuestion', { name: label })} />
                )}
              </>
            )}
          </div>
          <AdmAlert problem={problem} />
          {mode === 'add' && <AddUnitForm parent={u} onDone={done} onCancel={() => setMode('view')} />}
          {mode === 'edit' && <EditUnitForm unit={u} onDone={done} onCancel={() => setMode('view')} />}
          {mode === 'move' && <MoveUnitForm tree={tree} unit={u} onDone={done} onCancel={() => setMode('view')} />}
          {mode === 'college' && <CollegeForm college={tree.college} onDone={done} onCancel={() => setMode('view')} />}
        </div>
      )}
    </section>
  );
}

type FieldErrors = Record<string, string>;

/* An API error as a message under its field when the form has that field,
 * else null (the caller shows it in the form's alert). */
function fieldError(err: unknown, fields: readonly string[], text: (e: unknown) => string): FieldErrors | null {
  const f = (err as { field?: string | null })?.field;
  return f && fields.includes(f) ? { [f]: text(err) } : null;
}

function focusFirst(form: HTMLFormElement | null, errors: FieldErrors) {
  const first = Object.keys(errors)[0];
  if (first) form?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
}

function useUnitForm() {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<AdmProblem>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('input, select')?.focus();
  }, []);
  return { busy, setBusy, errors, setErrors, problem, setProblem, formRef };
}

function validateUnit(v: { name: string; code: string; year: string }, group: boolean): FieldErrors {
  const e: FieldErrors = {};
  if (!v.name.trim()) e.name = t('v.required');
  if (group) {
    if (!v.code.trim()) e.code = t('v.required');
    const y = Number(v.year);
    if (!v.year.trim()) e.enrolment_year = t('v.required');
    else if (!Number.isInteger(y) || y < 1990 || y > 2100) e.enrolment_year = t('adm.v.year');
  }
  return e;
}

function AddUnitForm({ parent, onDone, onCancel }: {
  parent: Unit; onDone: (msg: string, selectId?: number) => void; onCancel: () => void;
}) {
  const kinds = childKinds(parent.kind);
  const [kind, setKind] = useState<Exclude<UnitKind, 'college'>>(kinds[0] ?? 'study_group');
  const [v, setV] = useState({ name: '', short: '', code: '', year: String(new Date().getFullYear()) });
  const f = useUnitForm();
  const group = kind === 'study_group';
  const set = (k: keyof typeof v) => (x: string) => setV((o) => ({ ...o, [k]: x }));

  async function submit(e: Event) {
    e.preventDefault();
    if (f.busy) return;
    const errors = validateUnit(v, group);
    f.setErrors(errors);
    f.setProblem(null);
    if (Object.keys(errors).length) {
      focusFirst(f.formRef.current, errors);
      return;
    }
    f.setBusy(true);
    try {
      const created = await orgApi.createUnit({
        kind, parent_id: parent.id, name: v.name.trim(),
        ...(v.short.trim() ? { short_name: v.short.trim() } : {}),
        ...(group ? { code: v.code.trim(), enrolment_year: Number(v.year) } : {}),
      });
      f.setBusy(false);
      onDone(t('adm.structure.created', { name: unitLabel(created) }), created.id);
    } catch (err) {
      f.setBusy(false);
      const fe = fieldError(err, ['name', 'short_name', 'code', 'enrolment_year'], admErrorText);
      if (fe) {
        f.setErrors(fe);
        focusFirst(f.formRef.current, fe);
      } else f.setProblem({ err });
    }
  }

  return (
    <form ref={f.formRef} class="form adm-form" onSubmit={submit} noValidate aria-labelledby="adm-add-heading">
      <h3 id="adm-add-heading" class="adm-form-heading">{t('adm.structure.addTo', { name: parent.name })}</h3>
      <SelectField id="kind" label={t('adm.unit.kind')} value={kind} onChange={(x) => setKind(x as typeof kind)}
        options={kinds.map((k) => ({ value: k, label: t(KIND_KEY[k]) }))} />
      <InputField id="name" label={t('adm.unit.name')} value={v.name} onInput={set('name')} maxLength={200}
        hint={group ? t('adm.unit.groupNameHint') : t('adm.unit.nameHint')} error={f.errors.name} />
      <InputField id="short_name" label={t('adm.unit.shortNameOpt')} value={v.short} onInput={set('short')} maxLength={64}
        error={f.errors.short_name} />
      {group && (
        <div class="adm-row">
          <InputField id="code" label={t('adm.unit.code')} hint={t('adm.unit.codeHint')} value={v.code}
            onInput={set('code')} maxLength={32} error={f.errors.code} />
          <InputField id="enrolment_year" label={t('adm.unit.year')} type="number" inputMode="numeric" min={1990}
            max={2100} value={v.year} onInput={set('year')} error={f.errors.enrolment_year} />
        </div>
      )}
      <AdmAlert problem={f.problem} />
      <div class="actions">
        <BusyButton type="submit" variant="primary" busy={f.busy} label={t('adm.structure.create')} busyLabel={t('adm.saving')} />
        <button type="button" class="btn btn-ghost" onClick={onCancel}>{t('adm.cancel')}</button>
      </div>
    </form>
  );
}

function EditUnitForm({ unit, onDone, onCancel }: {
  unit: Unit; onDone: (msg: string) => void; onCancel: () => void;
}) {
  const group = unit.kind === 'study_group';
  const [v, setV] = useState({
    name: unit.name, short: unit.short_name, code: unit.code ?? '', year: unit.enrolment_year ? String(unit.enrolment_year) : '',
  });
  const f = useUnitForm();
  const set = (k: keyof typeof v) => (x: string) => setV((o) => ({ ...o, [k]: x }));

  async function submit(e: Event) {
    e.preventDefault();
    if (f.busy) return;
    const errors = validateUnit(v, group);
    f.setErrors(errors);
    f.setProblem(null);
    if (Object.keys(errors).length) {
      focusFirst(f.formRef.current, errors);
      return;
    }
    const body: Parameters<typeof orgApi.updateUnit>[1] = {};
    if (v.name.trim() !== unit.name) body.name = v.name.trim();
    if (v.short.trim() !== unit.short_name) body.short_name = v.short.trim();
    if (group && v.code.trim() !== unit.code) body.code = v.code.trim();
    if (group && Number(v.year) !== unit.enrolment_year) body.enrolment_year = Number(v.year);
    if (Object.keys(body).length === 0) {
      onCancel();
      return;
    }
    f.setBusy(true);
    try {
      const saved = await orgApi.updateUnit(unit.id, body);
      f.setBusy(false);
      onDone(t('adm.structure.saved', { name: unitLabel(saved) }));
    } catch (err) {
      f.setBusy(false);
      const fe = fieldError(err, ['name', 'short_name', 'code', 'enrolment_year'], admErrorText);
      if (fe) {
        f.setErrors(fe);
        focusFirst(f.formRef.current, fe);
      } else f.setProblem({ err });
    }
  }

  return (
    <form ref={f.formRef} class="form adm-form" onSubmit={submit} noValidate aria-labelledby="adm-edit-heading">
      <h3 id="adm-edit-heading" class="adm-form-heading">{t('adm.structure.renameHeading')}</h3>
      <InputField id="name" label={t('adm.unit.name')} value={v.name} onInput={set('name')} maxLength={200} error={f.errors.name} />
      <InputField id="short_name" label={t('adm.unit.shortNameOpt')} value={v.short} onInput={set('short')} maxLength={64}
        error={f.errors.short_name} />
      {group && (
        <div class="adm-row">
          <InputField id="code" label={t('adm.unit.code')} value={v.code} onInput={set('code')} maxLength={32} error={f.errors.code} />
          <InputField id="enrolment_year" label={t('adm.unit.year')} type="number" inputMode="numeric" min={1990} max={2100}
            value={v.year} onInput={set('year')} error={f.errors.enrolment_year} />
        </div>
      )}
      <AdmAlert problem={f.problem} />
      <div class="actions">
        <BusyButton type="submit" variant="primary" busy={f.busy} label={t('adm.save')} busyLabel={t('adm.saving')} />
        <button type="button" class="btn btn-ghost" onClick={onCancel}>{t('adm.cancel')}</button>
      </div>
    </form>
  );
}

function MoveUnitForm({ tree, unit, onDone, onCancel }: {
  tree: Tree; unit: Unit; onDone: (msg: string) => void; onCancel: () => void;
}) {
  const targets = useMemo(() => moveTargets(tree.college, tree.units, unit), [tree, unit]);
  const root = useMemo(() => buildTree(tree.college, tree.units), [tree]);
  const allowed = useMemo(() => new Set(targets.map((x) => x.id)), [targets]);
  const options = flatten(root).filter((n) => allowed.has(n.unit.id))
    .map((n) => ({ id: n.unit.id, label: n.unit.kind === 'college' ? n.unit.name : unitLabel(n.unit), depth: n.depth }));
  const [to, setTo] = useState(options[0] ? String(options[0].id) : '');
  const f = useUnitForm();

  async function submit(e: Event) {
    e.preventDefault();
    if (f.busy || !to) return;
    f.setBusy(true);
    f.setProblem(null);
    try {
      await orgApi.updateUnit(unit.id, { parent_id: Number(to) });
      f.setBusy(false);
      const target = Number(to) === COLLEGE_ID ? collegeUnit(tree.college) : tree.units.find((x) => x.id === Number(to));
      onDone(t('adm.structure.moved', { name: unitLabel(unit), to: target ? target.name : to }));
    } catch (err) {
      f.setBusy(false);
      f.setProblem({ err });
    }
  }

  return (
    <form ref={f.formRef} class="form adm-form" onSubmit={submit} noValidate aria-labelledby="adm-move-heading">
      <h3 id="adm-move-heading" class="adm-form-heading">{t('adm.structure.moveHeading', { name: unitLabel(unit) })}</h3>
      {options.length === 0 ? <p class="muted">{t('adm.structure.noTargets')}</p> : (
        <SelectField id="parent_id" label={t('adm.structure.moveTo')} value={to} onChange={setTo}
          options={unitSelectOptions(options)} />
      )}
      <AdmAlert problem={f.problem} />
      <div class="actions">
        <BusyButton type="submit" variant="primary" busy={f.busy} label={t('adm.structure.moveSubmit')} busyLabel={t('adm.saving')}
          disabled={options.length === 0} />
        <button type="button" class="btn btn-ghost" onClick={onCancel}>{t('adm.cancel')}</button>
      </div>
    </form>
  );
}

const DETAIL_SUGGESTIONS: readonly MsgKey[] = [
  'adm.college.dAddress', 'adm.college.dPhone', 'adm.college.dEmail', 'adm.college.dSite', 'adm.college.dInn',
];

function CollegeForm({ college, onDone, onCancel }: {
  college: College; onDone: (msg: string) => void; onCancel: () => void;
}) {
  const initialRows = Object.entries(college.details).map(([k, v]) => ({ k, v }));
  const [name, setName] = useState(college.name);
  const [short, setShort] = useState(college.short_name);
  const [rows, setRows] = useState(initialRows.length ? initialRows : DETAIL_SUGGESTIONS.map((k) => ({ k: t(k), v: '' })));
  const f = useUnitForm();

  async function submit(e: Event) {
    e.preventDefault();
    if (f.busy) return;
    const errors: FieldErrors = {};
    if (!name.trim()) errors.name = t('v.required');
    f.setErrors(errors);
    f.setProblem(null);
    if (Object.keys(errors).length) {
      focusFirst(f.formRef.current, errors);
      return;
    }
    const details: Record<string, string> = {};
    for (const r of rows) if (r.k.trim() && r.v.trim()) details[r.k.trim()] = r.v.trim();
    f.setBusy(true);
    try {
      await orgApi.editCollege({ name: name.trim(), short_name: short.trim(), details });
      f.setBusy(false);
      onDone(t('adm.college.saved'));
    } catch (err) {
      f.setBusy(false);
      const fe = fieldError(err, ['name', 'short_name'], admErrorText);
      if (fe) f.setErrors(fe);
      else f.setProblem({ err });
    }
  }

  return (
    <form ref={f.formRef} class="form adm-form" onSubmit={submit} noValidate aria-labelledby="adm-college-heading">
      <h3 id="adm-college-heading" class="adm-form-heading">{t('adm.college.heading')}</h3>
      <InputField id="name" label={t('adm.college.name')} value={name} onInput={setName} maxLength={200} error={f.errors.name} />
      <InputField id="short_name" label={t('adm.college.shortName')} hint={t('adm.college.shortNameHint')} value={short}
        onInput={setShort} maxLength={64} error={f.errors.short_name} />
      <fieldset class="adm-fieldset">
        <legend>{t('adm.college.details')}</legend>
        {rows.map((r, i) => (
          <div class="adm-detail-row" key={i}>
            <InputField id={`detail-key-${i}`} label={t('adm.college.detailKey')} value={r.k} maxLength={64} compact
              onInput={(x) => setRows((o) => o.map((row, j) => (j === i ? { ...row, k: x } : row)))} />
            <InputField id={`detail-value-${i}`} label={t('adm.college.detailValue')} value={r.v} maxLength={500} compact
              onInput={(x) => setRows((o) => o.map((row, j) => (j === i ? { ...row, v: x } : row)))} />
            <button type="button" class="btn btn-ghost" aria-label={t('adm.college.removeDetail', { name: r.k || String(i + 1) })}
              onClick={() => setRows((o) => o.filter((_, j) => j !== i))}>✕</button>
          </div>
        ))}
        {rows.length < 32 && (
          <button type="button" class="btn btn-secondary" onClick={() => setRows((o) => [...o, { k: '', v: '' }])}>
            {t('adm.college.addDetail')}
          </button>
        )}
      </fieldset>
      <AdmAlert problem={f.problem} />
      <div class="actions">
        <BusyButton type="submit" variant="primary" busy={f.busy} label={t('adm.save')} busyLabel={t('adm.saving')} />
        <button type="button" class="btn btn-ghost" onClick={onCancel}>{t('adm.cancel')}</button>
      </div>
    </form>
  );
}
