// SPDX-License-Identifier: MIT
// Small pure helpers of the structure and people screens: calendar dates,
// link lifetimes and defaults, byte sizes and progress, audit targets, and
// a summary line for an import report.
import type { Lang } from '../i18n';
import type { ImportReport, InviteRole } from './api';

/* "2024-02-28" → "28 февр. 2024 г."; anything else is returned as is. */
export function formatDate(date: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'ru-RU', { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

/* Today's date in the browser's time zone as YYYY-MM-DD. */
export function todayIso(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

export const DAY_S = 86_400;

/* Lifetimes offered for a new link, in seconds (the server accepts 1 h .. 1 year). */
export const EXPIRY_CHOICES: readonly number[] = [DAY_S, 7 * DAY_S, 30 * DAY_S, 90 * DAY_S, 365 * DAY_S];
export const DEFAULT_EXPIRY_S = 7 * DAY_S;

/* The server's defaults: a group link is for many people, a staff link for one. */
export function defaultMaxUses(role: InviteRole): number {
  return role === 'student' || role === 'parent' ? 100 : 1;
}

/* Parent links always wait for the curator's confirmation. */
export function approvalForced(role: InviteRole): boolean {
  return role === 'parent';
}

/* "1,2 МБ" / "1.2 MB" */
export function formatBytes(n: number, lang: Lang): string {
  const units = lang === 'en' ? ['B', 'KB', 'MB', 'GB'] : ['Б', 'КБ', 'МБ', 'ГБ'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const num = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'ru-RU', { maximumFractionDigits: i === 0 ? 0 : 1 }).format(v);
  return `${num} ${units[i]}`;
}

/* Whole percent 0..100 of loaded/total; 0 for an unknown total. */
export function percent(loaded: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.max(0, Math.min(100, Math.floor((loaded / total) * 100)));
}

/* An audit target "user:7" → {kind: "user", id: 7}; "college" → {kind: "college", id: null}. */
export function parseTarget(target: string): { kind: string; id: number | null } {
  const m = /^([a-z_]+):(\d+)$/.exec(target);
  if (m) return { kind: m[1]!, id: Number(m[2]) };
  return { kind: target, id: null };
}

/* Counts of an import report worth showing, in a fixed order, zeros left out
 * except rows. */
export function reportCounts(r: ImportReport): { key: 'rows' | 'groups' | 'students' | 'parents' | 'staff' |
  'branches' | 'updated' | 'unchanged' | 'skipped'; n: number }[] {
  const all = [
    { key: 'rows' as const, n: r.rows },
    { key: 'groups' as const, n: r.created?.groups ?? 0 },
    { key: 'students' as const, n: r.created?.students ?? 0 },
    { key: 'parents' as const, n: r.created?.parents ?? 0 },
    { key: 'staff' as const, n: r.created?.staff ?? 0 },
    { key: 'branches' as const, n: r.created?.branches ?? 0 },
    { key: 'updated' as const, n: r.updated ?? 0 },
    { key: 'unchanged' as const, n: r.unchanged ?? 0 },
    { key: 'skipped' as const, n: r.skipped ?? 0 },
  ];
  return all.filter((c) => c.key === 'rows' || c.n > 0);
}

/* Pretty JSON for the audit log's before/after, or "" for null. */
export function prettyJson(v: unknown): string {
  if (v === null || v === undefined) return '';
  try {
    return JSON.stringify(v, null, 2);
  } catch {
    return String(v);
  }
}
