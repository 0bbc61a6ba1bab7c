import { useCallback, useEffect, useMemo, useState } from 'react';

import { ApiError, callerWith, graphql } from './api.js';
import { ApiContext, type Session, SessionContext } from './context.js';
import { errorText, type Lang, message, type MessageKey } from './i18n.js';
import { useLang } from './lang.js';
import { SIGN_OUT } from './operations.js';
import { Consents } from './views/Consents.js';
import { Contacts } from './views/Contacts.js';
import { History } from './views/History.js';
import { Inbox } from './views/Inbox.js';
import { MyData } from './views/MyData.js';
import { Preferences } from './views/Preferences.js';
import { Reports } from './views/Reports.js';
import { SignIn } from './views/SignIn.js';

// The session lives in sessionStorage: it ends with the tab, which matters on shared phones and kiosk PCs.
const TOKEN_KEY = 'kabar.session';

const TABS = ['inbox', 'history', 'reports', 'preferences', 'contacts', 'consents', 'data'] as const;
type Tab = (typeof TABS)[number];
const TAB_LABEL: Readonly<Record<Tab, MessageKey>> = {
  inbox: 'tabInbox',
  history: 'tabHistory',
  reports: 'tabReports',
  preferences: 'tabPreferences',
  contacts: 'tabContacts',
  consents: 'tabConsents',
  data: 'tabData',
};

/**
 * A demo link (`/#token=cit_…`, from the embedded hub's demo.json) signs in without a code. It is taken off the URL at
 * once and honoured only by a hub in embedded mode: anywhere else, a link that signs a citizen into someone else's
 * session would be a way to trick them into editing the wrong account.
 */
function takeLinkToken(): string | null {
  const match = /^#token=(cit_[A-Za-z0-9_-]{16,128})$/.exec(location.hash);
  if (match === null) return null;
  history.replaceState(null, '', location.pathname);
  return match[1] ?? null;
}

function initialTab(): Tab {
  const hash = location.hash.replace(/^#\/?/, '');
  return (TABS as readonly string[]).includes(hash) ? (hash as Tab) : 'inbox';
}

export function App(): React.JSX.Element {
  const [lang, setLang] = useLang();
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(TOKEN_KEY));
  const [tab, setTab] = useState<Tab>(initialTab);
  const [linkToken] = useState(takeLinkToken);
  const [linkRefused, setLinkRefused] = useState(false);

  useEffect(() => {
    if (linkToken === null) return;
    graphql<{ health: { mode: string } }>('{ health { mode } }', {}, null).then(
      ({ health }) => {
        if (health.mode !== 'embedded') {
          setLinkRefused(true);
          return;
        }
        sessionStorage.setItem(TOKEN_KEY, linkToken);
        setToken(linkToken);
      },
      () => setLinkRefused(true),
    );
  }, [linkToken]);

  const endSession = useCallback(() => {
    sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
  }, []);

  const session = useMemo<Session>(() => {
    const t = (key: MessageKey): string => message(lang, key);
    return {
      lang,
      t,
      call: callerWith(token, endSession),
      describe: (error: unknown) => (error instanceof ApiError ? errorText(lang, error.code, error.message) : String(error)),
    };
  }, [lang, token, endSession]);

  const signedIn = (next: string): void => {
    sessionStorage.setItem(TOKEN_KEY, next);
    setToken(next);
  };

  const signOut = async (): Promise<void> => {
    // Ends the session on the hub too, so a copied token stops working; the tab forgets it either way.
    await session.call(SIGN_OUT).catch(() => undefined);
    endSession();
  };

  const choose = (next: Tab): void => {
    history.replaceState(null, '', `#/${next}`);
    setTab(next);
  };

  return (
    <ApiContext.Provider value={session}>
      <SessionContext.Provider value={session}>
        <header className="top">
          <div>
            <h1>{session.t('title')}</h1>
            <p className="muted">{session.t('tagline')}</p>
          </div>
          <div className="top-actions">
            <label>
              {session.t('language')}{' '}
              <select aria-label={session.t('language')} value={lang} onChange={(e) => setLang(e.target.value)}>
                <option value="id">Bahasa Indonesia</option>
                <option value="en">English</option>
              </select>
            </label>
            {token !== null && (
              <button type="button" onClick={() => void signOut()}>
                {session.t('signOut')}
              </button>
            )}
          </div>
        </header>
        {linkRefused && token === null && (
          <p role="alert" className="error">
            {session.t('linkRefused')}
          </p>
        )}
        {token === null ? (
          <SignIn onSignedIn={signedIn} />
        ) : (
          <>
            <nav className="tabs" aria-label="sections">
              {TABS.map((name) => (
                <button key={name} type="button" aria-current={tab === name ? 'page' : undefined} onClick={() => choose(name)}>
                  {session.t(TAB_LABEL[name])}
                </button>
              ))}
            </nav>
            <main>{view(tab, setLang)}</main>
          </>
        )}
      </SessionContext.Provider>
    </ApiContext.Provider>
  );
}

function view(tab: Tab, setLang: (lang: Lang) => void): React.JSX.Element {
  switch (tab) {
    case 'inbox':
      return <Inbox />;
    case 'history':
      return <History />;
    case 'reports':
      return <Reports />;
    case 'preferences':
      return <Preferences onLanguage={setLang} />;
    case 'contacts':
      return <Contacts />;
    case 'consents':
      return <Consents />;
    case 'data':
      return <MyData />;
  }
}
