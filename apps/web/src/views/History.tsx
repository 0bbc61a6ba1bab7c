import { useEffect, useState } from 'react';

import { useSession } from '../context.js';
import { Outcome, when } from '../load.js';
import { HISTORY, type HistoryItem } from '../operations.js';

const PAGE = 20;

/** Every notification and the policy's reasons, in the citizen's language (the hub writes the trail), newest first. */
export function History(): React.JSX.Element {
  const { t, lang, call, describe } = useSession();
  const [items, setItems] = useState<readonly HistoryItem[]>([]);
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const load = (after: string | null): void => {
    setLoading(true);
    call<{ myNotifications: readonly HistoryItem[] }>(HISTORY, { after }).then(
      ({ myNotifications }) => {
        setItems((shown) => (after === null ? myNotifications : [...shown, ...myNotifications]));
        // A full page may have more behind it; the next goes on from its last notification.
        setMore(myNotifications.length === PAGE);
        setLoading(false);
      },
      (failure: unknown) => {
        setError(describe(failure));
        setLoading(false);
      },
    );
  };
  useEffect(() => load(null), []);

  return (
    <section>
      <h2>{t('tabHistory')}</h2>
      <p className="muted">{t('historyHelp')}</p>
      <Outcome error={error} />
      {!loading && items.length === 0 && error === null && <p className="muted">{t('historyEmpty')}</p>}
      <ul className="list">
        {items.map((n) => (
          <li key={n.id} className="notification">
            <div className="row spread">
              <strong>{n.subject ?? n.eventType}</strong>
              <span className={`state state-${n.state}`}>{n.state}</span>
            </div>
            <p className="muted small">
              {n.agencyName} · {when(n.createdAt, lang)}
              {n.channel !== null && ` · ${t('via')} ${n.channel}`}
            </p>
            {n.purged && <p className="muted small">{t('purged')}</p>}
            <ul className="trail">
              {n.decisionTrail.map((step, i) => (
                <li key={i}>{step}</li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      {loading && <p className="muted">{t('loading')}</p>}
      {more && !loading && (
        <button type="button" onClick={() => load(items.at(-1)?.id ?? null)}>
          {t('olderNotifications')}
        </button>
      )}
    </section>
  );
}
