// SPDX-License-Identifier: MIT
// The root component: asks the server who is logged in (/auth/me), then picks
// the page for the URL. Pages before login (/login, /setup) stand alone; every
// other page lives inside the Shell. Logged out, any other path (known or not)
// leads to /login; a session ended elsewhere leads there on the next request.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, onUnauthenticated, type User } from './api';
import { t, type MsgKey } from './i18n';
import { ADMIN_ROUTES } from './pages/admin/nav';
import { ChatLinkPage } from './chat/ChatLinks';
import { ChatsPage } from './pages/chats';
import { HomePage, NotFoundPage } from './pages/home';
import { JoinPage } from './pages/join';
import { LoginPage } from './pages/login';
import { ProfilePage } from './pages/profile';
import { SetupPage } from './pages/setup';
import { isSafeNext, matchPath, navigate, resolveRoute, useLocation } from './router';
import { Shell } from './shell';
import { Alert, problemOf, Redirect, Spinner, useLang, type Problem } from './ui';

/* Pages inside the shell. Chats and the college structure join this table. */
export const APP_ROUTES: readonly { path: string; page: ComponentType<{ user: User }> }[] = [
  { path: '/', page: HomePage },
  { path: '/profile', page: ProfilePage },
  { path: '/chats', page: ChatsPage },
  { path: '/chats/:id', page: ChatsPage },
  { path: '/chat-link/:token', page: ChatLinkPage },
  ...ADMIN_ROUTES,
];

type Auth =
  | { state: 'loading' }
  | { state: 'failed'; problem: Problem }
  | { state: 'anon'; notice: MsgKey | null }
  | { state: 'user'; user: User };

export function App() {
  useLang(); // re-render everything on a language switch
  const loc = useLocation();
  const [auth, setAuth] = useState<Auth>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    api.me(ctl.signal).then(
      (r) => setAuth({ state: 'user', user: r.user }),
      (err) => {
        if (ctl.signal.aborted) return;
        if (err instanceof ApiError && err.status === 401) setAuth({ state: 'anon', notice: null });
        else setAuth({ state: 'failed', problem: problemOf(err) });
      },
    );
    return () => ctl.abort();
  }, [attempt]);

  useEffect(() => {
    onUnauthenticated(() => setAuth({ state: 'anon', notice: 'login.sessionEnded' }));
    return () => onUnauthenticated(null);
  }, []);

  const loggedIn = (user: User, to: string) => {
    setAuth({ state: 'user', user });
    navigate(to, { replace: true });
  };

  if (loc.path === '/setup') {
    return <SetupPage token={loc.search.get('token')} onCreated={(user) => loggedIn(user, '/')} />;
  }

  if (auth.state === 'loading') {
    return <div class="splash"><Spinner label={t('app.loading')} /></div>;
  }

  if (auth.state === 'failed') {
    return (
      <div class="splash">
        <div class="card">
          <Alert problem={auth.problem} />
          <button type="button" class="btn btn-primary" onClick={() => {
            setAuth({ state: 'loading' });
            setAttempt((n) => n + 1);
          }}>{t('common.retry')}</button>
        </div>
      </div>
    );
  }

  // An invitation link works logged in or not; registering logs in.
  const joinToken = matchPath('/join/:token', loc.path)?.token;
  if (joinToken) {
    return <JoinPage token={joinToken} user={auth.state === 'user' ? auth.user : null}
      onUser={(u) => setAuth(u ? { state: 'user', user: u } : { state: 'anon', notice: null })} />;
  }

  if (loc.path === '/login') {
    if (auth.state === 'user') return <Redirect to="/" />;
    const next = loc.search.get('next');
    return <LoginPage notice={auth.notice} onLoggedIn={(user) => loggedIn(user, isSafeNext(next) ? next : '/')} />;
  }

  const match = resolveRoute(APP_ROUTES, loc.path);
  if (auth.state === 'anon') {
    const query = loc.search.toString();
    const here = loc.path + (query ? `?${query}` : '');
    const to = match && loc.path !== '/' ? `/login?next=${encodeURIComponent(here)}` : '/login';
    return <Redirect to={to} />;
  }

  const user = auth.user;
  const Page = match?.route.page ?? NotFoundPage;
  return (
    <Shell user={user} path={loc.path} onLogout={async () => {
      try {
        await api.logout();
      } catch (err) {
        // Already logged out elsewhere: that is what was asked for.
        if (!(err instanceof ApiError && err.status === 401)) return problemOf(err);
      }
      navigate('/login');
      setAuth({ state: 'anon', notice: 'login.loggedOut' });
      return null;
    }}>
      <Page key={loc.path} user={user} />
    </Shell>
  );
}
