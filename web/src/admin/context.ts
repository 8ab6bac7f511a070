// SPDX-License-Identifier: MIT
// Shared state of the structure and people screens: the signed-in person's
// active assignments (grants, from GET /people/:me, cached per user so every
// screen and the menu ask once) and the college tree (GET /org/tree), as
// hooks; and the error text of an API error in these screens, which knows
// the messages for conflicts on particular fields.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type User } from '../api';
import { errorText, isMsgKey, t } from '../i18n';
import { problemOf, problemText } from '../ui';
import { orgApi, type Tree } from './api';
import { grantsOf, type Grant } from './scope';

let grantsCache: { key: string; promise: Promise<Grant[]> } | null = null;

function grantsKey(user: User): string {
  return `${user.id}:${user.roles.join(',')}`;
}

/* The user's grants, loaded once per user and set of roles. */
export function loadGrants(user: User): Promise<Grant[]> {
  const key = grantsKey(user);
  if (!grantsCache || grantsCache.key !== key) {
    const promise = orgApi.person(user.id).then(grantsOf);
    promise.catch(() => {
      if (grantsCache?.promise === promise) grantsCache = null; // retry next time
    });
    grantsCache = { key, promise };
  }
  return grantsCache.promise;
}

const grantsListeners = new Set<() => void>();

/* Forget the cached grants (after the user's own roles changed); screens and
 * the menu that use them load them again. */
export function invalidateGrants(): void {
  grantsCache = null;
  for (const fn of grantsListeners) fn();
}

/* null while loading; [] when they could not be loaded (the screens then fall
 * back to what the roles alone allow, and the server refuses the rest). */
export function useGrants(user: User): Grant[] | null {
  const [grants, setGrants] = useState<Grant[] | null>(null);
  const [version, setVersion] = useState(0);
  const key = grantsKey(user);
  useEffect(() => {
    const bump = () => setVersion((n) => n + 1);
    grantsListeners.add(bump);
    return () => {
      grantsListeners.delete(bump);
    };
  }, []);
  useEffect(() => {
    let live = true;
    loadGrants(user).then((g) => live && setGrants(g), () => live && setGrants((old) => old ?? []));
    return () => {
      live = false;
    };
  }, [key, version]);
  return grants;
}

export interface TreeState {
  tree: Tree | null;
  loading: boolean;
  problem: AdmProblem;
  reload: () => void;
}

/* The college tree; reload() asks again (after a change). */
export function useTree(archived = false): TreeState {
  const [tree, setTree] = useState<Tree | null>(null);
  const [loading, setLoading] = useState(true);
  const [problem, setProblem] = useState<AdmProblem>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    orgApi.tree(archived, ctl.signal).then(
      (t) => {
        setTree(t);
        setProblem(null);
        setLoading(false);
      },
      (err) => {
        if (ctl.signal.aborted) return;
        setProblem({ err });
        setLoading(false);
      },
    );
    return () => ctl.abort();
  }, [archived, version]);
  return { tree, loading, problem, reload: () => setVersion((n) => n + 1) };
}

/* The text for an error in these screens: a message for this code and field
 * when the catalogue has one ("adm.err.conflict.code": the group code is
 * taken; prefixes are tried in order), else the general one. */
export function admErrorText(err: unknown, prefixes: readonly string[] = ['adm']): string {
  if (err instanceof ApiError) {
    if (err.field) {
      for (const prefix of prefixes) {
        const key = `${prefix}.err.${err.code}.${err.field}`;
        if (isMsgKey(key)) return t(key);
      }
    }
    return errorText(err);
  }
  return problemText(problemOf(err));
}

/* A Problem that renders with admErrorText (kept as data so that it follows
 * a language switch). */
export type AdmProblem = { err: unknown; prefixes?: readonly string[] } | null;

export function admText(p: AdmProblem): string {
  return p ? admErrorText(p.err, p.prefixes) : '';
}

export function isForbidden(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 403 || err.code === 'forbidden');
}
