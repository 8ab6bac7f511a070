// SPDX-License-Identifier: MIT
// The client's only door to the server's REST API (/api/v1). request() sends and
// receives JSON with the session cookie, adds X-CSRF-Token (taken from the last
// /auth/me, login or setup response) to every state-changing request, sends the
// chosen language as Accept-Language, and turns every failure into an ApiError:
// the server's {"error":{"code","message","field"}}, or code "network" when the
// server could not be reached. A 401 "unauthenticated" on an ordinary call means
// the session was ended elsewhere: the handler set with onUnauthenticated() runs.
import { getLang } from './i18n';

export const API_BASE = '/api/v1';

export interface User {
  id: string | number;
  login: string;
  name: string;
  roles: string[];
}

export interface AuthResponse {
  user: User;
  csrf_token: string;
}

export interface Session {
  id: string;
  created_at: string;
  last_seen_at: string;
  user_agent: string;
  ip: string;
  current: boolean;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, field: string | null = null,
    retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function seconds(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/* Build an ApiError from an HTTP status, the parsed body (anything, including
 * null when the body was not JSON) and the Retry-After header. Never throws. */
export function parseApiError(status: number, body: unknown, retryAfterHeader: string | null = null): ApiError {
  let code: string | null = null;
  let message: string | null = null;
  let field: string | null = null;
  let retryAfter: number | null = null;
  if (body && typeof body === 'object' && 'error' in body) {
    const e = (body as { error: unknown }).error;
    if (e && typeof e === 'object') {
      const o = e as Record<string, unknown>;
      code = str(o.code);
      message = str(o.message);
      field = str(o.field);
      retryAfter = seconds(o.retry_after);
    }
  }
  if (retryAfter === null) retryAfter = seconds(retryAfterHeader);
  return new ApiError(status, code ?? `http_${status}`, message ?? '', field, retryAfter);
}

let csrfToken: string | null = null;
let unauthenticatedHandler: (() => void) | null = null;

export function getCsrfToken(): string | null {
  return csrfToken;
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/* fn runs when an ordinary request (not a probe such as /auth/me) answers 401
 * "unauthenticated". Pass null to remove it. */
export function onUnauthenticated(fn: (() => void) | null): void {
  unauthenticatedHandler = fn;
}

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /* A 401 is an expected answer (session probe, login): don't run the handler. */
  probe?: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/* Send one request to API_BASE + path. Resolves with the parsed JSON body, or
 * undefined for an empty (204) answer; rejects with ApiError. */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': getLang(),
  };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE_METHODS.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(API_BASE + path, {
      method,
      headers,
      credentials: 'include',
      body: opts.body !== undefined ? JSON.stringify(opts.body) : null,
      signal: opts.signal ?? null,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  let body: unknown = null;
  const text = res.status === 204 ? '' : await res.text().catch(() => '');
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!res.ok) {
    const err = parseApiError(res.status, body, res.headers.get('Retry-After'));
    if (res.status === 401 && err.code === 'unauthenticated' && !opts.probe) {
      csrfToken = null;
      unauthenticatedHandler?.();
    }
    throw err;
  }
  if (body && typeof body === 'object' && 'csrf_token' in body) {
    const token = (body as { csrf_token: unknown }).csrf_token;
    if (typeof token === 'string' && token) csrfToken = token;
  }
  return (text ? body : undefined) as T;
}

export const api = {
  setupStatus(token: string, signal?: AbortSignal): Promise<{ valid: boolean }> {
    return request('GET', `/setup/status?token=${encodeURIComponent(token)}`, { signal, probe: true });
  },
  setup(input: { token: string; login: string; name: string; password: string }): Promise<AuthResponse> {
    return request('POST', '/setup', { body: input, probe: true });
  },
  login(login: string, password: string): Promise<AuthResponse> {
    return request('POST', '/auth/login', { body: { login, password }, probe: true });
  },
  me(signal?: AbortSignal): Promise<AuthResponse> {
    return request('GET', '/auth/me', { signal, probe: true });
  },
  async logout(): Promise<void> {
    await request<void>('POST', '/auth/logout', { probe: true });
    csrfToken = null;
  },
  changePassword(currentPassword: string, newPassword: string): Promise<void> {
    return request('POST', '/auth/password', {
      body: { current_password: currentPassword, new_password: newPassword },
    });
  },
  sessions(signal?: AbortSignal): Promise<{ sessions: Session[] }> {
    return request('GET', '/auth/sessions', { signal });
  },
  revokeSession(id: string): Promise<void> {
    return request('DELETE', `/auth/sessions/${encodeURIComponent(id)}`);
  },
};
