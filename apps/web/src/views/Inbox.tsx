import { useEffect, useState } from 'react';

import { useSession } from '../context.js';
import { Outcome, useAction, when } from '../load.js';
import { INBOX, type InboxMessage, type InboxPage, type InboxSurvey, MARK_ALL_READ, MARK_READ, MY_SURVEYS } from '../operations.js';
import { Survey } from './Survey.js';

/** The in-app inbox, newest first, a page at a time; opening a message marks it read. */
export function Inbox(): React.JSX.Element {
  const { t, lang, call, describe } = useSession();
  const [messages, setMessages] = useState<readonly InboxMessage[]>([]);
  const [unread, setUnread] = useState(0);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  /** Surveys that came with messages, by notification id. */
  const [surveys, setSurveys] = useState<ReadonlyMap<string, InboxSurvey>>(new Map());
  const action = useAction();

  const load = (after: string | null): void => {
    setLoading(true);
    call<{ myInbox: InboxPage }>(INBOX, { after }).then(
      ({ myInbox }) => {
        setMessages((shown) => (after === null ? myInbox.messages : [...shown, ...myInbox.messages]));
        setUnread(myInbox.unread);
        setNext(myInbox.next);
        setLoading(false);
      },
      (failure: unknown) => {
        setError(describe(failure));
        setLoading(false);
      },
    );
  };
  // The first page when the view opens; later pages on request. Surveys are few and recent: all at once.
  useEffect(() => {
    load(null);
    call<{ mySurveys: readonly InboxSurvey[] }>(MY_SURVEYS).then(
      ({ mySurveys }) => setSurveys(new Map(mySurveys.map((s) => [s.notificationId, s]))),
      (failure: unknown) => setError(describe(failure)),
    );
  }, []);
  const surveyChanged = (next: InboxSurvey): void => setSurveys((shown) => new Map(shown).set(next.notificationId, next));

  const markRead = (ids: readonly string[] | 'all'): void => {
    action.run(async () => {
      if (ids === 'all') await call(MARK_ALL_READ);
      else await call(MARK_READ, { ids });
      const now = new Date().toISOString();
      const marked = ids === 'all' ? null : new Set(ids);
      const fresh = marked === null ? unread : messages.filter((m) => m.readAt === null && marked.has(m.notificationId)).length;
      setMessages((shown) => shown.map((m) => (m.readAt === null && (marked === null || marked.has(m.notificationId)) ? { ...m, readAt: now } : m)));
      setUnread((count) => Math.max(0, count - fresh));
      return null;
    });
  };

  return (
    <section>
      <div className="row spread">
        <h2>
          {t('tabInbox')} <span className="badge" data-testid="unread">{unread}</span> <span className="muted small">{t('unread')}</span>
        </h2>
        {unread > 0 && (
          <button type="button" onClick={() => markRead('all')} disabled={action.busy}>
            {t('markAllRead')}
          </button>
        )}
      </div>
      <Outcome error={error ?? action.error} />
      {!loading && messages.length === 0 && error === null && <p className="muted">{t('inboxEmpty')}</p>}
      <ul className="list">
        {messages.map((m) => {
          const survey = surveys.get(m.notificationId);
          return (
            <li key={m.notificationId} className={m.readAt === null ? 'message unread' : 'message'}>
              <details onToggle={(e) => e.currentTarget.open && m.readAt === null && markRead([m.notificationId])}>
                <summary>
                  <strong>{m.subject ?? m.eventType}</strong> <span className="muted">· {m.agencyName} · {when(m.receivedAt, lang)}</span>
                </summary>
                <p className="body" lang={m.locale}>
                  {m.body}
                </p>
                {survey !== undefined && <Survey survey={survey} onChange={surveyChanged} />}
              </details>
            </li>
          );
        })}
      </ul>
      {loading && <p className="muted">{t('loading')}</p>}
      {next !== null && !loading && (
        <button type="button" onClick={() => load(next)}>
          {t('older')}
        </button>
      )}
    </section>
  );
}
