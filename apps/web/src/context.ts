import { createContext, useContext } from 'react';

import type { Variables } from './api.js';
import type { Lang, MessageKey } from './i18n.js';

/** What every view needs: the language, its texts and a GraphQL call made with the citizen's session. */
export interface Session {
  readonly lang: Lang;
  readonly t: (key: MessageKey) => string;
  readonly call: <T>(query: string, variables?: Variables) => Promise<T>;
  /** The citizen-facing text of any error a call threw. */
  readonly describe: (error: unknown) => string;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside <SessionContext.Provider>');
  return session;
}
