// SPDX-License-Identifier: MIT
// admin/format.ts and admin/movements.ts: dates, link defaults, sizes and
// progress, audit targets, import report counts, movement form rules.
import { describe, expect, it } from 'vitest';
import type { ImportReport, Movement } from './api';
import {
  approvalForced, defaultMaxUses, formatBytes, formatDate, parseTarget, percent, prettyJson, reportCounts, todayIso,
} from './format';
import { movementFields, reversible } from './movements';

describe('format', () => {
  it('shows calendar dates without a time-zone shift', () => {
    expect(formatDate('2024-02-28', 'ru')).toMatch(/28 февр\.? 2024/);
    expect(formatDate('2024-02-28', 'en')).toBe('28 Feb 2024');
    expect(formatDate('not a date', 'ru')).toBe('not a date');
    expect(todayIso(new Date(2024, 0, 5, 23, 30))).toBe('2024-01-05');
  });

  it('gives group links many uses and staff links one; parent links always need approval', () => {
    expect(defaultMaxUses('student')).toBe(100);
    expect(defaultMaxUses('parent')).toBe(100);
    expect(defaultMaxUses('teacher')).toBe(1);
    expect(defaultMaxUses('curator')).toBe(1);
    expect(approvalForced('parent')).toBe(true);
    expect(approvalForced('student')).toBe(false);
  });

  it('formats sizes and progress', () => {
    expect(formatBytes(512, 'en')).toBe('512 B');
    expect(formatBytes(1536, 'en')).toBe('1.5 KB');
    expect(formatBytes(1024 * 1024 * 3, 'ru')).toBe('3 МБ');
    expect(percent(0, 0)).toBe(0);
    expect(percent(50, 200)).toBe(25);
    expect(percent(199, 200)).toBe(99);
    expect(percent(300, 200)).toBe(100);
  });

  it('reads audit targets', () => {
    expect(parseTarget('user:7')).toEqual({ kind: 'user', id: 7 });
    expect(parseTarget('college')).toEqual({ kind: 'college', id: null });
    expect(prettyJson(null)).toBe('');
    expect(prettyJson({ a: 1 })).toBe('{\n  "a": 1\n}');
  });

  it('lists the counts of an import report worth showing', () => {
    const r: ImportReport = {
      dry_run: true, encoding: 'utf-8', delimiter: ';', rows: 5,
      created: { groups: 1, students: 2, parents: 0, staff: 0, branches: 0 },
      updated: 0, unchanged: 0, skipped: 2, errors: [], errors_total: 2, errors_truncated: false,
    };
    expect(reportCounts(r)).toEqual([{ key: 'rows', n: 5 }, { key: 'groups', n: 1 }, { key: 'students', n: 2 },
      { key: 'skipped', n: 2 }]);
  });
});

describe('movement rules', () => {
  it('asks for the fields each kind needs', () => {
    expect(movementFields('enrolment')).toEqual({ from: false, to: 'required', role: null });
    expect(movementFields('transfer')).toEqual({ from: true, to: 'required', role: null });
    expect(movementFields('return').to).toBe('optional');
    expect(movementFields('expulsion').to).toBeNull();
    expect(movementFields('hiring').role).toBe('required');
    expect(movementFields('dismissal')).toEqual({ from: true, to: null, role: 'optional' });
  });

  it('offers to reverse only the latest movement of each role, once', () => {
    const m = (id: number, role: Movement['role'], reversed_by: number | null = null): Movement => ({
      id, role, reversed_by, user: { id: 1, name: 'x' }, kind: 'enrolment', from_unit: null, to_unit: null, date: '2024-01-01',
      order_ref: '', note: '', reverses_id: null, created_by: null, created_at: '',
    });
    expect([...reversible([m(1, 'student'), m(3, 'student'), m(2, 'teacher')])].sort()).toEqual([2, 3]);
    expect([...reversible([m(1, 'student'), m(3, 'student', 4)])]).toEqual([]);
    expect([...reversible([])]).toEqual([]);
  });
});
