// SPDX-License-Identifier: MIT
// Pieces shared by the structure and people screens: labelled inputs, selects,
// text areas and check boxes with their hint and error wired for screen
// readers (ui.tsx's Field covers text inputs only), the alert for API errors
// (with the field-aware texts of admin/context.ts), a two-step confirm button,
// the "not allowed" card, a unit select indented like the tree, and a pager.
import type { ComponentChildren, Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, type MsgKey } from '../../i18n';
import { matchPath } from '../../router';
import { Link, PageHeading, useTitle } from '../../ui';
import { admText, type AdmProblem } from '../../admin/context';

export function AdmAlert({ problem, id }: { problem: AdmProblem; id?: string }) {
  return <div id={id} role="alert" class="alert alert-error">{admText(problem)}</div>;
}

export function AdmStatus({ text }: { text: string }) {
  return <div role="status" class="alert alert-ok">{text}</div>;
}

/* The page frame of these screens: title, heading, optional lead. */
export function AdmPage({ title, heading, lead, actions, children, wide }: {
  title: MsgKey; heading?: string; lead?: string; actions?: ComponentChildren; children: ComponentChildren;
  wide?: boolean;
}) {
  useTitle(title);
  return (
    <div class={wide ? 'page adm-wide' : 'page'}>
      <div class="adm-page-head">
        <PageHeading>{heading ?? t(title)}</PageHeading>
        {actions && <div class="adm-head-actions">{actions}</div>}
      </div>
      {lead && <p class="lead">{lead}</p>}
      {children}
    </div>
  );
}

/* Shown instead of a screen the server refused (or the role cannot use). */
export function Forbidden() {
  return (
    <section class="card adm-forbidden" aria-labelledby="adm-forbidden">
      <h2 id="adm-forbidden" class="section-heading">{t('adm.forbidden.title')}</h2>
      <p class="muted">{t('adm.forbidden.text')}</p>
      <p class="actions"><Link href="/" class="btn btn-secondary">{t('notFound.home')}</Link></p>
    </section>
  );
}

interface BaseField {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  required?: boolean;
}

function describedBy(p: BaseField): string | undefined {
  return [p.hint ? `${p.id}-hint` : null, p.error ? `${p.id}-error` : null].filter(Boolean).join(' ') || undefined;
}

function FieldFrame(p: BaseField & { children: ComponentChildren; compact?: boolean }) {
  return (
    <div class={p.compact ? 'field adm-field-compact' : 'field'}>
      <label for={p.id}>{p.label}</label>
      {p.hint && <p id={`${p.id}-hint`} class="hint">{p.hint}</p>}
      {p.children}
      {!p.compact && <p id={`${p.id}-error`} class="field-error">{p.error ?? ''}</p>}
    </div>
  );
}

export function InputField(p: BaseField & {
  value: string; onInput: (v: string) => void; type?: string; autoComplete?: string; inputMode?: string;
  maxLength?: number; min?: number; max?: number; inputRef?: Ref<HTMLInputElement>; placeholder?: string;
  compact?: boolean;
}) {
  return (
    <FieldFrame {...p}>
      <input id={p.id} name={p.id} ref={p.inputRef} type={(p.type ?? 'text') as 'text'} value={p.value}
        onInput={(e) => p.onInput((e.currentTarget as HTMLInputElement).value)}
        autoComplete={p.autoComplete} inputMode={p.inputMode as 'text'} maxLength={p.maxLength} min={p.min}
        max={p.max} placeholder={p.placeholder} required={p.required}
        aria-invalid={p.error ? 'true' : undefined} aria-describedby={describedBy(p)} />
    </FieldFrame>
  );
}

export function TextAreaField(p: BaseField & {
  value: string; onInput: (v: string) => void; maxLength?: number; rows?: number;
  inputRef?: Ref<HTMLTextAreaElement>;
}) {
  return (
    <FieldFrame {...p}>
      <textarea id={p.id} name={p.id} ref={p.inputRef} value={p.value} rows={p.rows ?? 3} maxLength={p.maxLength}
        onInput={(e) => p.onInput((e.currentTarget as HTMLTextAreaElement).value)}
        aria-invalid={p.error ? 'true' : undefined} aria-describedby={describedBy(p)} />
    </FieldFrame>
  );
}

export interface Option {
  value: string;
  label: string;
  disabled?: boolean;
}

export function SelectField(p: BaseField & {
  value: string; onChange: (v: string) => void; options: readonly Option[]; disabled?: boolean;
  selectRef?: Ref<HTMLSelectElement>; compact?: boolean;
}) {
  return (
    <FieldFrame {...p}>
      <select id={p.id} name={p.id} ref={p.selectRef} value={p.value} disabled={p.disabled}
        onChange={(e) => p.onChange((e.currentTarget as HTMLSelectElement).value)}
        aria-invalid={p.error ? 'true' : undefined} aria-describedby={describedBy(p)}>
        {p.options.map((o) => <option key={o.value} value={o.value} disabled={o.disabled}>{o.label}</option>)}
      </select>
    </FieldFrame>
  );
}

export function CheckField({ id, label, hint, checked, onChange, disabled }: {
  id: string; label: string; hint?: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean;
}) {
  return (
    <div class="adm-check">
      <input id={id} type="checkbox" checked={checked} disabled={disabled}
        onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked)}
        aria-describedby={hint ? `${id}-hint` : undefined} />
      <label for={id}>{label}</label>
      {hint && <p id={`${id}-hint`} class="hint">{hint}</p>}
    </div>
  );
}

/* Options of a unit select, indented like the tree. */
export function unitSelectOptions(units: readonly { id: number; label: string; depth: number }[],
  empty?: string): Option[] {
  const out: Option[] = empty !== undefined ? [{ value: '', label: empty }] : [];
  for (const u of units) out.push({ value: String(u.id), label: `${'\u2003'.repeat(u.depth)}${u.label}` });
  return out;
}

export function BusyButton({ busy, label, busyLabel, onClick, variant = 'secondary', type = 'button', describedBy,
  disabled }: {
  busy: boolean; label: string; busyLabel?: string; onClick?: () => void; variant?: string;
  type?: 'button' | 'submit'; describedBy?: string; disabled?: boolean;
}) {
  return (
    <button type={type} class={`btn btn-${variant}`} disabled={busy || disabled} aria-busy={busy ? 'true' : undefined}
      aria-describedby={describedBy} onClick={onClick}>
      {busy && <span class="spinner" aria-hidden="true" />}
      <span>{busy && busyLabel ? busyLabel : label}</span>
    </button>
  );
}

/* A dangerous action asks once more in place: the button turns into
 * "confirm" and "cancel"; focus moves to "cancel", Escape cancels. */
export function ConfirmButton({ label, confirmLabel, busyLabel, onConfirm, busy, describedBy, question }: {
  label: string; confirmLabel: string; busyLabel: string; onConfirm: () => void; busy: boolean;
  describedBy?: string; question?: string;
}) {
  const [asking, setAsking] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) cancelRef.current?.focus();
    else if (wasAsking.current) openRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  useEffect(() => {
    if (!busy) setAsking(false);
  }, [busy]);
  if (!asking && !busy) {
    return (
      <button ref={openRef} type="button" class="btn btn-danger" aria-describedby={describedBy}
        onClick={() => setAsking(true)}>{label}</button>
    );
  }
  return (
    <span class="adm-confirm" role="group" aria-label={question ?? label}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !busy) setAsking(false);
      }}>
      {question && <span class="small">{question}</span>}
      <BusyButton busy={busy} label={confirmLabel} busyLabel={busyLabel} variant="danger" describedBy={describedBy}
        onClick={onConfirm} />
      {!busy && (
        <button ref={cancelRef} type="button" class="btn btn-ghost" onClick={() => setAsking(false)}>
          {t('adm.cancel')}
        </button>
      )}
    </span>
  );
}

/* "1–50 of 120" with previous / next. */
export function Pager({ offset, limit, total, onPage, busy }: {
  offset: number; limit: number; total: number; onPage: (offset: number) => void; busy?: boolean;
}) {
  if (total <= limit && offset === 0) return null;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(total, offset + limit);
  return (
    <nav class="adm-pager" aria-label={t('adm.pager.label')}>
      <button type="button" class="btn btn-secondary" disabled={busy || offset === 0}
        onClick={() => onPage(Math.max(0, offset - limit))}>{t('adm.pager.prev')}</button>
      <span class="muted small" aria-live="polite">{t('adm.pager.range', { from, to, total })}</span>
      <button type="button" class="btn btn-secondary" disabled={busy || to >= total}
        onClick={() => onPage(offset + limit)}>{t('adm.pager.next')}</button>
    </nav>
  );
}

/* Debounce a value (search boxes). */
export function useDebounced<T>(value: T, ms = 300): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

/* Copy text to the clipboard; falls back to a selected hidden text area. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}

/* A parameter of the current path ("/people/:id" → the id), "" if it does not match. */
export function routeParam(pattern: string, name: string): string {
  return matchPath(pattern, location.pathname)?.[name] ?? '';
}
