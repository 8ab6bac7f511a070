// SPDX-License-Identifier: MIT
// The frame of every page after login: a sidebar (brand, main navigation, the
// place where the chat list will live, the user, language and logout) and the
// main area. Below 760px the sidebar becomes a drawer opened from a top bar.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { User } from './api';
import { t } from './i18n';
import { AdminNavItems } from './pages/admin/nav';
import { SidebarChats } from './chat/Sidebar';
import { LangToggle, Link, problemText, type Problem } from './ui';

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '') + (parts[1]?.[0] ?? '')).toUpperCase() || '?';
}

export function Shell({ user, path, onLogout, children }: {
  user: User;
  path: string;
  onLogout: () => Promise<Problem | null>;
  children: ComponentChildren;
}) {
  const [menuOpen, setMenuOpen] = useState(false);
  const [loggingOut, setLoggingOut] = useState(false);
  const [logoutProblem, setLogoutProblem] = useState<Problem | null>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
  const sidebar = useRef<HTMLElement>(null);

  useEffect(() => setMenuOpen(false), [path]);

  useEffect(() => {
    if (!menuOpen) return;
    sidebar.current?.querySelector<HTMLElement>('a, button')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setMenuOpen(false);
        menuButton.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  async function logout() {
    if (loggingOut) return;
    setLoggingOut(true);
    setLogoutProblem(null);
    const problem = await onLogout();
    // On success this component is gone; otherwise say why and stay.
    if (problem) {
      setLoggingOut(false);
      setLogoutProblem(problem);
    }
  }

  const nav = [
    { href: '/', label: t('nav.home') },
    { href: '/chats', label: t('nav.chats') },
    { href: '/profile', label: t('nav.profile') },
  ];

  return (
    <div class="shell" data-menu={menuOpen ? 'open' : 'closed'}>
      <a class="skip-link" href="#main">{t('app.skip')}</a>
      <header class="topbar">
        <button ref={menuButton} type="button" class="btn btn-ghost menu-button" aria-expanded={menuOpen}
          aria-controls="sidebar" onClick={() => setMenuOpen(!menuOpen)}>
          <span class="menu-icon" aria-hidden="true" />
          <span>{t('nav.menu')}</span>
        </button>
        <span class="brand">
          <span class="brand-mark" aria-hidden="true">P</span>
          <span>{t('app.name')}</span>
        </span>
      </header>

      <aside id="sidebar" class="sidebar" ref={sidebar}>
        <div class="sidebar-top">
          <span class="brand">
            <span class="brand-mark" aria-hidden="true">P</span>
            <span>{t('app.name')}</span>
          </span>
          <button type="button" class="btn btn-ghost close-menu" onClick={() => {
            setMenuOpen(false);
            menuButton.current?.focus();
          }}>
            {t('nav.closeMenu')}
          </button>
        </div>
        <nav aria-label={t('nav.label')} class="nav">
          <ul>
            {nav.map((item) => (
              <li key={item.href}>
                <Link href={item.href} active={path === item.href} class="nav-link">{item.label}</Link>
              </li>
            ))}
            <AdminNavItems user={user} path={path} />
          </ul>
        </nav>
        <section class="sidebar-chats" aria-labelledby="sidebar-chats-heading">
          <h2 id="sidebar-chats-heading" class="sidebar-heading">{t('chat.sidebar.recent')}</h2>
          <SidebarChats user={user} path={path} />
        </section>
        <div class="sidebar-footer">
          <div class="user-card">
            <span class="avatar" aria-hidden="true">{initials(user.name)}</span>
            <span class="user-text">
              <span class="user-name" title={user.name}>{user.name}</span>
              <span class="user-login muted small">{user.login}</span>
            </span>
          </div>
          <div role="alert" class="alert alert-error">{problemText(logoutProblem)}</div>
          <div class="sidebar-actions">
            <LangToggle />
            <button type="button" class="btn btn-secondary" onClick={logout} disabled={loggingOut}
              aria-busy={loggingOut ? 'true' : undefined}>
              {loggingOut && <span class="spinner" aria-hidden="true" />}
              <span>{loggingOut ? t('nav.loggingOut') : t('nav.logout')}</span>
            </button>
          </div>
        </div>
      </aside>
      <div class="backdrop" aria-hidden="true" onClick={() => setMenuOpen(false)} />

      <main id="main" class="main" tabIndex={-1}>{children}</main>
    </div>
  );
}
