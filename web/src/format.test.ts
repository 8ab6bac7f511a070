// SPDX-License-Identifier: MIT
// format.ts and validate.ts: device names, dates, and the client-side checks.
import { describe, expect, it } from 'vitest';
import { formatDateTime, parseUserAgent } from './format';
import { checkLogin, checkName, checkNewPassword, checkRepeat } from './validate';

describe('parseUserAgent', () => {
  it('recognises common browsers and systems', () => {
    const cases: [string, string | null, string | null][] = [
      ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36', 'Chrome', 'Windows'],
      ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0', 'Edge', 'Windows'],
      ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 YaBrowser/24.6 Safari/537.36', 'Yandex Browser', 'Windows'],
      ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox', 'Linux'],
      ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'Safari', 'iOS'],
      ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36', 'Chrome', 'Android'],
      ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', 'Safari', 'macOS'],
      ['curl/8.5.0', null, null],
      ['', null, null],
    ];
    for (const [ua, browser, os] of cases) expect(parseUserAgent(ua), ua).toEqual({ browser, os });
  });
});

describe('formatDateTime', () => {
  it('formats in the chosen language', () => {
    expect(formatDateTime('2026-11-29T10:00:00Z', 'ru', 'UTC')).toMatch(/29 нояб\. 2026.*10:00/);
    expect(formatDateTime('2026-11-29T10:00:00Z', 'en', 'UTC')).toMatch(/29 Nov 2026.*10:00/);
  });
  it('shows what it cannot parse as it is', () => {
    expect(formatDateTime('yesterday', 'ru')).toBe('yesterday');
  });
});

describe('validation', () => {
  it('accepts e-mails and phone numbers as logins', () => {
    for (const ok of ['anna@college.ru', '+7 (900) 123-45-67', '89001234567', '8-900-123-45-67']) expect(checkLogin(ok), ok).toBeNull();
    expect(checkLogin('   ')).toBe('v.required');
    for (const bad of ['anna', 'anna@college', '12-34', '+7 900 abc', '++79001234567']) expect(checkLogin(bad), bad).toBe('v.login');
  });
  it('checks name and password lengths in characters', () => {
    expect(checkName(' ')).toBe('v.required');
    expect(checkName('Я'.repeat(200))).toBeNull();
    expect(checkName('Я'.repeat(201))).toBe('v.nameLength');
    expect(checkNewPassword('1234567')).toBe('v.passwordLength');
    expect(checkNewPassword('12345678')).toBeNull();
    expect(checkNewPassword('😀'.repeat(8))).toBeNull(); // 8 characters, 16 UTF-16 units
    expect(checkNewPassword('x'.repeat(257))).toBe('v.passwordLength');
    expect(checkRepeat('abcdefgh', 'abcdefgh')).toBeNull();
    expect(checkRepeat('abcdefgh', 'abcdefgx')).toBe('v.passwordMismatch');
  });
});
