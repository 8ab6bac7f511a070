// SPDX-License-Identifier: MIT
// /invites: invitation links — a form to create one for a role and a unit
// (only the roles and units the user's role allows: the platform administrator
// any; a curator their group's student and parent links; teachers and the
// administration parent links of groups in their unit), with lifetime, number
// of uses and approval; the list of links with their use counts, copy, QR
// code, print view and revoke. /invites/:id/print: one link as a printable
// sheet (college, role, group, QR code, URL).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { User } from '../../api';
import { getLang, roleName, t, type MsgKey } from '../../i18n';
import { formatDateTime } from '../../format';
import { Link, Spinner } from '../../ui';
import { inviteApi, type Invite, type InviteRole, type InviteState, type Tree } from '../../admin/api';
import { admErrorText, isForbidden, useGrants, useTree, type AdmProblem } from '../../admin/context';
import { approvalForced, DAY_S, DEFAULT_EXPIRY_S, defaultMaxUses, EXPIRY_CHOICES } from '../../admin/format';
import { capabilities, inviteRoles, inviteTargets, type Caps, type Grant } from '../../admin/scope';
import { buildTree, byId, collegeUnit, flatten, unitLabel } from '../../admin/tree';
import {
  AdmAlert, AdmPage, BusyButton, CheckField, ConfirmButton, copyText, Forbidden, InputField, routeParam,
  SelectField, unitSelectOptions,
} from './widgets';

const STATE_KEY: Record<InviteState, MsgKey> = {
  live: 'adm.inv.state.live',
  revoked: 'adm.inv.state.revoked',
  expired: 'adm.inv.state.expired',
  exhausted: 'adm.inv.state.exhausted',
};

/* "Link for students" etc.: the role a link makes. */
export const INVITE_FOR_KEY: Record<InviteRole, MsgKey> = {
  administration: 'adm.inv.for.administration',
  teacher: 'adm.inv.for.teacher',
  staff: 'adm.inv.for.staff',
  curator: 'adm.inv.for.curator',
  student: 'adm.inv.for.student',
  parent: 'adm.inv.for.parent',
};

function expiryLabel(s: number): string {
  const days = Math.round(s / DAY_S);
  if (days >= 365) return t('adm.inv.expiry.year');
  return t('adm.inv.expiry.days', { n: days });
}

export function InvitesPage({ user }: { user: User }) {
  const grants = useGrants(user);
  const caps = capabilities(user.roles, grants);
  const { tree } = useTree();
  const params = new URLSearchParams(location.search);
  const unitFilter = params.get('unit');
  const [list, setList] = useState<Invite[] | null>(null);
  const [problem, setProblem] = useState<AdmProblem>(null);
  const [version, setVersion] = useState(0);
  const [showDead, setShowDead] = useState(false);
  const [fresh, setFresh] = useState<Invite | null>(null);

  useEffect(() => {
    if (grants && !caps.invites) return;
    const ctl = new AbortController();
    inviteApi.list({ unit_id: unitFilter ? Number(unitFilter) : null }, ctl.signal).then(
      (r) => {
        setList(r.invites);
        setProblem(null);
      },
      (err) => !ctl.signal.aborted && setProblem({ err }),
    );
    return () => ctl.abort();
  }, [version, unitFilter, grants === null]);

  if ((grants && !caps.invites) || (problem && isForbidden(problem.err) && !list)) {
    return <AdmPage title="adm.inv.title"><Forbidden /></AdmPage>;
  }
  const shown = (list ?? []).filter((i) => showDead || i.state === 'live');
  const unitName = unitFilter && tree ? tree.units.find((u) => String(u.id) === unitFilter) : null;

  return (
    <AdmPage title="adm.inv.title" wide lead={t('adm.inv.lead')}>
      {grants && tree && (
        <CreateInviteForm caps={caps} grants={grants} tree={tree} initialRole={params.get('role')}
          initialUnit={unitFilter} onCreated={(inv) => {
            setFresh(inv);
            setVersion((n) => n + 1);
          }} />
      )}
      {fresh && <FreshLink invite={fresh} />}
      <section class="card" aria-labelledby="adm-inv-list">
        <div class="section-head">
          <h2 id="adm-inv-list" class="section-heading">
            {unitName ? t('adm.inv.listOf', { unit: unitLabel(unitName) }) : t('adm.inv.list')}
          </h2>
          {unitFilter && <Link href="/invites" class="btn btn-ghost">{t('adm.inv.allUnits')}</Link>}
        </div>
        <CheckField id="adm-inv-dead" label={t('adm.inv.showDead')} checked={showDead} onChange={setShowDead} />
        <AdmAlert problem={problem} />
        {!list && !problem && <Spinner label={t('adm.loading')} />}
        {list && shown.length === 0 && <p class="muted">{t('adm.inv.none')}</p>}
        {shown.length > 0 && (
          <ul class="adm-cards">
            {shown.map((inv) => <InviteCard key={inv.id} invite={inv} onRevoked={() => setVersion((n) => n + 1)} />)}
          </ul>
        )}
      </section>
    </AdmPage>
  );
}

function CreateInviteForm({ caps, grants, tree, initialRole, initialUnit, onCreated }: {
  caps: Caps; grants: readonly Grant[]; tree: Tree; initialRole: string | null; initialUnit: string | null;
  onCreated: (inv: Invite) => void;
}) {
  const roles = inviteRoles(caps, grants);
  const startRole = (roles as string[]).includes(initialRole ?? '') ? initialRole as InviteRole : roles[0];
  const [role, setRole] = useState<InviteRole | undefined>(startRole);
  const [unit, setUnit] = useState(initialUnit ?? '');
  const [expiry, setExpiry] = useState(String(DEFAULT_EXPIRY_S));
  const [maxUses, setMaxUses] = useState(String(startRole ? defaultMaxUses(startRole) : 1));
  const [approval, setApproval] = useState(true);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<AdmProblem>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const root = useMemo(() => buildTree(tree.college, tree.units), [tree]);
  const all = useMemo(() => [collegeUnit(tree.college), ...tree.units], [tree]);
  const targets = role ? new Set(inviteTargets(role, caps, grants, all).map((u) => u.id)) : new Set<number>();
  const options = flatten(root).filter((n) => targets.has(n.unit.id))
    .map((n) => ({ id: n.unit.id, label: n.unit.kind === 'college' ? n.unit.name : unitLabel(n.unit), depth: n.depth }));
  const unitValue = options.some((o) => String(o.id) === unit) ? unit : String(options[0]?.id ?? '');

  if (!role) return null;

  function changeRole(r: InviteRole) {
    setRole(r);
    setMaxUses(String(defaultMaxUses(r)));
  }

  async function submit(e: Event) {
    e.preventDefault();
    if (busy || !role) return;
    const errs: Record<string, string> = {};
    const n = Number(maxUses);
    if (!Number.isInteger(n) || n < 1 || n > 10000) errs.max_uses = t('adm.inv.v.maxUses');
    if (!unitValue) errs.unit_id = t('v.required');
    setErrors(errs);
    setProblem(null);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const inv = await inviteApi.create({
        role, unit_id: Number(unitValue), expires_in_s: Number(expiry), max_uses: n,
        needs_approval: approvalForced(role) ? true : approval, ...(note.trim() ? { note: note.trim() } : {}),
      });
      setBusy(false);
      setNote('');
      onCreated(inv);
    } catch (err) {
      setBusy(false);
      const f = (err as { field?: string }).field;
      if (f && ['unit_id', 'max_uses', 'expires_in_s', 'note', 'role'].includes(f)) setErrors({ [f]: admErrorText(err) });
      else setProblem({ err });
    }
  }

  return (
    <section class="card" aria-labelledby="adm-inv-create">
      <h2 id="adm-inv-create" class="section-heading">{t('adm.inv.create')}</h2>
      {options.length === 0 && <p class="muted">{t('adm.inv.noTargets')}</p>}
      <form class="form adm-form" onSubmit={submit} noValidate>
        <div class="adm-row">
          <SelectField id="invite-role" label={t('adm.inv.role')} value={role} onChange={(x) => changeRole(x as InviteRole)}
            error={errors.role} options={roles.map((r) => ({ value: r, label: t(INVITE_FOR_KEY[r]) }))} />
          <SelectField id="invite-unit" label={t('adm.inv.unit')} value={unitValue} onChange={setUnit} error={errors.unit_id}
            options={unitSelectOptions(options)} disabled={options.length === 0} />
        </div>
        <div class="adm-row">
          <SelectField id="invite-expiry" label={t('adm.inv.expiry')} value={expiry} onChange={setExpiry}
            error={errors.expires_in_s} options={EXPIRY_CHOICES.map((s) => ({ value: String(s), label: expiryLabel(s) }))} />
          <InputField id="invite-max-uses" label={t('adm.inv.maxUses')} type="number" inputMode="numeric" min={1} max={10000}
            value={maxUses} onInput={setMaxUses} error={errors.max_uses} hint={t('adm.inv.maxUsesHint')} />
        </div>
        <CheckField id="invite-approval" label={t('adm.inv.approval')} checked={approvalForced(role) || approval}
          disabled={approvalForced(role)} onChange={setApproval}
          hint={approvalForced(role) ? t('adm.inv.approvalParent') : t('adm.inv.approvalHint')} />
        <InputField id="invite-note" label={t('adm.inv.note')} hint={t('adm.inv.noteHint')} value={note} onInput={setNote}
          maxLength={200} error={errors.note} />
        <AdmAlert problem={problem} />
        <div class="actions">
          <BusyButton type="submit" variant="primary" busy={busy} disabled={options.length === 0}
            label={t('adm.inv.createSubmit')} busyLabel={t('adm.inv.creating')} />
        </div>
      </form>
    </section>
  );
}

/* "Copy link" with its result said in a status line (given by the caller,
 * so that it sits below the buttons rather than between them). */
function useCopy(): [boolean | null, (text: string) => Promise<void>] {
  const [copied, setCopied] = useState<boolean | null>(null);
  useEffect(() => {
    if (copied === null) return;
    const id = setTimeout(() => setCopied(null), 2500);
    return () => clearTimeout(id);
  }, [copied]);
  return [copied, async (text: string) => setCopied(await copyText(text))];
}

/* The link just created, ready to be passed on. */
function FreshLink({ invite }: { invite: Invite }) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.focus(), [invite.id]);
  return (
    <section ref={ref} tabIndex={-1} class="card adm-fresh" aria-labelledby="adm-inv-fresh">
      <h2 id="adm-inv-fresh" class="section-heading">{t('adm.inv.fresh', { role: t(INVITE_FOR_KEY[invite.role]), unit: invite.unit.name })}</h2>
      <p class="muted small">{t('adm.inv.freshLead')}</p>
      <LinkBody invite={invite} qrOpen />
    </section>
  );
}

function LinkBody({ invite, qrOpen = false }: { invite: Invite; qrOpen?: boolean }) {
  const [qr, setQr] = useState(qrOpen);
  const [copied, copy] = useCopy();
  const urlId = `adm-inv-url-${invite.id}`;
  return (
    <div class="adm-link-body">
      {invite.url ? (
        <div class="field adm-field-compact">
          <label for={urlId}>{t('adm.inv.url')}</label>
          <input id={urlId} class="adm-url" type="text" readOnly value={invite.url}
            onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
        </div>
      ) : <p class="muted small">{t('adm.inv.noToken')}</p>}
      <div class="actions">
        {invite.url && (
          <button type="button" class="btn btn-secondary" onClick={() => copy(invite.url!)}>{t('adm.inv.copy')}</button>
        )}
        {invite.url && invite.state === 'live' && (
          <button type="button" class="btn btn-secondary" aria-expanded={qr} onClick={() => setQr(!qr)}>
            {t(qr ? 'adm.inv.hideQr' : 'adm.inv.showQr')}
          </button>
        )}
        {invite.url && invite.state === 'live' && (
          <Link href={`/invites/${invite.id}/print`} class="btn btn-secondary">{t('adm.inv.print')}</Link>
        )}
      </div>
      <p role="status" class="small adm-copied">
        {copied === true ? t('adm.inv.copied') : copied === false ? t('adm.inv.copyFailed') : ''}
      </p>
      {qr && invite.url && (
        <img class="adm-qr" src={inviteApi.qrUrl(invite.id)} width={200} height={200}
          alt={t('adm.inv.qrAlt', { role: t(INVITE_FOR_KEY[invite.role]), unit: invite.unit.name })} />
      )}
    </div>
  );
}

function InviteCard({ invite, onRevoked }: { invite: Invite; onRevoked: () => void }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<AdmProblem>(null);
  const lang = getLang();
  const headId = `adm-inv-${invite.id}`;
  return (
    <li class={`adm-card adm-inv-${invite.state}`} aria-labelledby={headId}>
      <div class="adm-card-head">
        <h3 id={headId} class="adm-card-title">{t(INVITE_FOR_KEY[invite.role])} · {invite.unit.name}</h3>
        <span class={invite.state === 'live' ? 'badge badge-ok' : 'badge'}>{t(STATE_KEY[invite.state])}</span>
      </div>
      {invite.personal_name && <p class="small">{t('adm.inv.personal', { name: invite.personal_name })}</p>}
      {invite.note && <p class="small">{invite.note}</p>}
      <dl class="adm-inline-facts small">
        <div><dt>{t('adm.inv.uses')}</dt><dd>{t('adm.inv.usesOf', { uses: invite.uses, max: invite.max_uses })}</dd></div>
        <div><dt>{t('adm.inv.expires')}</dt><dd>{formatDateTime(invite.expires_at, lang)}</dd></div>
        <div><dt>{t('adm.inv.approvalShort')}</dt><dd>{t(invite.needs_approval ? 'adm.yes' : 'adm.no')}</dd></div>
        {invite.created_by && <div><dt>{t('adm.inv.createdBy')}</dt><dd>{invite.created_by.name}</dd></div>}
      </dl>
      <LinkBody invite={invite} />
      {invite.state === 'live' && (
        <div class="actions">
          <ConfirmButton busy={busy} label={t('adm.inv.revoke')} confirmLabel={t('adm.inv.revokeConfirm')}
            busyLabel={t('adm.saving')} describedBy={headId} question={t('adm.inv.revokeQuestion')}
            onConfirm={async () => {
              setBusy(true);
              setProblem(null);
              try {
                await inviteApi.revoke(invite.id);
                setBusy(false);
                onRevoked();
              } catch (err) {
                setBusy(false);
                setProblem({ err });
              }
            }} />
        </div>
      )}
      <AdmAlert problem={problem} />
    </li>
  );
}

export function InvitePrintPage({ user }: { user: User }) {
  const inviteId = Number(routeParam('/invites/:id/print', 'id'));
  const grants = useGrants(user);
  const caps = capabilities(user.roles, grants);
  const { tree } = useTree();
  const [invite, setInvite] = useState<Invite | null | undefined>(undefined);
  const [problem, setProblem] = useState<AdmProblem>(null);
  useEffect(() => {
    const ctl = new AbortController();
    inviteApi.list({}, ctl.signal).then(
      (r) => setInvite(r.invites.find((i) => i.id === inviteId) ?? null),
      (err) => !ctl.signal.aborted && setProblem({ err }),
    );
    return () => ctl.abort();
  }, [inviteId]);

  if ((grants && !caps.invites) || (problem && isForbidden(problem.err))) {
    return <AdmPage title="adm.inv.printTitle"><Forbidden /></AdmPage>;
  }
  if (problem) return <AdmPage title="adm.inv.printTitle"><div class="card"><AdmAlert problem={problem} /></div></AdmPage>;
  if (invite === undefined || !tree) return <AdmPage title="adm.inv.printTitle"><Spinner label={t('adm.loading')} /></AdmPage>;
  if (invite === null || !invite.url) {
    return <AdmPage title="adm.inv.printTitle"><div class="card"><p>{t('adm.inv.printMissing')}</p>
      <p class="actions"><Link href="/invites" class="btn btn-secondary">{t('adm.inv.back')}</Link></p></div></AdmPage>;
  }
  const unit = byId(tree.units).get(invite.unit.id);
  const lang = getLang();
  return (
    <AdmPage title="adm.inv.printTitle">
      <div class="actions adm-no-print">
        <button type="button" class="btn btn-primary" onClick={() => window.print()}>{t('adm.inv.printNow')}</button>
        <Link href="/invites" class="btn btn-secondary">{t('adm.inv.back')}</Link>
      </div>
      <article class="adm-print-sheet" aria-label={t('adm.inv.printSheet')}>
        <p class="adm-print-college">{tree.college.name}</p>
        <h2 class="adm-print-title">{t('adm.inv.printHeading')}</h2>
        <p class="adm-print-role">{t(INVITE_FOR_KEY[invite.role])}</p>
        <p class="adm-print-unit">{unit ? unitLabel(unit) : invite.unit.name}</p>
        <img class="adm-print-qr" src={inviteApi.qrUrl(invite.id)} width={280} height={280}
          alt={t('adm.inv.qrAlt', { role: t(INVITE_FOR_KEY[invite.role]), unit: invite.unit.name })} />
        <p class="adm-print-how">{t('adm.inv.printHow')}</p>
        <p class="adm-print-url">{invite.url}</p>
        <p class="adm-print-small">
          {t('adm.inv.printUntil', { date: formatDateTime(invite.expires_at, lang) })}
          {invite.needs_approval ? ` ${t('adm.inv.printApproval')}` : ''}
        </p>
      </article>
      <p class="muted small adm-no-print">{roleName(invite.role)} · {t('adm.inv.usesOf', { uses: invite.uses, max: invite.max_uses })}</p>
    </AdmPage>
  );
}
