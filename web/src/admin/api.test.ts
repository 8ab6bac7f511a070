// SPDX-License-Identifier: MIT
// admin/api.ts: query strings, the CSV upload over XMLHttpRequest (progress,
// headers, errors) and the export of personal links (CSRF on a GET, file name).
// admin/context.ts: texts of errors on particular fields.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, setCsrfToken } from '../api';
import { setLang } from '../i18n';
import { exportInvitations, query, uploadImport, type UploadProgress } from './api';
import { admErrorText } from './context';

describe('query', () => {
  it('keeps only values that say something', () => {
    expect(query({})).toBe('');
    expect(query({ a: '', b: null, c: undefined, d: false })).toBe('');
    expect(query({ unit_id: 4, q: 'Иван', archived: true, offset: 0 })).toBe('?unit_id=4&q=%D0%98%D0%B2%D0%B0%D0%BD&archived=1&offset=0');
  });
});

/* A stand-in for XMLHttpRequest that records what is sent and lets the test
 * play the upload and the answer. */
class FakeXhr {
  static last: FakeXhr | null = null;
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: unknown = null;
  withCredentials = false;
  status = 0;
  responseText = '';
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null;
    onload: (() => void) | null } = { onprogress: null, onload: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor() {
    FakeXhr.last = this;
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(k: string, v: string) {
    this.headers[k] = v;
  }
  getResponseHeader() {
    return null;
  }
  send(body: unknown) {
    this.body = body;
  }
  abort() {
    this.onabort?.();
  }
  answer(status: number, body: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

const REPORT = { dry_run: true, encoding: 'utf-8', delimiter: ';', rows: 2,
  created: { groups: 0, students: 1, parents: 0, staff: 0, branches: 0 }, updated: 0, unchanged: 0, skipped: 1,
  errors: [{ line: 3, field: 'group_code', code: 'unknown_group', message: 'нет группы' }], errors_total: 1,
  errors_truncated: false };

describe('uploadImport', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setCsrfToken(null);
    setLang('ru');
  });

  it('posts the file as text/csv with CSRF and language, reporting progress, then the report', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    setCsrfToken('tok');
    setLang('en');
    const seen: UploadProgress[] = [];
    const file = new Blob(['a'.repeat(1000)], { type: 'text/csv' });
    const p = uploadImport(file, true, (x) => seen.push(x));
    const xhr = FakeXhr.last!;
    expect(xhr.method).toBe('POST');
    expect(xhr.url).toBe('/api/v1/import?dry_run=1');
    expect(xhr.withCredentials).toBe(true);
    expect(xhr.headers).toMatchObject({ 'Content-Type': 'text/csv', 'X-CSRF-Token': 'tok', 'Accept-Language': 'en' });
    expect(xhr.body).toBe(file);
    xhr.upload.onprogress!({ loaded: 400, total: 1000, lengthComputable: true });
    xhr.upload.onload!();
    xhr.answer(200, REPORT);
    await expect(p).resolves.toEqual(REPORT);
    expect(seen).toEqual([
      { loaded: 0, total: 1000, done: false },
      { loaded: 400, total: 1000, done: false },
      { loaded: 1000, total: 1000, done: true },
    ]);
  });

  it('applies without dry_run and turns failures into ApiError', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const p = uploadImport(new Blob(['x']), false, () => undefined);
    expect(FakeXhr.last!.url).toBe('/api/v1/import');
    FakeXhr.last!.answer(403, { error: { code: 'forbidden', message: 'нет' } });
    await expect(p).rejects.toMatchObject({ status: 403, code: 'forbidden' });

    const q = uploadImport(new Blob(['x']), true, () => undefined);
    FakeXhr.last!.onerror!();
    await expect(q).rejects.toMatchObject({ code: 'network' });
  });

  it('can be cancelled', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const ctl = new AbortController();
    const p = uploadImport(new Blob(['x']), true, () => undefined, ctl.signal);
    ctl.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('exportInvitations', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setCsrfToken(null);
  });

  it('sends the CSRF token on this state-changing GET and names the file from the answer', async () => {
    setCsrfToken('tok');
    const fetchMock = vi.fn(async () => new Response('\uFEFFlast_name;first_name\r\n', {
      status: 200, headers: { 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="invitations.csv"' },
    }));
    vi.stubGlobal('fetch', fetchMock);
    const r = await exportInvitations(4);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/import/invitations.csv?unit_id=4');
    expect((init.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok');
    expect(r.filename).toBe('invitations.csv');
    expect(await r.blob.text()).toContain('last_name');
  });

  it('reports the server error', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ error: { code: 'not_found', message: 'x', field: 'unit_id' } }),
      { status: 404, headers: { 'Content-Type': 'application/json' } })));
    await expect(exportInvitations(99)).rejects.toMatchObject({ status: 404, field: 'unit_id' });
  });
});

describe('admErrorText', () => {
  it('uses the text for the code and field when there is one, else the general one', () => {
    setLang('ru');
    expect(admErrorText(new ApiError(409, 'conflict', 'm', 'code'))).toBe('Группа с таким кодом уже есть');
    expect(admErrorText(new ApiError(409, 'conflict', 'm', 'role'), ['join', 'adm']))
      .toBe('Вы уже подали заявку по этой ссылке или уже состоите здесь');
    expect(admErrorText(new ApiError(409, 'conflict', 'm', 'role'))).toMatch(/последний администратор/);
    expect(admErrorText(new ApiError(403, 'forbidden', 'm'))).toBe('Недостаточно прав для этого действия');
    expect(admErrorText(new ApiError(409, 'conflict', 'сервер', 'nothing_known'))).toBe('Конфликт с текущим состоянием данных');
    setLang('en');
    expect(admErrorText(new ApiError(409, 'conflict', 'm', 'code'))).toBe('A group with this code already exists');
    setLang('ru');
  });
});
