// Who is signed in: `me`, read once after the page loads (the session cookie survives a reload) and
// after a sign-in; cleared when the API answers UNAUTHENTICATED or at sign-out.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { request, setOnUnauthenticated } from './graphql/client.js';
import { ME } from './graphql/operations.js';
import type { ResultOf } from './graphql/graphql.js';
import { signIn, signOut } from './session.js';

export type MeData = ResultOf<typeof ME>['me'];

interface Auth {
  /** undefined while the first `me` is in flight; null when nobody is signed in */
  me: MeData | null | undefined;
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<MeData | null | undefined>(undefined);
  const load = useCallback(async () => {
    try {
      setMe((await request(ME)).me);
    } catch {
      setMe(null);
    }
  }, []);
  useEffect(() => {
    setOnUnauthenticated(() => setMe(null));
    void load();
  }, [load]);
  const login = useCallback(
    async (username: string, password: string) => {
      await signIn(username, password);
      await load();
    },
    [load],
  );
  const logout = useCallback(async () => {
    await signOut();
    setMe(null);
  }, []);
  return <AuthContext.Provider value={{ me, login, logout }}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const a = useContext(AuthContext);
  if (!a) throw new Error('useAuth outside AuthProvider');
  return a;
}
