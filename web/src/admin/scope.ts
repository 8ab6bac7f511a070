// SPDX-License-Identifier: MIT
// What the signed-in person may do with the structure, people and links, as
// the server's policy decides it (docs/internals/authz.md): used to show only
// the screens, buttons and choices a role can use. The server stays the
// authority — pages still handle a 403 — this only keeps dead ends out of
// sight. Pure functions over the person's roles and active assignments.
import type { Assignment, InviteRole, Person, Role, Unit, UnitKind } from './api';
import { COLLEGE_ID, isWithin } from './tree';

export interface Grant {
  role: Role;
  unit_id: number;
  director: boolean;
}

/* The active assignments of a person as grants. */
export function grantsOf(person: Pick<Person, 'assignments'>): Grant[] {
  return person.assignments
    .filter((a: Assignment) => a.until === null)
    .map((a) => ({ role: a.role, unit_id: a.unit_id, director: !!a.director }));
}

export interface Caps {
  admin: boolean;
  director: boolean;
  /* the structure screen: everyone but students and parents, who have no use for it */
  structure: boolean;
  /* create, rename, move, archive units; edit the college's details */
  structureEdit: boolean;
  people: boolean;
  invites: boolean;
  requests: boolean;
  movements: boolean;
  import: boolean;
  audit: boolean;
  /* the administration appoints the platform administrator */
  appointAdmin: boolean;
}

/* grants may be null while they load: what needs them (the director flag) is
 * then false. */
export function capabilities(roles: readonly string[], grants: readonly Grant[] | null): Caps {
  const has = (r: string) => roles.includes(r) || !!grants?.some((g) => g.role === r);
  const admin = has('platform_admin');
  const administration = has('administration');
  const curator = has('curator');
  const teacher = has('teacher');
  const director = !!grants?.some((g) => g.role === 'administration' && g.director);
  return {
    admin,
    director,
    structure: roles.some((r) => r !== 'student' && r !== 'parent') ||
      !!grants?.some((g) => g.role !== 'student' && g.role !== 'parent'),
    structureEdit: admin,
    people: admin || administration || curator || teacher,
    invites: admin || administration || curator || teacher,
    requests: admin || curator,
    movements: admin,
    import: admin,
    audit: admin || director,
    appointAdmin: administration,
  };
}

const STAFF_KINDS: readonly UnitKind[] = ['college', 'branch', 'department'];
const GROUP_KINDS: readonly UnitKind[] = ['study_group'];

/* Which kinds of unit a link (or a role) of this role points at. */
export function targetKinds(role: Role | InviteRole): readonly UnitKind[] {
  switch (role) {
    case 'curator':
    case 'student':
    case 'parent':
      return GROUP_KINDS;
    case 'platform_admin':
      return ['college'];
    default:
      return STAFF_KINDS;
  }
}

const ADMIN_INVITE_ROLES: readonly InviteRole[] = ['administration', 'teacher', 'staff', 'curator', 'student', 'parent'];

/* The link roles this person may create, in the order they are offered. */
export function inviteRoles(caps: Caps, grants: readonly Grant[]): InviteRole[] {
  if (caps.admin) return [...ADMIN_INVITE_ROLES];
  const out: InviteRole[] = [];
  if (grants.some((g) => g.role === 'curator')) out.push('student');
  if (grants.some((g) => g.role === 'curator' || g.role === 'teacher' || g.role === 'administration')) out.push('parent');
  return out;
}

/* The live units a link of this role may point at for this person. units is
 * the tree's list including the college (see collegeUnit). */
export function inviteTargets(role: InviteRole, caps: Caps, grants: readonly Grant[], units: readonly Unit[]): Unit[] {
  const kinds = targetKinds(role);
  const live = units.filter((u) => !u.archived && kinds.includes(u.kind));
  if (caps.admin) return live;
  const map = new Map(units.map((u) => [u.id, u]));
  const scopes = grants.filter((g) =>
    (role === 'student' && g.role === 'curator') ||
    (role === 'parent' && (g.role === 'curator' || g.role === 'teacher' || g.role === 'administration')));
  return live.filter((u) => scopes.some((g) =>
    g.role === 'curator' ? u.id === g.unit_id : isWithin(map, u.id, g.unit_id)));
}

/* Roles this person may assign in the person card, with the unit kinds each
 * goes to. The platform administrator assigns everything but a platform
 * administrator; the administration appoints that one. */
export function assignableRoles(caps: Caps): Role[] {
  const out: Role[] = [];
  if (caps.admin) out.push('administration', 'teacher', 'curator', 'staff', 'student');
  if (caps.appointAdmin) out.push('platform_admin');
  return out;
}

export function canEndRole(caps: Caps, role: Role): boolean {
  return assignableRoles(caps).includes(role);
}

/* The units under which this person reads people: the college for the
 * platform administrator, else the units of their staff roles. */
export function peopleScopes(caps: Caps, grants: readonly Grant[]): number[] {
  if (caps.admin) return [COLLEGE_ID];
  const ids = grants.filter((g) => g.role === 'administration' || g.role === 'curator' || g.role === 'teacher')
    .map((g) => g.unit_id);
  return [...new Set(ids)];
}

/* The study groups this person curates. */
export function curatedGroups(grants: readonly Grant[]): number[] {
  return [...new Set(grants.filter((g) => g.role === 'curator').map((g) => g.unit_id))];
}
