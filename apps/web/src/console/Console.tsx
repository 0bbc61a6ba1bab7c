import { createContext, useCallback, useContext, useMemo, useState } from 'react';

import { ApiError, callerWith, graphql } from '../api.js';
import { type Api, ApiContext } from '../context.js';
import type { Lang } from '../i18n.js';
import { useLang } from '../lang.js';
import { Agencies } from './Agencies.js';
import { AuditLog } from './AuditLog.js';
import { Citizens } from './Citizens.js';
import { ComplaintPerformance } from './ComplaintPerformance.js';
import { DaysOff } from './DaysOff.js';
import { HealthPanel } from './HealthPanel.js';
import { InboundRoutes } from './InboundRoutes.js';
import { Plugins } from './Plugins.js';
import { type ConsoleKey, consoleText } from './texts.js';

// The admin token lives in sessionStorage, as the citizen session does: it ends with the tab.
const TOKEN_KEY = 'kabar.admin';
const ADMIN_TOKEN = /^adm_[A-Za-z0-9]{12}\.[A-Za-z0-9_-]{43}$/;

const TABS = ['agencies', 'citizens', 'plugins', 'inbound', 'audit', 'health'] as const;
type Tab = (typeof TABS)[number];
const TAB_LABEL: Readonly<Record<Tab, ConsoleKey>> = { agencies: 'tabAgencies', citizens: 'tabCitizens', plugins: 'tabPlugins', inbound: 'tabInbound', audit: 'tabAudit', health: 'tabHealth' };

export interface ConsoleSession {
  readonly lang: Lang;
  readonly t: (key: ConsoleKey) => string;
}

const ConsoleContext = createContext<ConsoleSession | null>(null);

export function useConsole(): ConsoleSession {
  const session = useContext(ConsoleContext);
  if (session === null) throw new Error('useConsole outside <Console>');
  return session;
}

/** The platform admins' console at /console: agencies and their keys, plugin installs, the audit trail, health. Admin scope only. */
export function Console(): React.JSX.Element {
  const [lang, setLang] = useLang();
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(TOKEN_KEY));
  const [draft, setDraft] = useState('');
  const [tab, setTab] = useState<Tab>('agencies');
  const [refused, setRefused] = useState<string | null>(null);

  const endSession = useCallback(() => {
    sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
  }, []);

  const api = useMemo<Api>(
    () => ({
      call: callerWith(token, endSession),
      // Admins get the hub's own words with the code, which is what its documentation and logs use.
      describe: (error: unknown) => {
        if (!(error instanceof ApiError)) return String(error);
        const problems = error.problems.length === 0 ? '' : ` (${error.problems.join('; ')})`;
        return `${error.code}: ${error.message}${problems}`;
      },
    }),
    [token, endSession],
  );
  const session = useMemo<ConsoleSession>(() => ({ lang, t: (key) => consoleText(lang, key) }), [lang]);
  const t = session.t;

  const signIn = (e: React.FormEvent): void => {
    e.preventDefault();
    const candidate = draft.trim();
    // Checked on the hub at the first call; the shape is checked here so a pasted API key or session is named.
    if (!ADMIN_TOKEN.test(candidate)) {
      setRefused(`${t('token')}: adm_…`);
      return;
    }
    // The agencies query needs the admin scope: a token the hub does not know fails here, not later.
    graphql('{ agencies { id } }', {}, candidate).then(
      () => {
        sessionStorage.setItem(TOKEN_KEY, candidate);
        setDraft('');
        setRefused(null);
        setToken(candidate);
      },
      (error: unknown) => setRefused(api.describe(error)),
    );
  };

  return (
    <ApiContext.Provider value={api}>
      <ConsoleContext.Provider value={session}>
        <header className="top">
          <h1>{t('title')}</h1>
          <div className="top-actions">
            <select aria-label="Bahasa / Language" value={lang} onChange={(e) => setLang(e.target.value)}>
              <option value="id">Bahasa Indonesia</option>
              <option value="en">English</option>
            </select>
            {token !== null && (
              <button type="button" onClick={endSession}>
                {t('signOut')}
              </button>
            )}
          </div>
        </header>
        {token === null ? (
          <main className="card narrow">
            <form onSubmit={signIn}>
              <p className="muted">{t('tokenHelp')}</p>
              <label>
                {t('token')}
                <input type="password" autoComplete="off" required value={draft} onChange={(e) => setDraft(e.target.value)} />
              </label>
              <button type="submit">{t('signIn')}</button>
            </form>
            {refused !== null && (
              <p role="alert" className="error">
                {refused}
              </p>
            )}
          </main>
        ) : (
          <>
            <nav className="tabs" aria-label="sections">
              {TABS.map((name) => (
                <button key={name} type="button" aria-current={tab === name ? 'page' : undefined} onClick={() => setTab(name)}>
                  {t(TAB_LABEL[name])}
                </button>
              ))}
            </nav>
            <main>{view(tab)}</main>
          </>
        )}
      </ConsoleContext.Provider>
    </ApiContext.Provider>
  );
}

function view(tab: Tab): React.JSX.Element {
  switch (tab) {
    case 'agencies':
      return <Agencies />;
    case 'citizens':
      return <Citizens />;
    case 'plugins':
      return <Plugins />;
    case 'inbound':
      // Where citizens' messages go, and the calendar their answer times count on.
      return (
        <>
          <InboundRoutes />
          <ComplaintPerformance />
          <DaysOff />
        </>
      );
    case 'audit':
      return <AuditLog />;
    case 'health':
      return <HealthPanel />;
  }
}
