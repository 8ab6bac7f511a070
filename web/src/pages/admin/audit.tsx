// SPDX-License-Identifier: MIT
// /audit (platform administrator, director): the log of administrative
// actions, newest first — search text, kind of action, date range — with
// "show more" paging (the server pages by before_id) and each entry's
// before/after on demand.
import { useEffect, useState } from 'preact/hooks';
import type { User } from '../../api';
import { getLang, isMsgKey, t } from '../../i18n';
import { formatDateTime } from '../../format';
import { Link, Spinner } from '../../ui';
import { orgApi, type AuditEntry } from '../../admin/api';
import { isForbidden, useGrants, type AdmProblem } from '../../admin/context';
import { parseTarget, prettyJson } from '../../admin/format';
import { capabilities } from '../../admin/scope';
import { AdmAlert, AdmPage, BusyButton, Forbidden, InputField, SelectField, useDebounced } from './widgets';

const PAGE = 50;
const ACTION_GROUPS = ['college.', 'unit.', 'person.', 'role.', 'invite.', 'join.', 'movement.', 'import.', 'account.', 'chat.'];

/* A readable name for an action ("unit.create" → «Создание подразделения»), the raw name otherwise. */
export function actionName(action: string): string {
  const key = `adm.audit.a.${action}`;
  return isMsgKey(key) ? t(key) : action;
}

function groupName(prefix: string): string {
  const key = `adm.audit.g.${prefix.slice(0, -1)}`;
  return isMsgKey(key) ? t(key) : prefix;
}

export function AuditPage({ user }: { user: User }) {
  const grants = useGrants(user);
  const caps = capabilities(user.roles, grants);
  const [q, setQ] = useState('');
  const [action, setAction] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const query = useDebounced(q.trim(), 300);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [more, setMore] = useState(false);
  const [problem, setProblem] = useState<AdmProblem>(null);

  const params = { q: query, action, from, to, limit: PAGE };

  useEffect(() => {
    if (grants && !caps.audit) return;
    const ctl = new AbortController();
    setLoading(true);
    orgApi.audit(params, ctl.signal).then(
      (r) => {
        setEntries(r.entries);
        setNext(r.next_before_id);
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
  }, [query, action, from, to, grants === null]);

  async function loadMore() {
    if (next === null) return;
    setMore(true);
    try {
      const r = await orgApi.audit({ ...params, before_id: next });
      setEntries((old) => [...(old ?? []), ...r.entries]);
      setNext(r.next_before_id);
      setMore(false);
    } catch (err) {
      setMore(false);
      setProblem({ err });
    }
  }

  if ((grants && !caps.audit) || (problem && isForbidden(problem.err) && !entries)) {
    return <AdmPage title="adm.audit.title"><Forbidden /></AdmPage>;
  }
  const lang = getLang();
  return (
    <AdmPage title="adm.audit.title" wide lead={t('adm.audit.lead')}>
      <section class="card" aria-labelledby="adm-audit-list" aria-busy={loading ? 'true' : undefined}>
        <h2 id="adm-audit-list" class="sr-only">{t('adm.audit.list')}</h2>
        <form class="adm-filters" role="search" onSubmit={(e) => e.preventDefault()}>
          <InputField id="audit-q" label={t('adm.audit.search')} type="search" value={q} onInput={setQ}
            placeholder={t('adm.audit.searchHint')} compact />
          <SelectField id="audit-action" label={t('adm.audit.action')} value={action} onChange={setAction} compact
            options={[{ value: '', label: t('adm.audit.allActions') }, ...ACTION_GROUPS.map((g) => ({ value: g, label: groupName(g) }))]} />
          <InputField id="audit-from" label={t('adm.mv.dateFrom')} type="date" value={from} onInput={setFrom} compact />
          <InputField id="audit-to" label={t('adm.mv.dateTo')} type="date" value={to} onInput={setTo} compact />
        </form>
        <AdmAlert problem={problem} />
        {!entries && loading && <Spinner label={t('adm.loading')} />}
        {entries && entries.length === 0 && <p class="muted">{t('adm.audit.none')}</p>}
        {entries && entries.length > 0 && (
          <ul class="adm-list adm-audit">
            {entries.map((e) => {
              const target = parseTarget(e.target);
              const before = prettyJson(e.before);
              const after = prettyJson(e.after);
              return (
                <li key={e.id} class="adm-item adm-audit-item">
                  <div class="adm-audit-main">
                    <p><strong>{actionName(e.action)}</strong> <code class="muted small">{e.action}</code></p>
                    <p class="small">
                      {e.actor ? <Link href={`/people/${e.actor.id}`}>{e.actor.name}</Link> : <span class="muted">{t('adm.audit.system')}</span>}
                      {' · '}
                      {target.kind === 'user' && target.id !== null ? <Link href={`/people/${target.id}`}>{e.target}</Link> : e.target}
                    </p>
                    <p class="muted small"><time dateTime={e.at}>{formatDateTime(e.at, lang)}</time>{e.ip ? ` · ${e.ip}` : ''}</p>
                  </div>
                  {(before || after) && (
                    <details class="adm-details">
                      <summary>{t('adm.audit.details')}</summary>
                      <div class="adm-diff">
                        {before && <div><p class="small muted">{t('adm.audit.before')}</p><pre>{before}</pre></div>}
                        {after && <div><p class="small muted">{t('adm.audit.after')}</p><pre>{after}</pre></div>}
                      </div>
                    </details>
                  )}
                </li>
              );
            })}
          </ul>
        )}
        {next !== null && entries && (
          <div class="actions">
            <BusyButton busy={more} label={t('adm.audit.more')} busyLabel={t('adm.loading')} onClick={loadMore} />
          </div>
        )}
      </section>
    </AdmPage>
  );
}
