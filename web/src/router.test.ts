// SPDX-License-Identifier: MIT
// router.ts: path matching, route resolution and the guards around navigation.
import { describe, expect, it } from 'vitest';
import { APP_ROUTES } from './app';
import { isSafeNext, matchPath, normalizePath, resolveRoute, shouldIntercept } from './router';

describe('matchPath', () => {
  it('matches static paths exactly, ignoring trailing and doubled slashes', () => {
    expect(matchPath('/', '/')).toEqual({});
    expect(matchPath('/profile', '/profile')).toEqual({});
    expect(matchPath('/profile', '/profile/')).toEqual({});
    expect(matchPath('/profile', '//profile')).toEqual({});
    expect(matchPath('/profile', '/')).toBeNull();
    expect(matchPath('/', '/profile')).toBeNull();
    expect(matchPath('/profile', '/profile/x')).toBeNull();
    expect(matchPath('/profile', '/profiles')).toBeNull();
    expect(matchPath('/profile', '/Profile')).toBeNull();
  });

  it('captures :params, decoded', () => {
    expect(matchPath('/chats/:id', '/chats/42')).toEqual({ id: '42' });
    expect(matchPath('/chats/:id/messages/:seq', '/chats/a%20b/messages/7')).toEqual({ id: 'a b', seq: '7' });
    expect(matchPath('/chats/:id', '/chats')).toBeNull();
    expect(matchPath('/chats/:id', '/chats/1/2')).toBeNull();
    expect(matchPath('/chats/:id', '/chats/%E0%A4%A')).toBeNull(); // malformed escape
  });

  it('lets * take the rest of the path', () => {
    expect(matchPath('/files/*', '/files/a/b/c')).toEqual({ '*': 'a/b/c' });
    expect(matchPath('/files/*', '/files')).toEqual({ '*': '' });
    expect(matchPath('/files/*', '/other/a')).toBeNull();
  });

  it('normalizes paths', () => {
    expect(normalizePath('')).toBe('/');
    expect(normalizePath('/a//b/')).toBe('/a/b');
  });
});

describe('resolveRoute', () => {
  const routes = [{ path: '/', name: 'home' }, { path: '/chats/:id', name: 'chat' }, { path: '/*', name: 'any' }];
  it('picks the first matching route', () => {
    expect(resolveRoute(routes, '/')?.route.name).toBe('home');
    expect(resolveRoute(routes, '/chats/5')).toEqual({ route: routes[1], params: { id: '5' } });
    expect(resolveRoute(routes, '/nope')?.route.name).toBe('any');
    expect(resolveRoute(routes.slice(0, 2), '/nope')).toBeNull();
  });
});

describe('isSafeNext', () => {
  it('accepts in-app paths only', () => {
    expect(isSafeNext('/profile')).toBe(true);
    expect(isSafeNext('/chats/1?x=2')).toBe(true);
    for (const bad of [null, undefined, '', 'profile', 'https://evil.example/', '//evil.example', '/\\evil.example', '/api/v1/auth/logout']) {
      expect(isSafeNext(bad), String(bad)).toBe(false);
    }
  });
});

describe('shouldIntercept', () => {
  const click = { button: 0, metaKey: false, ctrlKey: false, shiftKey: false, altKey: false, defaultPrevented: false };
  it('handles plain left clicks on same-tab links', () => {
    expect(shouldIntercept(click, null)).toBe(true);
    expect(shouldIntercept(click, '_self')).toBe(true);
  });
  it('leaves new-tab and modified clicks to the browser', () => {
    expect(shouldIntercept({ ...click, ctrlKey: true }, null)).toBe(false);
    expect(shouldIntercept({ ...click, metaKey: true }, null)).toBe(false);
    expect(shouldIntercept({ ...click, shiftKey: true }, null)).toBe(false);
    expect(shouldIntercept({ ...click, button: 1 }, null)).toBe(false);
    expect(shouldIntercept({ ...click, defaultPrevented: true }, null)).toBe(false);
    expect(shouldIntercept(click, '_blank')).toBe(false);
  });
});

describe('the app route table', () => {
  it('resolves the pages of this version and nothing else', () => {
    expect(resolveRoute(APP_ROUTES, '/')?.route.path).toBe('/');
    expect(resolveRoute(APP_ROUTES, '/profile/')?.route.path).toBe('/profile');
    expect(resolveRoute(APP_ROUTES, '/no/such/page')).toBeNull();
    // /login and /setup are handled before the table: they work logged out.
    expect(resolveRoute(APP_ROUTES, '/login')).toBeNull();
    expect(resolveRoute(APP_ROUTES, '/setup')).toBeNull();
    for (const r of APP_ROUTES) expect(typeof r.page).toBe('function');
  });
});
