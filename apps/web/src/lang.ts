import { useCallback, useState } from 'react';

import { browserLang, isLang, type Lang } from './i18n.js';

// One choice for both pages: a citizen who switched to English on the preference centre finds the console so too.
const LANG_KEY = 'kabar.lang';

/** The page's language: the one chosen before on this browser, else the browser's own preference; kept when changed. */
export function useLang(): [Lang, (next: string) => void] {
  const [lang, setLangState] = useState<Lang>(() => {
    const stored = localStorage.getItem(LANG_KEY);
    return isLang(stored) ? stored : browserLang(navigator.languages);
  });
  const setLang = useCallback((next: string) => {
    if (!isLang(next)) return;
    localStorage.setItem(LANG_KEY, next);
    document.documentElement.lang = next;
    setLangState(next);
  }, []);
  return [lang, setLang];
}
