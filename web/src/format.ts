// SPDX-License-Identifier: MIT
// Display helpers: dates in the chosen language and a short device name made
// from a User-Agent string ("Firefox, Windows"). Pure functions, unit-tested.
import type { Lang } from './i18n';

/* "29 нояб. 2026 г., 13:00"; the raw string if it is not a date. */
export function formatDateTime(iso: string, lang: Lang, timeZone?: string): string {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'ru-RU', {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
  }).format(d);
}

export interface Device {
  browser: string | null;
  os: string | null;
}

/* Recognise the common browsers and systems; order matters because most
 * browsers also claim to be Chrome, Safari or Mozilla. */
export function parseUserAgent(ua: string | null | undefined): Device {
  const s = ua || '';
  const browsers: [RegExp, string][] = [
    [/YaBrowser\//, 'Yandex Browser'],
    [/Edg(e|A|iOS)?\//, 'Edge'],
    [/OPR\/|Opera/, 'Opera'],
    [/SamsungBrowser\//, 'Samsung Internet'],
    [/Firefox\/|FxiOS\//, 'Firefox'],
    [/Chrome\/|CriOS\/|Chromium\//, 'Chrome'],
    [/Version\/[\d.]+.*Safari\//, 'Safari'],
  ];
  const systems: [RegExp, string][] = [
    [/Android/, 'Android'],
    [/iPhone|iPad|iPod/, 'iOS'],
    [/Windows/, 'Windows'],
    [/CrOS/, 'ChromeOS'],
    [/Mac OS X|Macintosh/, 'macOS'],
    [/Linux|X11/, 'Linux'],
  ];
  const browser = browsers.find(([re]) => re.test(s))?.[1] ?? null;
  const os = systems.find(([re]) => re.test(s))?.[1] ?? null;
  return { browser, os };
}
