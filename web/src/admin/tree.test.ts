// SPDX-License-Identifier: MIT
// admin/tree.ts: the tree built from GET /org/tree's flat list, the nesting
// rules, where a unit may be moved, and labels for lists and selects.
import { describe, expect, it } from 'vitest';
import type { College, Unit } from './api';
import {
  ancestry, buildTree, byId, canParent, childKinds, compareUnits, flatten, isWithin, moveTargets, unitLabel,
  unitOptions, unitPath,
} from './tree';

const college: College = { id: 1, name: 'Краевой политехнический колледж', short_name: 'КПК', details: {} };

function unit(id: number, kind: Unit['kind'], parent: number, name: string, extra: Partial<Unit> = {}): Unit {
  return { id, kind, parent_id: parent, name, short_name: '', code: null, enrolment_year: null, archived: false,
    curator: null, ...extra };
}

// college → B (branch) → D (department) → G3; B → G1; college → G2; A (archived branch)
const B = unit(2, 'branch', 1, 'Бардымский филиал');
const D = unit(3, 'department', 2, 'ЦМК');
const G1 = unit(4, 'study_group', 2, 'Технология машиностроения', { code: 'ТМ-21', enrolment_year: 2021 });
const G2 = unit(5, 'study_group', 1, 'Программирование', { code: 'ПК-22', enrolment_year: 2022 });
const G3 = unit(6, 'study_group', 3, 'Сварка', { code: 'СВ-23', enrolment_year: 2023 });
const A = unit(7, 'branch', 1, 'Архивный филиал', { archived: true });
const units = [G3, G2, A, G1, D, B];

describe('buildTree', () => {
  it('nests units under their parents with the college at the root', () => {
    const root = buildTree(college, units);
    expect(root.unit.kind).toBe('college');
    expect(root.unit.name).toBe(college.name);
    expect(root.children.map((n) => n.unit.id)).toEqual([A.id, B.id, G2.id]);
    const b = root.children[1]!;
    expect(b.children.map((n) => n.unit.id)).toEqual([D.id, G1.id]);
    expect(b.children[0]!.children.map((n) => n.unit.id)).toEqual([G3.id]);
    expect(b.children[0]!.children[0]!.depth).toBe(3);
  });

  it('hangs a unit whose parent is missing under the college', () => {
    const root = buildTree(college, [unit(9, 'study_group', 42, 'Сирота', { code: 'С-1' })]);
    expect(root.children.map((n) => n.unit.id)).toEqual([9]);
    expect(root.children[0]!.depth).toBe(1);
  });

  it('orders branches, departments, then groups; groups by code, numbers naturally', () => {
    const a = unit(10, 'study_group', 1, 'Я', { code: 'ТМ-9' });
    const b = unit(11, 'study_group', 1, 'А', { code: 'ТМ-10' });
    expect([b, a, D, B].sort(compareUnits).map((u) => u.id)).toEqual([B.id, D.id, a.id, b.id]);
  });

  it('flattens depth-first, root first', () => {
    expect(flatten(buildTree(college, units)).map((n) => n.unit.id)).toEqual([1, A.id, B.id, D.id, G3.id, G1.id, G2.id]);
  });
});

describe('ancestry and isWithin', () => {
  const map = byId(units);
  it('walks up to the college', () => {
    expect(ancestry(map, G3.id)).toEqual([G3.id, D.id, B.id, 1]);
    expect(ancestry(map, 1)).toEqual([1]);
  });
  it('stops on a cycle', () => {
    const x = unit(20, 'branch', 21, 'x');
    const y = unit(21, 'department', 20, 'y');
    expect(ancestry(byId([x, y]), 20)).toEqual([20, 21]);
  });
  it('knows what lies under what', () => {
    expect(isWithin(map, G3.id, B.id)).toBe(true);
    expect(isWithin(map, G3.id, G3.id)).toBe(true);
    expect(isWithin(map, G2.id, B.id)).toBe(false);
    expect(isWithin(map, G2.id, 1)).toBe(true);
  });
});

describe('nesting rules', () => {
  it('follows the server: nothing under a group, branches only under the college', () => {
    expect(childKinds('college')).toEqual(['branch', 'department', 'study_group']);
    expect(childKinds('branch')).toEqual(['department', 'study_group']);
    expect(childKinds('department')).toEqual(['study_group']);
    expect(childKinds('study_group')).toEqual([]);
    expect(canParent('branch', 'branch')).toBe(false);
    expect(canParent('department', 'study_group')).toBe(true);
  });

  it('moves a group anywhere live except where it is', () => {
    expect(moveTargets(college, units, G1).map((u) => u.id).sort()).toEqual([1, D.id]);
    expect(moveTargets(college, units, G3).map((u) => u.id).sort()).toEqual([1, B.id]);
  });

  it('never moves a unit under itself or its descendants, nor into the archive', () => {
    // D (department, in B) may go to the college only: B is its parent, A archived.
    expect(moveTargets(college, units, D).map((u) => u.id)).toEqual([1]);
    expect(moveTargets(college, units, B)).toEqual([]); // branches live under the college only
    const D2 = unit(30, 'department', 1, 'Другое отделение');
    const G4 = unit(31, 'study_group', 30, 'Г', { code: 'Г-1' });
    const targets = moveTargets(college, [...units, D2, G4], D2).map((u) => u.id);
    expect(targets).toEqual([B.id]);
  });
});

describe('labels', () => {
  it('shows a group by code and name', () => {
    expect(unitLabel(G1)).toBe('ТМ-21 · Технология машиностроения');
    expect(unitLabel(unit(40, 'study_group', 1, 'ТМ-21', { code: 'ТМ-21' }))).toBe('ТМ-21');
    expect(unitLabel(B)).toBe('Бардымский филиал');
  });

  it('writes the path from the college', () => {
    expect(unitPath(college, byId(units), G3.id)).toBe('КПК › Бардымский филиал › ЦМК › СВ-23');
  });

  it('builds select options by kind, leaving out the archive unless asked', () => {
    const root = buildTree(college, units);
    expect(unitOptions(root, { kinds: ['study_group'] }).map((o) => [o.id, o.depth])).toEqual([[G3.id, 3], [G1.id, 2], [G2.id, 1]]);
    expect(unitOptions(root, { kinds: ['branch'] }).map((o) => o.id)).toEqual([B.id]);
    expect(unitOptions(root, { kinds: ['branch'], archived: true }).map((o) => o.id)).toEqual([A.id, B.id]);
    expect(unitOptions(root, { only: new Set([1, G2.id]) }).map((o) => o.id)).toEqual([1, G2.id]);
  });
});
