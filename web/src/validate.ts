// SPDX-License-Identifier: MIT
// Client-side checks that mirror the server's rules, so most mistakes are shown
// before a round trip. The server stays the authority: its field errors are
// shown the same way. Each check returns a catalogue key, or null when fine.
import type { MsgKey } from './i18n';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[\d\s\-()]+$/;

/* A login is an e-mail or a phone number (digits, optional leading +, spaces,
 * dashes and parentheses allowed; the server normalizes it). */
export function checkLogin(value: string): MsgKey | null {
  const v = value.trim();
  if (!v) return 'v.required';
  if (EMAIL.test(v)) return null;
  if (PHONE.test(v)) {
    const digits = v.replace(/\D/g, '').length;
    if (digits >= 5 && digits <= 15) return null;
  }
  return 'v.login';
}

/* Length in characters as a person counts them (code points, not UTF-16 units). */
export function charCount(value: string): number {
  return [...value].length;
}

export function checkName(value: string): MsgKey | null {
  const v = value.trim();
  if (!v) return 'v.required';
  return charCount(v) <= 200 ? null : 'v.nameLength';
}

export function checkNewPassword(value: string): MsgKey | null {
  if (!value) return 'v.required';
  const n = charCount(value);
  return n >= 8 && n <= 256 ? null : 'v.passwordLength';
}

export function checkRepeat(password: string, repeat: string): MsgKey | null {
  if (!repeat) return 'v.required';
  return password === repeat ? null : 'v.passwordMismatch';
}

export function checkRequired(value: string): MsgKey | null {
  return value ? null : 'v.required';
}
