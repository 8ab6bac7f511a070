// SPDX-License-Identifier: MIT
// / (after login): a greeting for now; the chat list and the open chat will
// take this place in the next versions.
import type { User } from '../api';
import { roleName, t } from '../i18n';
import { Link, PageHeading, useTitle } from '../ui';
import { HomeTasks } from './admin/home-tasks';

export function HomePage({ user }: { user: User }) {
  useTitle('home.title');
  return (
    <div class="page">
      <PageHeading>{t('home.greeting', { name: user.name })}</PageHeading>
      <p class="lead">{t('home.lead')}</p>
      {user.roles.length > 0 && (
        <section class="section" aria-labelledby="home-roles">
          <h2 id="home-roles" class="section-heading">{t('home.roles')}</h2>
          <ul class="badges">
            {user.roles.map((r) => <li key={r} class="badge">{roleName(r)}</li>)}
          </ul>
        </section>
      )}
      <HomeTasks user={user} />
      <section class="card" aria-labelledby="home-profile">
        <h2 id="home-profile" class="section-heading">{t('home.profileCard')}</h2>
        <p class="muted">{t('home.profileText')}</p>
        <p class="actions">
          <Link href="/profile" class="btn btn-secondary">{t('home.profileLink')}</Link>
        </p>
      </section>
    </div>
  );
}

export function NotFoundPage() {
  useTitle('notFound.title');
  return (
    <div class="page">
      <PageHeading>{t('notFound.title')}</PageHeading>
      <p class="lead">{t('notFound.text')}</p>
      <p class="actions">
        <Link href="/" class="btn btn-primary">{t('notFound.home')}</Link>
      </p>
    </div>
  );
}
