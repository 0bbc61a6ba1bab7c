import { useSession } from '../context.js';
import { Outcome, useQuery, when } from '../load.js';
import { HISTORY, type HistoryItem } from '../operations.js';

/** Every notification and the policy's reasons, in the citizen's language (the hub writes the trail). */
export function History(): React.JSX.Element {
  const { t, lang } = useSession();
  const { data, error } = useQuery<{ myNotifications: readonly HistoryItem[] }>(HISTORY);
  return (
    <section>
      <h2>{t('tabHistory')}</h2>
      <p className="muted">{t('historyHelp')}</p>
      <Outcome error={error} />
      {data === null && error === null && <p className="muted">{t('loading')}</p>}
      {data?.myNotifications.length === 0 && <p className="muted">{t('historyEmpty')}</p>}
      <ul className="list">
        {data?.myNotifications.map((n) => (
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
    </section>
  );
}
