// SPDX-License-Identifier: MIT
// Typed calls for the college's structure and people (docs/openapi.yaml, the
// org, invites, movements and import slices): the tree and the college's
// details, people and their roles, invitation links and joining, join
// requests, movements, the CSV import (uploaded with XMLHttpRequest so that
// the upload's progress can be shown) and the audit log. Everything goes
// through api.ts's request(), so errors arrive as ApiError.
import { API_BASE, ApiError, getCsrfToken, parseApiError, request, type User } from '../api';
import { getLang } from '../i18n';

export type UnitKind = 'college' | 'branch' | 'department' | 'study_group';
export type Role = 'platform_admin' | 'administration' | 'curator' | 'teacher' | 'student' | 'parent' | 'staff';
export type InviteRole = 'administration' | 'teacher' | 'staff' | 'curator' | 'student' | 'parent';

export interface Ref {
  id: number;
  name: string;
}

export interface College {
  id: number;
  name: string;
  short_name: string;
  details: Record<string, string>;
}

export interface Unit {
  id: number;
  kind: UnitKind;
  parent_id: number | null;
  name: string;
  short_name: string;
  code: string | null;
  enrolment_year: number | null;
  archived: boolean;
  curator: Ref | null;
  counts?: { students: number; staff: number };
}

export interface UnitPerson {
  user_id: number;
  name: string;
  login: string;
  role: Role;
  since: string;
  director?: boolean;
}

export interface Tree {
  college: College;
  units: Unit[];
}

export interface PersonRole {
  role: Role;
  unit_id: number;
  unit_name: string;
  director?: boolean;
}

export interface PersonRow {
  id: number;
  name: string;
  login: string;
  roles: PersonRole[];
}

export interface Assignment {
  id: number;
  user_id: number;
  role: Role;
  unit_id: number;
  unit_name: string;
  since: string;
  until: string | null;
  director: boolean;
}

export interface Guardianship {
  student_id: number;
  parent_id: number;
  name: string;
  confirmed: boolean;
}

export interface Person {
  user: { id: number; login: string; name: string };
  assignments: Assignment[];
  guardianships: Guardianship[];
}

export type InviteState = 'live' | 'revoked' | 'expired' | 'exhausted';

export interface Invite {
  id: number;
  token: string | null;
  url: string | null;
  role: InviteRole;
  unit: { id: number; name: string; kind: UnitKind };
  created_at: string;
  expires_at: string;
  max_uses: number;
  uses: number;
  needs_approval: boolean;
  revoked: boolean;
  state: InviteState;
  note: string;
  personal_name?: string;
  created_by?: Ref;
}

export interface JoinPreview {
  college: { name: string };
  role: InviteRole;
  unit: { id: number; name: string; kind: UnitKind };
  needs_approval: boolean;
  expires_at: string;
  roster?: { id: number; name_short: string }[];
  personal?: { name: string };
}

export interface JoinResult {
  status: 'pending' | 'joined';
  request_id?: number;
  user: User;
  csrf_token?: string;
}

export type RequestStatus = 'pending' | 'approved' | 'rejected';

export interface JoinRequest {
  id: number;
  user: { id: number; name: string; login: string };
  role: InviteRole;
  unit: Ref;
  student: Ref | null;
  status: RequestStatus;
  reason: string;
  created_at: string;
  decided_at: string | null;
  decided_by: Ref | null;
}

export type MovementKind = 'enrolment' | 'transfer' | 'academic_leave' | 'return' | 'expulsion' |
  'graduation' | 'hiring' | 'staff_transfer' | 'dismissal';

export interface Movement {
  id: number;
  user: Ref;
  kind: MovementKind;
  role: Role;
  from_unit: Ref | null;
  to_unit: Ref | null;
  date: string;
  order_ref: string;
  note: string;
  reverses_id: number | null;
  reversed_by: number | null;
  created_by: Ref | null;
  created_at: string;
  recorded_ids?: number[];
}

export interface MovementInput {
  user_id: number;
  kind: MovementKind;
  role?: Role;
  from_unit_id?: number;
  to_unit_id?: number;
  date: string;
  order_ref?: string;
  note?: string;
}

export interface ImportError {
  line: number;
  field: string | null;
  code: string;
  message: string;
}

export interface ImportReport {
  dry_run: boolean;
  encoding: string;
  delimiter: string;
  rows: number;
  created: { groups: number; students: number; parents: number; staff: number; branches: number };
  updated: number;
  unchanged: number;
  skipped: number;
  errors: ImportError[];
  errors_total: number;
  errors_truncated: boolean;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: Ref | null;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  ip: string;
}

/* "?a=1&b=x" from the defined, non-empty values; "" when there are none. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    q.set(k, v === true ? '1' : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

const id = (n: number | string) => encodeURIComponent(String(n));

export const orgApi = {
  tree(archived: boolean, signal?: AbortSignal): Promise<Tree> {
    return request('GET', `/org/tree${query({ archived: archived ? 1 : null })}`, { signal });
  },
  unit(unitId: number, signal?: AbortSignal): Promise<Unit & { people?: UnitPerson[] }> {
    return request('GET', `/org/units/${id(unitId)}`, { signal });
  },
  editCollege(body: Partial<Pick<College, 'name' | 'short_name' | 'details'>>): Promise<College> {
    return request('PATCH', '/org/college', { body });
  },
  createUnit(body: { kind: Exclude<UnitKind, 'college'>; parent_id: number; name: string; short_name?: string;
    code?: string; enrolment_year?: number }): Promise<Unit> {
    return request('POST', '/org/units', { body });
  },
  updateUnit(unitId: number, body: { name?: string; short_name?: string; code?: string; enrolment_year?: number;
    parent_id?: number }): Promise<Unit> {
    return request('PATCH', `/org/units/${id(unitId)}`, { body });
  },
  archive(unitId: number): Promise<Unit> {
    return request('POST', `/org/units/${id(unitId)}/archive`);
  },
  restore(unitId: number): Promise<Unit> {
    return request('POST', `/org/units/${id(unitId)}/restore`);
  },

  people(params: { unit_id?: number | null; role?: string; q?: string; limit?: number; offset?: number },
    signal?: AbortSignal): Promise<{ total: number; people: PersonRow[] }> {
    return request('GET', `/people${query(params)}`, { signal });
  },
  person(userId: number | string, signal?: AbortSignal): Promise<Person> {
    return request('GET', `/people/${id(userId)}`, { signal });
  },
  createPerson(body: { login: string; name: string; role: Role; unit_id: number; password?: string;
    director?: boolean }): Promise<{ user: User }> {
    return request('POST', '/people', { body });
  },
  assignRole(userId: number, body: { role: Role; unit_id: number; director?: boolean }): Promise<Assignment> {
    return request('POST', `/people/${id(userId)}/roles`, { body });
  },
  endRole(userId: number, assignmentId: number): Promise<void> {
    return request('DELETE', `/people/${id(userId)}/roles/${id(assignmentId)}`);
  },

  audit(params: { action?: string; q?: string; from?: string; to?: string; actor_id?: number; limit?: number;
    before_id?: number | null }, signal?: AbortSignal): Promise<{ entries: AuditEntry[]; next_before_id: number | null }> {
    return request('GET', `/audit${query(params)}`, { signal });
  },
};

export const inviteApi = {
  list(params: { unit_id?: number | null; role?: string }, signal?: AbortSignal): Promise<{ invites: Invite[] }> {
    return request('GET', `/invites${query(params)}`, { signal });
  },
  create(body: { role: InviteRole; unit_id: number; expires_in_s?: number; max_uses?: number;
    needs_approval?: boolean; note?: string }): Promise<Invite> {
    return request('POST', '/invites', { body });
  },
  revoke(inviteId: number): Promise<void> {
    return request('POST', `/invites/${id(inviteId)}/revoke`);
  },
  qrUrl(inviteId: number): string {
    return `${API_BASE}/invites/${id(inviteId)}/qr.svg`;
  },
  preview(token: string, signal?: AbortSignal): Promise<JoinPreview> {
    return request('GET', `/join/${id(token)}`, { signal, probe: true });
  },
  join(token: string, body: { register?: { login: string; name?: string; password: string };
    student_id?: number }): Promise<JoinResult> {
    return request('POST', `/join/${id(token)}`, { body, probe: true });
  },
  requests(params: { status?: RequestStatus | ''; unit_id?: number | null }, signal?: AbortSignal):
    Promise<{ requests: JoinRequest[] }> {
    return request('GET', `/join-requests${query(params)}`, { signal });
  },
  approve(requestId: number): Promise<{ request: JoinRequest }> {
    return request('POST', `/join-requests/${id(requestId)}/approve`);
  },
  reject(requestId: number, reason: string): Promise<{ request: JoinRequest }> {
    return request('POST', `/join-requests/${id(requestId)}/reject`, { body: { reason } });
  },
  mine(signal?: AbortSignal): Promise<{ requests: JoinRequest[] }> {
    return request('GET', '/me/join-requests', { signal });
  },
};

export const movementApi = {
  record(body: MovementInput): Promise<Movement> {
    return request('POST', '/movements', { body });
  },
  reverse(movementId: number, body: { date: string; order_ref?: string; note?: string }): Promise<Movement> {
    return request('POST', `/movements/${id(movementId)}/reverse`, { body });
  },
  journal(params: { unit_id?: number | null; kind?: string; from?: string; to?: string; limit?: number;
    offset?: number }, signal?: AbortSignal): Promise<{ movements: Movement[]; total: number }> {
    return request('GET', `/movements${query(params)}`, { signal });
  },
  ofPerson(userId: number, signal?: AbortSignal): Promise<{ movements: Movement[] }> {
    return request('GET', `/people/${id(userId)}/movements`, { signal });
  },
};

export interface UploadProgress {
  loaded: number;
  total: number;
  /* true once every byte is sent and the server is working on the answer */
  done: boolean;
}

/* POST the CSV file to /import with XMLHttpRequest, reporting upload progress
 * (fetch cannot). Resolves with the report; rejects with ApiError (code
 * "network" when the server could not be reached) or an AbortError. */
export function uploadImport(file: Blob, dryRun: boolean, onProgress: (p: UploadProgress) => void,
  signal?: AbortSignal): Promise<ImportReport> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API_BASE}/import${dryRun ? '?dry_run=1' : ''}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', 'text/csv');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Accept-Language', getLang());
    const csrf = getCsrfToken();
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    const total = file.size;
    // Done once every byte is out: the load event, or a progress event at 100 %
    // (some browsers fire only one of them for small bodies).
    xhr.upload.onprogress = (e) => {
      const all = e.lengthComputable ? e.total : total;
      onProgress({ loaded: e.loaded, total: all, done: all > 0 && e.loaded >= all });
    };
    xhr.upload.onload = () => onProgress({ loaded: total, total, done: true });
    xhr.onerror = () => reject(new ApiError(0, 'network', 'network error'));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300 && body && typeof body === 'object') resolve(body as ImportReport);
      else reject(parseApiError(xhr.status, body, xhr.getResponseHeader('Retry-After')));
    };
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    onProgress({ loaded: 0, total, done: false });
    xhr.send(file);
  });
}

/* The personal invitation links CSV (a GET that changes state, hence the
 * CSRF header). Resolves with the file and its name. */
export async function exportInvitations(unitId: number | null): Promise<{ blob: Blob; filename: string }> {
  const headers: Record<string, string> = { 'Accept-Language': getLang() };
  const csrf = getCsrfToken();
  if (csrf) headers['X-CSRF-Token'] = csrf;
  let res: Response;
  try {
    res = await fetch(`${API_BASE}/import/invitations.csv${query({ unit_id: unitId })}`, {
      headers, credentials: 'include',
    });
  } catch (e) {
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  if (!res.ok) {
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    throw parseApiError(res.status, body, res.headers.get('Retry-After'));
  }
  const blob = await res.blob();
  const m = /filename="?([^";]+)"?/.exec(res.headers.get('Content-Disposition') || '');
  return { blob, filename: m?.[1] || 'invitations.csv' };
}
