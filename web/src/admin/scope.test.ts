// SPDX-License-Identifier: MIT
// admin/scope.ts: which screens and choices each role gets, mirroring the
// server's policy table (docs/internals/authz.md).
import { describe, expect, it } from 'vitest';
import type { Person, Unit } from './api';
import {
  assignableRoles, canEndRole, capabilities, curatedGroups, grantsOf, inviteRoles, inviteTargets, peopleScopes,
  targetKinds, type Grant,
} from './scope';

function unit(id: number, kind: Unit['kind'], parent: number | null, archived = false): Unit {
  return { id, kind, parent_id: parent, name: `u${id}`, short_name: '', code: kind === 'study_group' ? `G-${id}` : null,
    enrolment_year: null, archived, curator: null };
}
// 1 college; 2 branch B; 3 department D in B; 4 group in B; 5 group in college; 6 group in D; 7 archived group in B
const units = [unit(1, 'college', null), unit(2, 'branch', 1), unit(3, 'department', 2), unit(4, 'study_group', 2),
  unit(5, 'study_group', 1), unit(6, 'study_group', 3), unit(7, 'study_group', 2, true)];
const g = (role: Grant['role'], unit_id: number, director = false): Grant => ({ role, unit_id, director });
const ids = (list: Unit[]) => list.map((u) => u.id).sort();

describe('capabilities', () => {
  it('gives the platform administrator every screen but the appointment', () => {
    const c = capabilities(['platform_admin'], [g('platform_admin', 1)]);
    expect(c).toMatchObject({ admin: true, structure: true, structureEdit: true, people: true, invites: true,
      requests: true, movements: true, import: true, audit: true, appointAdmin: false });
  });

  it('gives a curator people, links and requests, not the rest', () => {
    const c = capabilities(['curator'], [g('curator', 4)]);
    expect(c).toMatchObject({ admin: false, structure: true, structureEdit: false, people: true, invites: true,
      requests: true, movements: false, import: false, audit: false });
  });

  it('gives a teacher people and parent links, no requests', () => {
    const c = capabilities(['teacher'], [g('teacher', 2)]);
    expect(c).toMatchObject({ people: true, invites: true, requests: false, movements: false, audit: false });
  });

  it('gives students and parents no administrative screen at all', () => {
    for (const role of ['student', 'parent'] as const) {
      const c = capabilities([role], [g(role, 4)]);
      expect(Object.entries(c).filter(([, v]) => v).map(([k]) => k), role).toEqual([]);
    }
  });

  it('lets only a director of the administration read the audit log; the administration appoints', () => {
    expect(capabilities(['administration'], [g('administration', 1)]).audit).toBe(false);
    expect(capabilities(['administration'], [g('administration', 1, true)]).audit).toBe(true);
    expect(capabilities(['administration'], null).audit).toBe(false); // grants still loading
    expect(capabilities(['administration'], []).appointAdmin).toBe(true);
  });
});

describe('invitation links', () => {
  const admin = capabilities(['platform_admin'], []);
  it('offers each role the link roles the policy allows', () => {
    expect(inviteRoles(admin, [])).toEqual(['administration', 'teacher', 'staff', 'curator', 'student', 'parent']);
    expect(inviteRoles(capabilities(['curator'], []), [g('curator', 4)])).toEqual(['student', 'parent']);
    expect(inviteRoles(capabilities(['teacher'], []), [g('teacher', 2)])).toEqual(['parent']);
    expect(inviteRoles(capabilities(['administration'], []), [g('administration', 1)])).toEqual(['parent']);
    expect(inviteRoles(capabilities(['student'], []), [g('student', 4)])).toEqual([]);
  });

  it('points group links at live study groups and staff links at the college, branches and departments', () => {
    expect(ids(inviteTargets('student', admin, [], units))).toEqual([4, 5, 6]);
    expect(ids(inviteTargets('teacher', admin, [], units))).toEqual([1, 2, 3]);
    expect(targetKinds('curator')).toEqual(['study_group']);
  });

  it('keeps a curator to their own group and a teacher to groups in their unit', () => {
    const curator = capabilities(['curator'], []);
    expect(ids(inviteTargets('student', curator, [g('curator', 4)], units))).toEqual([4]);
    expect(ids(inviteTargets('parent', curator, [g('curator', 4)], units))).toEqual([4]);
    const teacher = capabilities(['teacher'], []);
    expect(ids(inviteTargets('parent', teacher, [g('teacher', 2)], units))).toEqual([4, 6]);
    expect(ids(inviteTargets('student', teacher, [g('teacher', 2)], units))).toEqual([]);
    const director = capabilities(['administration'], []);
    expect(ids(inviteTargets('parent', director, [g('administration', 1)], units))).toEqual([4, 5, 6]);
  });
});

describe('roles and people', () => {
  it('lets the administrator assign all but the platform administrator, whom the administration appoints', () => {
    const admin = capabilities(['platform_admin'], []);
    expect(assignableRoles(admin)).toEqual(['administration', 'teacher', 'curator', 'staff', 'student']);
    expect(canEndRole(admin, 'platform_admin')).toBe(false);
    expect(canEndRole(admin, 'teacher')).toBe(true);
    const adm = capabilities(['administration'], []);
    expect(assignableRoles(adm)).toEqual(['platform_admin']);
    expect(canEndRole(adm, 'platform_admin')).toBe(true);
    expect(assignableRoles(capabilities(['curator'], []))).toEqual([]);
  });

  it('reads people in the college for the administrator, in their units for others', () => {
    expect(peopleScopes(capabilities(['platform_admin'], []), [])).toEqual([1]);
    expect(peopleScopes(capabilities(['curator', 'teacher'], []), [g('curator', 4), g('teacher', 2), g('curator', 4)])).toEqual([4, 2]);
    expect(curatedGroups([g('curator', 4), g('teacher', 2), g('curator', 6)])).toEqual([4, 6]);
  });

  it('takes only active assignments as grants', () => {
    const person: Pick<Person, 'assignments'> = {
      assignments: [
        { id: 1, user_id: 9, role: 'curator', unit_id: 4, unit_name: 'x', since: '', until: null, director: false },
        { id: 2, user_id: 9, role: 'teacher', unit_id: 2, unit_name: 'y', since: '', until: '2024-01-01T00:00:00Z', director: false },
        { id: 3, user_id: 9, role: 'administration', unit_id: 1, unit_name: 'z', since: '', until: null, director: true },
      ],
    };
    expect(grantsOf(person)).toEqual([g('curator', 4), g('administration', 1, true)]);
  });
});
