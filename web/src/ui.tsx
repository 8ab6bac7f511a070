// SPDX-License-Identifier: MIT
// Small shared pieces of UI: form fields with their hint and error wired up for
// screen readers, the submit button with progress, alert/status regions, the
// page title and heading, in-app links and the language toggle.
import type { ComponentChildren, Ref } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';
import { errorText, getLang, setLang, subscribeLang, t, type Lang, type MsgKey } from './i18n';
import { hasNavigated, navigate, shouldIntercept } from './router';

/* Something to tell the user: a catalogue key or an API error. Kept as data
 * and turned into text at render time, so it follows a language switch. */
export type Problem = { key: MsgKey } | { error: ApiError };

export function problemOf(e: unknown): Problem {
  if (e instanceof ApiError) return { error: e };
  return { key: 'error.unknown' };
}

export function problemText(p: Problem | null | undefined): string {
  if (!p) return '';
  return 'key' in p ? t(p.key) : errorText(p.error);
}

/* Re-render the calling component when the language changes. */
export function useLang(): Lang {
  const [lang, set] = useState(getLang);
  useEffect(() => subscribeLang(set), []);
  return lang;
}

export function useTitle(key: MsgKey): void {
  const text = t(key);
  useEffect(() => {
    document.title = `${text} — ${t('app.name')}`;
  }, [text]);
}

/* The page's h1. After an in-app navigation it takes focus, so that screen
 * readers announce the new page and keyboard users start from its top. */
export function PageHeading({ children, id }: { children: ComponentChildren; id?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (hasNavigated()) ref.current?.focus({ preventScroll: true });
  }, []);
  return <h1 ref={ref} id={id} tabIndex={-1} class="page-heading">{children}</h1>;
}

interface FieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  type?: 'text' | 'password' | 'email' | 'tel';
  hint?: string;
  error?: Problem | null;
  autoComplete?: string;
  inputMode?: 'text' | 'email' | 'tel';
  inputRef?: Ref<HTMLInputElement>;
  maxLength?: number;
}

/* A labelled input with its hint and error line. The error line always takes
 * its place, so an error appearing does not move the rest of the form. */
export function Field(p: FieldProps) {
  const hintId = `${p.id}-hint`;
  const errorId = `${p.id}-error`;
  const error = problemText(p.error);
  const describedBy = [p.hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      {p.hint && <p id={hintId} class="hint">{p.hint}</p>}
      <input
        id={p.id}
        name={p.id}
        ref={p.inputRef}
        // Preact types <input> per type value; any of ours takes the same attributes.
        type={(p.type ?? 'text') as 'text'}
        value={p.value}
        onInput={(e) => p.onInput((e.currentTarget as HTMLInputElement).value)}
        autoComplete={p.autoComplete}
        inputMode={p.inputMode}
        maxLength={p.maxLength}
        spellcheck={false}
        autoCapitalize="off"
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
      />
      <p id={errorId} class="field-error">{error}</p>
    </div>
  );
}

export function SubmitButton({ busy, label, busyLabel, variant = 'primary' }: {
  busy: boolean; label: string; busyLabel: string; variant?: 'primary' | 'secondary';
}) {
  return (
    <button type="submit" class={`btn btn-${variant}`} disabled={busy} aria-busy={busy ? 'true' : undefined}>
      {busy && <span class="spinner" aria-hidden="true" />}
      <span>{busy ? busyLabel : label}</span>
    </button>
  );
}

/* Always in the DOM (empty when there is nothing to say), so assistive
 * technology picks up its changes. */
export function Alert({ problem }: { problem: Problem | null }) {
  return <div role="alert" class="alert alert-error">{problemText(problem)}</div>;
}

export function Status({ text }: { text: string }) {
  return <div role="status" class="alert alert-ok">{text}</div>;
}

export function Spinner({ label }: { label: string }) {
  return (
    <div class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

/* An in-app link: a real <a href> (middle click, copy link work) that the
 * router handles on an ordinary click. */
export function Link({ href, active, class: className, children }: {
  href: string; active?: boolean; class?: string; children: ComponentChildren;
}) {
  return (
    <a
      href={href}
      class={className}
      aria-current={active ? 'page' : undefined}
      onClick={(e) => {
        if (shouldIntercept(e, e.currentTarget.target || null)) {
          e.preventDefault();
          navigate(href);
        }
      }}
    >
      {children}
    </a>
  );
}

/* Replace the URL before the browser paints (used for auth redirects). */
export function Redirect({ to }: { to: string }) {
  useLayoutEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

export function LangToggle() {
  const lang = getLang();
  const other: Lang = lang === 'ru' ? 'en' : 'ru';
  return (
    <button type="button" class="btn btn-ghost lang-toggle" lang={other} title={t('lang.switch')}
      onClick={() => setLang(other)}>
      {t('lang.other')}
    </button>
  );
}
