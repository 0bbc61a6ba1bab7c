import { createContext, useContext } from 'react';

import type { Variables } from './api.js';
import type { Lang, MessageKey } from './i18n.js';

/** GraphQL calls made with the signed-in credential (a citizen session or an admin token), and their errors in words. */
export interface Api {
  readonly call: <T>(query: string, variables?: Variables) => Promise<T>;
  /** The reader-facing text of any error a call threw. */
  readonly describe: (error: unknown) => string;
}

/** What every citizen view needs: the API, the language and its texts. */
export interface Session extends Api {
  readonly lang: Lang;
  readonly t: (key: MessageKey) => string;
}

export const ApiContext = createContext<Api | null>(null);
export const SessionContext = createContext<Session | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (api === null) throw new Error('useApi outside <ApiContext.Provider>');
  return api;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside <SessionContext.Provider>');
  return session;
}
