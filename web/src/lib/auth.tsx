import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { type Api, ApiError, createApi, errorMessage } from '../api/client';

const STORAGE_KEY = 'kirim.apiKey';

interface AuthState {
  api: Api | null;
  /** Why the person was signed out, shown on the sign-in screen. */
  notice: string | null;
  signIn(key: string): Promise<void>;
  signOut(notice?: string): void;
}

const AuthContext = createContext<AuthState | null>(null);

function readStoredKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [key, setKey] = useState<string | null>(readStoredKey);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback(
    (why?: string) => {
      try {
        sessionStorage.removeItem(STORAGE_KEY);
      } catch {}
      queryClient.clear();
      setKey(null);
      setNotice(why ?? null);
    },
    [queryClient],
  );

  const api = useMemo(
    () => (key ? createApi({ key, onUnauthorized: () => signOut('Your API key is no longer accepted. Sign in again.') }) : null),
    [key, signOut],
  );

  const signIn = useCallback(async (candidate: string) => {
    const trimmed = candidate.trim();
    if (!trimmed) throw new Error('Enter your API key.');
    try {
      await createApi({ key: trimmed }).sessions.list();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw new Error('That API key was not accepted.');
      throw new Error(errorMessage(err));
    }
    try {
      sessionStorage.setItem(STORAGE_KEY, trimmed);
    } catch {}
    setNotice(null);
    setKey(trimmed);
  }, []);

  const value = useMemo(() => ({ api, notice, signIn, signOut }), [api, notice, signIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

/** The API client of the signed-in person (screens render only when signed in). */
export function useApi(): Api {
  const { api } = useAuth();
  if (!api) throw new Error('useApi while signed out');
  return api;
}
