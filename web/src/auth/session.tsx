// Who is signed in. The session lives in the gateway's HttpOnly cookie; the console learns the
// user from GET /users/me and forgets it when any call answers 401.
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, get, onUnauthorized, post } from '../api/client';
import type { User } from '../api/types';

export const ME_KEY = ['session', 'me'] as const;

// A hint, kept in localStorage, that this browser signed in and has not signed out: without it
// the console shows the login page at once instead of asking /users/me for a 401 (which the
// browser would log as a failed load). The session itself is the HttpOnly cookie.
const HINT_KEY = 'poise.signedIn';
export function setSignedInHint(on: boolean) {
  try {
    if (on) localStorage.setItem(HINT_KEY, '1');
    else localStorage.removeItem(HINT_KEY);
  } catch {
    // storage blocked: the console then always asks /users/me
  }
}
function signedInHint(): boolean {
  try {
    return localStorage.getItem(HINT_KEY) !== null;
  } catch {
    return true;
  }
}

interface SessionState {
  user: User | null;
  loading: boolean;
  error: unknown;
  canWrite: boolean;
  refresh: () => Promise<unknown>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

async function fetchMe(): Promise<User | null> {
  if (!signedInHint()) return null;
  try {
    return await get<User>('/users/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      setSignedInHint(false);
      return null;
    }
    throw e;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const me = useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000, retry: false });

  useEffect(
    () =>
      onUnauthorized(() => {
        setSignedInHint(false);
        qc.setQueryData(ME_KEY, null);
      }),
    [qc],
  );

  const user = me.data ?? null;
  const value: SessionState = {
    user,
    loading: me.isPending,
    error: me.error,
    canWrite: user?.role === 'admin',
    refresh: () => qc.invalidateQueries({ queryKey: ME_KEY }),
    // Revokes the session, then loads the login page afresh: nothing of the signed-out user's
    // data stays in memory (query cache, page state), and no page of theirs asks the API again.
    signOut: async () => {
      try {
        await post('/logout');
      } catch {
        // Already gone on the server (expired, revoked): signing out here is all that is left.
      } finally {
        setSignedInHint(false);
        window.location.assign('/login');
      }
    },
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

// True for admins: viewers see no write controls.
export const useCanWrite = () => useSession().canWrite;

// Renders its children for admins only.
export function WriteOnly({ children }: { children: ReactNode }) {
  return useCanWrite() ? <>{children}</> : null;
}
