// SPDX-License-Identifier: MIT
// The home page's part for the college's structure: what to do next for the
// signed-in person's roles (build the structure, invite the group's students
// and parents, decide waiting join requests...), each with a button that
// goes straight there, and the person's own join requests with their status.
import { useEffect, useState } from 'preact/hooks';
import type { User } from '../../api';
import { getLang, roleName, t } from '../../i18n';
import { formatDateTime } from '../../format';
import { Link } from '../../ui';
import { inviteApi, type JoinRequest } from '../../admin/api';
import { invalidateGrants, useGrants, useTree } from '../../admin/context';
import { capabilities, curatedGroups } from '../../admin/scope';
import { unitLabel } from '../../admin/tree';
import { REQUEST_STATUS_KEY } from './requests';

interface Task {
  id: string;
  text: string;
  href: string;
  action: string;
}

export function HomeTasks({ user }: { user: User }) {
  const grants = useGrants(user);
  const caps = capabilities(user.roles, grants);
  const { tree } = useTree();
  const [pending, setPending] = useState<number | null>(null);

  useEffect(() => {
    if (!caps.requests) return;
    const ctl = new AbortController();
    inviteApi.requests({ status: 'pending' }, ctl.signal).then((r) => setPending(r.requests.length), () => undefined);
    return () => ctl.abort();
  }, [caps.requests]);

  const tasks: Task[] = [];
  if (pending) {
    tasks.push({ id: 'requests', text: t('home.t.requests', { n: pending }), href: '/requests', action: t('home.t.requestsAction') });
  }
  if (tree && caps.admin) {
    const groups = tree.units.filter((u) => u.kind === 'study_group' && !u.archived);
    if (tree.units.length === 0) {
      tasks.push({ id: 'structure', text: t('home.t.structure'), href: '/structure', action: t('home.t.structureAction') });
    } else {
      const noCurator = groups.filter((g) => !g.curator);
      if (noCurator.length === 1) {
        const g = noCurator[0]!;
        tasks.push({ id: 'curator', text: t('home.t.curatorOne', { group: g.code || g.name }),
          href: `/invites?role=curator&unit=${g.id}`, action: t('home.t.curatorAction') });
      } else if (noCurator.length > 1) {
        tasks.push({ id: 'curator', text: t('home.t.curatorMany', { n: noCurator.length }), href: '/structure',
          action: t('home.t.structureOpen') });
      }
      tasks.push({ id: 'teachers', text: t('home.t.teachers'), href: '/invites?role=teacher', action: t('home.t.teachersAction') });
    }
    tasks.push({ id: 'import', text: t('home.t.import'), href: '/import', action: t('home.t.importAction') });
  }
  if (tree && grants) {
    for (const id of curatedGroups(grants)) {
      const g = tree.units.find((u) => u.id === id);
      if (!g || g.archived) continue;
      const code = g.code || g.name;
      tasks.push({ id: `students-${id}`, text: t('home.t.students', { group: code }), href: `/invites?role=student&unit=${id}`,
        action: t('home.t.studentsAction') });
      tasks.push({ id: `parents-${id}`, text: t('home.t.parents', { group: code }), href: `/invites?role=parent&unit=${id}`,
        action: t('home.t.parentsAction') });
    }
    if (!caps.admin && curatedGroups(grants).length === 0 && grants.some((g) => g.role === 'teacher' || g.role === 'administration')) {
      tasks.push({ id: 'parents', text: t('home.t.parentsUnit'), href: '/invites?role=parent', action: t('home.t.parentsAction') });
    }
  }
  if (caps.director && !caps.admin) {
    tasks.push({ id: 'audit', text: t('home.t.audit'), href: '/audit', action: t('home.t.auditAction') });
  }

  return (
    <>
      {tasks.length > 0 && (
        <section class="card" aria-labelledby="home-tasks">
          <h2 id="home-tasks" class="section-heading">{t('home.t.heading')}</h2>
          <ul class="adm-tasks">
            {tasks.map((task) => (
              <li key={task.id} class="adm-task">
                <span id={`task-${task.id}`}>{task.text}</span>
                <Link href={task.href} class="btn btn-secondary">{task.action}</Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      <MyRequests user={user} />
      {tree && grants && curatedGroups(grants).length > 0 && (
        <p class="muted small">
          {t('home.t.yourGroups', {
            groups: curatedGroups(grants).map((id) => tree.units.find((u) => u.id === id)).filter(Boolean)
              .map((u) => unitLabel(u!)).join(', '),
          })}
        </p>
      )}
    </>
  );
}

/* The person's own join requests: waiting, approved or rejected with the reason. */
function MyRequests({ user }: { user: User }) {
  const [list, setList] = useState<JoinRequest[] | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    inviteApi.mine(ctl.signal).then((r) => {
      setList(r.requests);
      // Approved since this page was loaded: the menu and the next steps
      // follow the new role without a reload.
      if (r.requests.some((q) => q.status === 'approved' && !user.roles.includes(q.role))) invalidateGrants();
    }, () => undefined);
    return () => ctl.abort();
  }, []);
  if (!list || list.length === 0) return null;
  const lang = getLang();
  return (
    <section class="card" aria-labelledby="home-my-requests">
      <h2 id="home-my-requests" class="section-heading">{t('home.t.myRequests')}</h2>
      <ul class="adm-list">
        {list.map((r) => (
          <li key={r.id} class="adm-item">
            <span>
              <strong>{roleName(r.role)}</strong> · {r.unit.name}
              {r.student && <span class="muted"> · {t('adm.req.child')}: {r.student.name}</span>}
            </span>
            <span class={r.status === 'approved' ? 'badge badge-ok' : r.status === 'rejected' ? 'badge badge-bad' : 'badge badge-accent'}>
              {t(REQUEST_STATUS_KEY[r.status])}
            </span>
            <span class="small adm-item-wide">
              {r.status === 'pending' && t('join.pending')}
              {r.status === 'approved' && t('home.t.approved', { date: formatDateTime(r.decided_at ?? '', lang) })}
              {r.status === 'rejected' && t('home.t.rejected', { reason: r.reason || '—' })}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
