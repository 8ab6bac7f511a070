// SPDX-License-Identifier: MIT
// A tiny router over the History API: path patterns with :params and a
// trailing *, navigate(), a useLocation() hook and click interception for
// in-app links. The server answers index.html for any non-API GET path, so
// every route here is also a real URL that can be reloaded or bookmarked.
import { useEffect, useState } from 'preact/hooks';

export type Params = Record<string, string>;

export interface Location {
  path: string;
  search: URLSearchParams;
}

/* "/a//b/" → "/a/b"; the root stays "/". */
export function normalizePath(path: string): string {
  return '/' + path.split('/').filter(Boolean).join('/');
}

/* Match a pattern such as "/chats/:id" or "/files/*" against a path. Returns
 * the params (":id" → id, "*" → "*" with the rest of the path), or null. */
export function matchPath(pattern: string, path: string): Params | null {
  const pat = normalizePath(pattern).split('/').filter(Boolean);
  const segs = normalizePath(path).split('/').filter(Boolean);
  const params: Params = {};
  for (let i = 0; i < pat.length; i++) {
    const p = pat[i]!;
    if (p === '*') {
      params['*'] = segs.slice(i).join('/');
      return params;
    }
    const s = segs[i];
    if (s === undefined) return null;
    if (p.startsWith(':')) {
      let v: string;
      try {
        v = decodeURIComponent(s);
      } catch {
        return null;
      }
      params[p.slice(1)] = v;
    } else if (p !== s) {
      return null;
    }
  }
  return segs.length === pat.length ? params : null;
}

/* The first route whose pattern matches, with its params; null if none. */
export function resolveRoute<R extends { path: string }>(routes: readonly R[], path: string):
  { route: R; params: Params } | null {
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (params) return { route, params };
  }
  return null;
}

/* A "next" target after login is followed only if it stays inside the app. */
export function isSafeNext(next: string | null | undefined): next is string {
  return !!next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') &&
    !next.startsWith('/api/');
}

/* Whether a click on an in-app link should be handled by the router rather
 * than the browser (new tab, download, modified click...). */
export function shouldIntercept(e: {
  button: number; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; altKey: boolean;
  defaultPrevented: boolean;
}, target: string | null): boolean {
  return !e.defaultPrevented && e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey &&
    !e.altKey && (!target || target === '_self');
}

const listeners = new Set<() => void>();
let navigations = 0;

function notify(): void {
  for (const fn of listeners) fn();
}

/* Go to an in-app URL ("/profile", "/login?next=%2F"). */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const here = location.pathname + location.search;
  if (to === here && !opts.replace) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  navigations++;
  if (!opts.replace) window.scrollTo(0, 0);
  notify();
}

/* True once the user has moved inside the app (not on the first page load):
 * pages then move focus to their heading so screen readers announce them. */
export function hasNavigated(): boolean {
  return navigations > 0;
}

function readLocation(): Location {
  return { path: normalizePath(location.pathname), search: new URLSearchParams(location.search) };
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(readLocation);
  useEffect(() => {
    const update = () => setLoc((prev) => {
      const next = readLocation();
      return next.path === prev.path && next.search.toString() === prev.search.toString() ? prev : next;
    });
    const onPop = () => {
      navigations++;
      update();
    };
    listeners.add(update);
    window.addEventListener('popstate', onPop);
    update(); // a navigate() may have happened before this effect ran
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', onPop);
    };
  }, []);
  return loc;
}
