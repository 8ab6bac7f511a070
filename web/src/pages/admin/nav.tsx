// SPDX-License-Identifier: MIT
// The structure and people screens' place in the app: their routes (spread
// into APP_ROUTES) and their entries in the main menu, shown only to the
// roles that can use them.
import type { ComponentType } from 'preact';
import type { User } from '../../api';
import { t, type MsgKey } from '../../i18n';
import { Link } from '../../ui';
import { useGrants } from '../../admin/context';
import { capabilities, type Caps } from '../../admin/scope';
import { AuditPage } from './audit';
import { ImportPage } from './import';
import { InvitePrintPage, InvitesPage } from './invites';
import { MovementsPage } from './movements';
import { PeoplePage } from './people';
import { PersonPage } from './person';
import { RequestsPage } from './requests';
import { StructurePage } from './structure';

export const ADMIN_ROUTES: readonly { path: string; page: ComponentType<{ user: User }> }[] = [
  { path: '/structure', page: StructurePage },
  { path: '/people', page: PeoplePage },
  { path: '/people/:id', page: PersonPage },
  { path: '/invites', page: InvitesPage },
  { path: '/invites/:id/print', page: InvitePrintPage },
  { path: '/requests', page: RequestsPage },
  { path: '/movements', page: MovementsPage },
  { path: '/import', page: ImportPage },
  { path: '/audit', page: AuditPage },
];

const ITEMS: readonly { href: string; label: MsgKey; show: (c: Caps) => boolean }[] = [
  { href: '/structure', label: 'adm.nav.structure', show: (c) => c.structure },
  { href: '/people', label: 'adm.nav.people', show: (c) => c.people },
  { href: '/invites', label: 'adm.nav.invites', show: (c) => c.invites },
  { href: '/requests', label: 'adm.nav.requests', show: (c) => c.requests },
  { href: '/movements', label: 'adm.nav.movements', show: (c) => c.movements },
  { href: '/import', label: 'adm.nav.import', show: (c) => c.import },
  { href: '/audit', label: 'adm.nav.audit', show: (c) => c.audit },
];

/* The menu entries (<li>s) this user may use; the active one follows the path
 * ("/people/7" keeps "People" current). */
export function AdminNavItems({ user, path }: { user: User; path: string }) {
  const grants = useGrants(user);
  const caps = capabilities(user.roles, grants);
  return (
    <>
      {ITEMS.filter((i) => i.show(caps)).map((i) => (
        <li key={i.href}>
          <Link href={i.href} class="nav-link" active={path === i.href || path.startsWith(`${i.href}/`)}>{t(i.label)}</Link>
        </li>
      ))}
    </>
  );
}
