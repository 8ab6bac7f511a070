// SPDX-License-Identifier: MIT
// The college's structure as the client works with it: the flat unit list from
// GET /org/tree turned into a tree (college → branches → departments and study
// groups), the nesting rules the server enforces (what may be created or
// moved under what), and labels for lists and selects. Pure functions.
import type { College, Unit, UnitKind } from './api';

export const COLLEGE_ID = 1;

export interface TreeNode {
  unit: Unit;
  depth: number;
  children: TreeNode[];
}

/* The college as a unit, so that it can be the root of the tree and a choice
 * in selects. */
export function collegeUnit(college: College): Unit {
  return {
    id: college.id || COLLEGE_ID, kind: 'college', parent_id: null, name: college.name,
    short_name: college.short_name, code: null, enrolment_year: null, archived: false, curator: null,
  };
}

const KIND_ORDER: Record<UnitKind, number> = { college: 0, branch: 1, department: 2, study_group: 3 };

const collator = new Intl.Collator('ru', { numeric: true, sensitivity: 'base' });

/* Branches first, then departments, then study groups; by name (groups by code). */
export function compareUnits(a: Unit, b: Unit): number {
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    collator.compare(a.kind === 'study_group' ? a.code || a.name : a.name,
      b.kind === 'study_group' ? b.code || b.name : b.name) ||
    a.id - b.id;
}

/* The tree under the college. Units whose parent is missing from the list
 * (e.g. an archived parent when archived units are hidden) hang under the
 * college rather than vanish. */
export function buildTree(college: College, units: readonly Unit[]): TreeNode {
  const root: TreeNode = { unit: collegeUnit(college), depth: 0, children: [] };
  const nodes = new Map<number, TreeNode>();
  for (const u of units) if (u.kind !== 'college') nodes.set(u.id, { unit: u, depth: 0, children: [] });
  for (const node of nodes.values()) {
    const parent = node.unit.parent_id !== null ? nodes.get(node.unit.parent_id) : undefined;
    (parent ?? root).children.push(node);
  }
  const fix = (n: TreeNode, depth: number) => {
    n.depth = depth;
    n.children.sort((a, b) => compareUnits(a.unit, b.unit));
    for (const c of n.children) fix(c, depth + 1);
  };
  fix(root, 0);
  return root;
}

/* Depth-first list of the tree's nodes (the root first). */
export function flatten(root: TreeNode): TreeNode[] {
  const out: TreeNode[] = [];
  const walk = (n: TreeNode) => {
    out.push(n);
    n.children.forEach(walk);
  };
  walk(root);
  return out;
}

export function byId(units: readonly Unit[]): Map<number, Unit> {
  return new Map(units.map((u) => [u.id, u]));
}

/* The ids from unitId up to the college, unitId first. Stops on a cycle or a
 * missing parent. */
export function ancestry(units: ReadonlyMap<number, Unit>, unitId: number): number[] {
  const out: number[] = [];
  let cur: number | null = unitId;
  while (cur !== null && !out.includes(cur)) {
    out.push(cur);
    if (cur === COLLEGE_ID) break;
    cur = units.get(cur)?.parent_id ?? null;
  }
  return out;
}

/* Whether unitId is ancestorId or lies under it (everything lies under the college). */
export function isWithin(units: ReadonlyMap<number, Unit>, unitId: number, ancestorId: number): boolean {
  return ancestorId === COLLEGE_ID || ancestry(units, unitId).includes(ancestorId);
}

/* What may be created directly under a unit of this kind. */
export function childKinds(kind: UnitKind): Exclude<UnitKind, 'college'>[] {
  switch (kind) {
    case 'college': return ['branch', 'department', 'study_group'];
    case 'branch': return ['department', 'study_group'];
    case 'department': return ['study_group'];
    default: return [];
  }
}

export function canParent(parentKind: UnitKind, childKind: UnitKind): boolean {
  return (childKinds(parentKind) as UnitKind[]).includes(childKind);
}

/* Where a unit may be moved: live units that may hold its kind, other than its
 * current parent, itself and anything under it. */
export function moveTargets(college: College, units: readonly Unit[], unit: Unit): Unit[] {
  if (unit.kind === 'college') return [];
  const map = byId(units);
  const all = [collegeUnit(college), ...units];
  return all.filter((u) => !u.archived && u.id !== unit.parent_id && canParent(u.kind, unit.kind) &&
    (u.kind === 'college' || !ancestry(map, u.id).includes(unit.id)));
}

/* "ТМ-21 · Технология машиностроения" for groups, the name otherwise. */
export function unitLabel(unit: Pick<Unit, 'kind' | 'name' | 'code'>): string {
  if (unit.kind === 'study_group' && unit.code && unit.code !== unit.name) return `${unit.code} · ${unit.name}`;
  return unit.name;
}

/* "Колледж › Бардымский филиал › ТМ-21": where a unit sits. */
export function unitPath(college: College, units: ReadonlyMap<number, Unit>, unitId: number): string {
  return ancestry(units, unitId).reverse()
    .map((id) => (id === COLLEGE_ID ? college.short_name || college.name : units.get(id)?.code || units.get(id)?.name || `#${id}`))
    .join(' › ');
}

/* Options for a <select> of units: depth-first, indented by depth, only the
 * kinds asked for (all when empty) and, unless asked, no archived ones. */
export function unitOptions(root: TreeNode, opts: { kinds?: readonly UnitKind[]; archived?: boolean;
  only?: ReadonlySet<number> } = {}): { id: number; label: string; depth: number }[] {
  return flatten(root)
    .filter((n) => (opts.archived || !n.unit.archived) &&
      (!opts.kinds || opts.kinds.length === 0 || opts.kinds.includes(n.unit.kind)) &&
      (!opts.only || opts.only.has(n.unit.id)))
    .map((n) => ({ id: n.unit.id, label: unitLabel(n.unit), depth: n.depth }));
}
