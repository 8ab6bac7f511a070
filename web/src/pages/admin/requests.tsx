// SPDX-License-Identifier: MIT
// /requests: the join requests the user may decide (the platform
// administrator: all; a curator: their group's students and parents), pending
// first, with approve and reject (a reason the applicant sees).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { User } from '../../api';
import { getLang, roleName, t, type MsgKey } from '../../i18n';
import { formatDateTime } from '../../format';
import { Spinner } from '../../ui';
import { inviteApi, type JoinRequest, type RequestStatus } from '../../admin/api';
import { admErrorText, isForbidden, useGrants, type AdmProblem } from '../../admin/context';
import { capabilities } from '../../admin/scope';
import { AdmAlert, AdmPage, AdmStatus, BusyButton, Forbidden, SelectField, TextAreaField } from './widgets';

export const REQUEST_STATUS_KEY: Record<RequestStatus, MsgKey> = {
  pending: 'adm.req.status.pending',
  approved: 'adm.req.status.approved',
  rejected: 'adm.req.status.rejected',
};

export function RequestsPage({ user }: { user: User }) {
  const grants = useGrants(user);
  const caps = capabilities(user.roles, grants);
  const [status, setStatus] = useState<RequestStatus | ''>('pending');
  const [list, setList] = useState<JoinRequest[] | null>(null);
  const [loading, setLoading] = useState(true);
  const [problem, setProblem] = useState<AdmProblem>(null);
  const [message, setMessage] = useState('');
  const [version, setVersion] = useState(0);

  useEffect(() => {
    if (grants && !caps.requests) return;
    const ctl = new AbortController();
    setLoading(true);
    inviteApi.requests({ status }, ctl.signal).then(
      (r) => {
        setList(r.requests);
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
  }, [status, version, grants === null]);

  if ((grants && !caps.requests) || (problem && isForbidden(problem.err) && !list)) {
    return <AdmPage title="adm.req.title"><Forbidden /></AdmPage>;
  }

  return (
    <AdmPage title="adm.req.title" lead={t(caps.admin ? 'adm.req.leadAdmin' : 'adm.req.leadCurator')}>
      <AdmStatus text={message} />
      <section class="card" aria-labelledby="adm-req-list" aria-busy={loading ? 'true' : undefined}>
        <div class="section-head">
          <h2 id="adm-req-list" class="section-heading">{t('adm.req.list')}</h2>
          <button type="button" class="btn btn-ghost" disabled={loading} onClick={() => {
            setMessage('');
            setVersion((n) => n + 1);
          }}>{t('sessions.refresh')}</button>
        </div>
        <div class="adm-filters">
          <SelectField id="req-status" label={t('adm.req.show')} value={status} compact
            onChange={(x) => setStatus(x as RequestStatus | '')}
            options={[
              { value: 'pending', label: t('adm.req.status.pending') },
              { value: 'approved', label: t('adm.req.status.approved') },
              { value: 'rejected', label: t('adm.req.status.rejected') },
              { value: '', label: t('adm.req.all') },
            ]} />
        </div>
        <AdmAlert problem={problem} />
        {!list && loading && <Spinner label={t('adm.loading')} />}
        {list && list.length === 0 && <p class="muted">{t(status === 'pending' ? 'adm.req.nonePending' : 'adm.req.none')}</p>}
        {list && list.length > 0 && (
          <ul class="adm-cards">
            {list.map((r) => (
              <RequestCard key={r.id} req={r} onDecided={(d, text) => {
                setList((old) => old && old.map((x) => (x.id === d.id ? d : x)));
                setMessage(text);
              }} />
            ))}
          </ul>
        )}
      </section>
    </AdmPage>
  );
}

function RequestCard({ req, onDecided }: { req: JoinRequest; onDecided: (r: JoinRequest, message: string) => void }) {
  const [busy, setBusy] = useState<'approve' | 'reject' | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState('');
  const [problem, setProblem] = useState<AdmProblem>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const lang = getLang();
  const headId = `adm-req-${req.id}`;

  useEffect(() => {
    if (rejecting) reasonRef.current?.focus();
  }, [rejecting]);

  async function approve() {
    setBusy('approve');
    setProblem(null);
    try {
      const r = await inviteApi.approve(req.id);
      setBusy(null);
      onDecided(r.request, t('adm.req.approvedDone', { name: req.user.name }));
    } catch (err) {
      setBusy(null);
      setProblem({ err });
    }
  }

  async function reject(e: Event) {
    e.preventDefault();
    if (busy) return;
    if (!reason.trim()) {
      setReasonError(t('adm.req.v.reason'));
      reasonRef.current?.focus();
      return;
    }
    setBusy('reject');
    setProblem(null);
    setReasonError('');
    try {
      const r = await inviteApi.reject(req.id, reason.trim());
      setBusy(null);
      onDecided(r.request, t('adm.req.rejectedDone', { name: req.user.name }));
    } catch (err) {
      setBusy(null);
      if ((err as { field?: string }).field === 'reason') setReasonError(admErrorText(err));
      else setProblem({ err });
    }
  }

  return (
    <li class="adm-card" aria-labelledby={headId}>
      <div class="adm-card-head">
        <h3 id={headId} class="adm-card-title">{req.user.name}</h3>
        <span class={req.status === 'approved' ? 'badge badge-ok' : req.status === 'rejected' ? 'badge badge-bad' : 'badge badge-accent'}>
          {t(REQUEST_STATUS_KEY[req.status])}
        </span>
      </div>
      <dl class="adm-inline-facts small">
        <div><dt>{t('adm.people.login')}</dt><dd>{req.user.login}</dd></div>
        <div><dt>{t('adm.req.wants')}</dt><dd>{roleName(req.role)} · {req.unit.name}</dd></div>
        {req.student && <div><dt>{t('adm.req.child')}</dt><dd>{req.student.name}</dd></div>}
        <div><dt>{t('adm.req.created')}</dt><dd>{formatDateTime(req.created_at, lang)}</dd></div>
        {req.decided_at && (
          <div><dt>{t('adm.req.decided')}</dt><dd>{formatDateTime(req.decided_at, lang)}{req.decided_by ? ` · ${req.decided_by.name}` : ''}</dd></div>
        )}
        {req.reason && <div><dt>{t('adm.req.reason')}</dt><dd>{req.reason}</dd></div>}
      </dl>
      {req.status === 'pending' && !rejecting && (
        <div class="actions">
          <BusyButton variant="primary" busy={busy === 'approve'} label={t('adm.req.approve')} busyLabel={t('adm.saving')}
            describedBy={headId} onClick={approve} disabled={busy !== null} />
          <button type="button" class="btn btn-danger" aria-describedby={headId} disabled={busy !== null}
            onClick={() => setRejecting(true)}>{t('adm.req.reject')}</button>
        </div>
      )}
      {req.status === 'pending' && rejecting && (
        <form class="form adm-form adm-inline-form" onSubmit={reject} noValidate
          aria-label={t('adm.req.rejectHeading', { name: req.user.name })}>
          <TextAreaField id={`reason-${req.id}`} label={t('adm.req.reasonLabel')} hint={t('adm.req.reasonHint')}
            value={reason} onInput={setReason} maxLength={500} error={reasonError} inputRef={reasonRef} />
          <div class="actions">
            <BusyButton type="submit" variant="danger" busy={busy === 'reject'} label={t('adm.req.rejectSubmit')} busyLabel={t('adm.saving')} />
            <button type="button" class="btn btn-ghost" onClick={() => setRejecting(false)}>{t('adm.cancel')}</button>
          </div>
        </form>
      )}
      <AdmAlert problem={problem} />
    </li>
  );
}
