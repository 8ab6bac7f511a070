// SPDX-License-Identifier: MIT
// Rules of the movement form and history that the client needs before asking
// the server (docs/internals/movements.md): which unit fields and role each
// kind of movement takes, and which recorded movement may still be reversed.
import type { Movement, MovementKind } from './api';

export const STUDENT_KINDS: readonly MovementKind[] = ['enrolment', 'transfer', 'academic_leave', 'return', 'expulsion', 'graduation'];
export const STAFF_KINDS: readonly MovementKind[] = ['hiring', 'staff_transfer', 'dismissal'];

export interface MovementFields {
  /* from_unit_id may be given (the server defaults to the current unit) */
  from: boolean;
  to: 'required' | 'optional' | null;
  role: 'required' | 'optional' | null;
}

export function movementFields(kind: MovementKind): MovementFields {
  switch (kind) {
    case 'enrolment': return { from: false, to: 'required', role: null };
    case 'transfer': return { from: true, to: 'required', role: null };
    case 'academic_leave':
    case 'expulsion':
    case 'graduation': return { from: true, to: null, role: null };
    case 'return': return { from: false, to: 'optional', role: null };
    case 'hiring': return { from: false, to: 'required', role: 'required' };
    case 'staff_transfer': return { from: true, to: 'required', role: 'required' };
    case 'dismissal': return { from: true, to: null, role: 'optional' };
  }
}

/* The ids of a person's movements that may be reversed: per role, the latest
 * one (by id), unless it was reversed already. */
export function reversible(list: readonly Movement[]): Set<number> {
  const last = new Map<string, Movement>();
  for (const m of list) {
    const prev = last.get(m.role);
    if (!prev || m.id > prev.id) last.set(m.role, m);
  }
  return new Set([...last.values()].filter((m) => m.reversed_by === null).map((m) => m.id));
}
