// SPDX-License-Identifier: MIT
// /import (platform administrator): load the e-journal's CSV (docs/import.md),
// check it first (a dry run: upload progress bar, then a spinner while the
// server checks), read the row-by-row report (line, column, message), then
// apply it; and download the personal invitation links of imported people
// for a mail merge.
import type { RefObject } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { User } from '../../api';
import { getLang, t, type MsgKey } from '../../i18n';
import { exportInvitations, uploadImport, type ImportReport, type UploadProgress } from '../../admin/api';
import { useGrants, useTree, type AdmProblem } from '../../admin/context';
import { formatBytes, percent, reportCounts } from '../../admin/format';
import { capabilities } from '../../admin/scope';
import { buildTree, unitOptions } from '../../admin/tree';
import { AdmAlert, AdmPage, BusyButton, Forbidden, SelectField, unitSelectOptions } from './widgets';

const EXAMPLE = '\uFEFFtype;external_id;last_name;first_name;middle_name;login;group_code;group_name;branch;enrolment_year;staff_role;student_external_id\r\n' +
  'group;g-101;;;;;ТМ-21;Технология машиностроения;;2021;;\r\n' +
  'staff;8;Исаева;Светлана;Олеговна;isaeva@college.ru;ТМ-21;;;;curator;\r\n' +
  'student;1001;Иванов;Пётр;Сергеевич;;ТМ-21;;;;;\r\n' +
  'parent;5001;Иванова;Мария;Ивановна;+79120000001;ТМ-21;;;;;1001\r\n';

const COUNT_KEY: Record<ReturnType<typeof reportCounts>[number]['key'], MsgKey> = {
  rows: 'adm.imp.c.rows',
  groups: 'adm.imp.c.groups',
  students: 'adm.imp.c.students',
  parents: 'adm.imp.c.parents',
  staff: 'adm.imp.c.staff',
  branches: 'adm.imp.c.branches',
  updated: 'adm.imp.c.updated',
  unchanged: 'adm.imp.c.unchanged',
  skipped: 'adm.imp.c.skipped',
};

type Phase = { kind: 'idle' } | { kind: 'upload'; dry: boolean; progress: UploadProgress };

/* Save a Blob as a file through a temporary link. */
function download(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ImportPage({ user }: { user: User }) {
  const grants = useGrants(user);
  const caps = capabilities(user.roles, grants);
  if (grants && !caps.import) return <AdmPage title="adm.imp.title"><Forbidden /></AdmPage>;
  return (
    <AdmPage title="adm.imp.title" wide lead={t('adm.imp.lead')}>
      <Upload />
      <ExportLinks />
    </AdmPage>
  );
}

function Upload() {
  const [file, setFile] = useState<File | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [report, setReport] = useState<ImportReport | null>(null);
  const [problem, setProblem] = useState<AdmProblem>(null);
  const [fileError, setFileError] = useState('');
  const ctlRef = useRef<AbortController | null>(null);
  const reportRef = useRef<HTMLHeadingElement>(null);
  const lang = getLang();
  useEffect(() => () => ctlRef.current?.abort(), []);
  useEffect(() => {
    if (report) reportRef.current?.focus();
  }, [report]);

  async function run(dry: boolean) {
    if (!file) {
      setFileError(t('adm.imp.v.file'));
      document.getElementById('import-file')?.focus();
      return;
    }
    setFileError('');
    setProblem(null);
    if (dry) setReport(null);
    const ctl = new AbortController();
    ctlRef.current = ctl;
    setPhase({ kind: 'upload', dry, progress: { loaded: 0, total: file.size, done: false } });
    try {
      const r = await uploadImport(file, dry, (progress) => setPhase({ kind: 'upload', dry, progress }), ctl.signal);
      setPhase({ kind: 'idle' });
      setReport(r);
    } catch (err) {
      setPhase({ kind: 'idle' });
      if (err instanceof DOMException && err.name === 'AbortError') return;
      const f = (err as { field?: string }).field;
      if (f === 'file') setFileError(t('adm.imp.badFile'));
      else setProblem({ err });
    }
  }

  const busy = phase.kind === 'upload';
  const pct = phase.kind === 'upload' ? percent(phase.progress.loaded, phase.progress.total) : 0;
  const valid = report ? report.rows - report.skipped : 0;
  const example = useMemo(() => new Blob([EXAMPLE], { type: 'text/csv;charset=utf-8' }), []);

  return (
    <section class="card" aria-labelledby="adm-imp-upload">
      <h2 id="adm-imp-upload" class="section-heading">{t('adm.imp.upload')}</h2>
      <p class="muted small">{t('adm.imp.format')}</p>
      <p class="actions">
        <button type="button" class="btn btn-ghost" onClick={() => download(example, 'parta-import-example.csv')}>
          {t('adm.imp.example')}
        </button>
      </p>
      <div class="field">
        <label for="import-file">{t('adm.imp.file')}</label>
        <p id="import-file-hint" class="hint">{t('adm.imp.fileHint')}</p>
        <input id="import-file" name="file" type="file" accept=".csv,text/csv,text/plain" disabled={busy}
          aria-describedby={`import-file-hint${fileError ? ' import-file-error' : ''}`} aria-invalid={fileError ? 'true' : undefined}
          onChange={(e) => {
            const f = (e.currentTarget as HTMLInputElement).files?.[0] ?? null;
            setFile(f);
            setReport(null);
            setProblem(null);
            setFileError('');
          }} />
        <p id="import-file-error" class="field-error">{fileError}</p>
      </div>
      {file && <p class="small muted">{t('adm.imp.chosen', { name: file.name, size: formatBytes(file.size, lang) })}</p>}
      <div class="actions">
        <BusyButton variant={report?.dry_run && valid > 0 ? 'secondary' : 'primary'} busy={busy && phase.kind === 'upload' && phase.dry}
          label={t('adm.imp.dryRun')} busyLabel={t('adm.imp.checking')} onClick={() => run(true)} disabled={busy} />
        {report?.dry_run && valid > 0 && (
          <BusyButton variant="primary" busy={busy && phase.kind === 'upload' && !phase.dry} label={t('adm.imp.apply', { n: valid })}
            busyLabel={t('adm.imp.applying')} onClick={() => run(false)} disabled={busy} />
        )}
        {busy && <button type="button" class="btn btn-ghost" onClick={() => ctlRef.current?.abort()}>{t('adm.cancel')}</button>}
      </div>
      <div class="adm-progress-slot" aria-live="polite">
        {phase.kind === 'upload' && !phase.progress.done && (
          <div class="adm-progress">
            <label for="import-progress">{t('adm.imp.uploading', { pct })}</label>
            <progress id="import-progress" max={100} value={pct}>{pct}%</progress>
          </div>
        )}
        {phase.kind === 'upload' && phase.progress.done && (
          <div class="loading" role="status">
            <span class="spinner" aria-hidden="true" />
            <span>{t(phase.dry ? 'adm.imp.serverChecking' : 'adm.imp.serverApplying')}</span>
          </div>
        )}
      </div>
      <AdmAlert problem={problem} />
      {report && <Report report={report} headingRef={reportRef} />}
    </section>
  );
}

function Report({ report, headingRef }: { report: ImportReport; headingRef: RefObject<HTMLHeadingElement | null> }) {
  const counts = reportCounts(report);
  return (
    <div class="adm-report">
      <h3 ref={headingRef} tabIndex={-1} class="adm-form-heading">
        {t(report.dry_run ? 'adm.imp.reportDry' : 'adm.imp.reportDone')}
      </h3>
      <p role="status" class={report.errors_total ? 'alert join-pending' : 'alert alert-ok'}>
        {report.errors_total ? t('adm.imp.withErrors', { n: report.errors_total }) :
          t(report.dry_run ? 'adm.imp.noErrorsDry' : 'adm.imp.noErrors')}
      </p>
      <dl class="adm-counts">
        {counts.map((c) => <div key={c.key}><dt>{t(COUNT_KEY[c.key])}</dt><dd>{c.n}</dd></div>)}
      </dl>
      {report.errors.length > 0 && (
        <div class="adm-table-wrap">
          <table class="adm-table adm-errors">
            <caption>{t('adm.imp.errorsCaption')}</caption>
            <thead>
              <tr><th scope="col">{t('adm.imp.line')}</th><th scope="col">{t('adm.imp.field')}</th><th scope="col">{t('adm.imp.message')}</th></tr>
            </thead>
            <tbody>
              {report.errors.map((e, i) => (
                <tr key={i}>
                  <td data-label={t('adm.imp.line')}>{e.line}</td>
                  <td data-label={t('adm.imp.field')}><code>{e.field ?? '—'}</code></td>
                  <td data-label={t('adm.imp.message')}>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {report.errors_truncated && <p class="muted small">{t('adm.imp.truncated', { shown: report.errors.length, total: report.errors_total })}</p>}
      {report.dry_run && report.errors_total > 0 && <p class="muted small">{t('adm.imp.skipNote')}</p>}
    </div>
  );
}

function ExportLinks() {
  const { tree } = useTree();
  const root = useMemo(() => (tree ? buildTree(tree.college, tree.units) : null), [tree]);
  const [unit, setUnit] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<AdmProblem>(null);
  const [done, setDone] = useState('');
  async function run() {
    setBusy(true);
    setProblem(null);
    setDone('');
    try {
      const { blob, filename } = await exportInvitations(unit ? Number(unit) : null);
      setBusy(false);
      download(blob, filename);
      setDone(t('adm.imp.exported'));
    } catch (err) {
      setBusy(false);
      setProblem({ err });
    }
  }
  return (
    <section class="card" aria-labelledby="adm-imp-export">
      <h2 id="adm-imp-export" class="section-heading">{t('adm.imp.export')}</h2>
      <p class="muted small">{t('adm.imp.exportLead')}</p>
      {root && (
        <div class="adm-filters">
          <SelectField id="export-unit" label={t('adm.people.unit')} value={unit} onChange={setUnit} compact
            options={unitSelectOptions(unitOptions(root).slice(1), t('adm.people.allUnits'))} />
        </div>
      )}
      <div class="actions">
        <BusyButton busy={busy} label={t('adm.imp.exportSubmit')} busyLabel={t('adm.imp.exporting')} onClick={run} />
      </div>
      <div role="status" class="alert alert-ok">{done}</div>
      <AdmAlert problem={problem} />
    </section>
  );
}
