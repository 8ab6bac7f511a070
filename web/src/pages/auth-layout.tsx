// SPDX-License-Identifier: MIT
// The frame of the pages shown before login (login, first-administrator setup):
// the brand and the language toggle on top, one centred card below.
import type { ComponentChildren } from 'preact';
import { t } from '../i18n';
import { LangToggle } from '../ui';

export function AuthLayout({ children }: { children: ComponentChildren }) {
  return (
    <div class="auth-page">
      <header class="auth-header">
        <span class="brand">
          <span class="brand-mark" aria-hidden="true">P</span>
          <span>{t('app.name')}</span>
        </span>
        <LangToggle />
      </header>
      <main id="main" class="auth-main" tabIndex={-1}>
        <div class="card auth-card">{children}</div>
      </main>
    </div>
  );
}
