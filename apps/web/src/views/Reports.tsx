import { useEffect, useState } from 'react';

import { useSession } from '../context.js';
import { Outcome, when } from '../load.js';
import { ADD_TO_MY_COMPLAINT, MY_COMPLAINTS, type MyComplaint } from '../operations.js';

/** The citizen's own complaints and questions to agencies, each a conversation: theirs, and the agency's answers. */
export function Reports(): React.JSX.Element {
  const { t, lang, call, describe } = useSession();
  const [reports, setReports] = useState<readonly MyComplaint[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [drafts, setDrafts] = useState<Readonly<Record<string, string>>>({});
  const [sending, setSending] = useState<string | null>(null);

  const add = (e: React.FormEvent, id: string): void => {
    e.preventDefault();
    setSending(id);
    setError(null);
    call<{ addToMyComplaint: MyComplaint }>(ADD_TO_MY_COMPLAINT, { id, text: drafts[id] ?? '' }).then(
      ({ addToMyComplaint }) => {
        setReports((shown) => shown?.map((r) => (r.id === id ? addToMyComplaint : r)) ?? null);
        setDrafts((all) => ({ ...all, [id]: '' }));
        setSending(null);
      },
      (failure: unknown) => {
        setError(describe(failure));
        setSending(null);
      },
    );
  };

  useEffect(() => {
    call<{ myComplaints: readonly MyComplaint[] }>(MY_COMPLAINTS).then(
      ({ myComplaints }) => setReports(myComplaints),
      (failure: unknown) => setError(describe(failure)),
    );
  }, []);

  return (
    <section>
      <h2>{t('tabReports')}</h2>
      <p className="muted">{t('reportsHelp')}</p>
      <Outcome error={error} />
      {reports === null && error === null && <p className="muted">{t('loading')}</p>}
      {reports?.length === 0 && <p className="muted">{t('reportsEmpty')}</p>}
      <ul className="list">
        {reports?.map((r) => (
          <li key={r.id} className="notification">
            <div className="row spread">
              <strong>
                {r.reference} · {r.agencyName}
              </strong>
              <span className={`state state-${r.state}`}>{t(`reportState_${r.state}`)}</span>
            </div>
            <p className="muted small">
              {when(r.openedAt, lang)} · {t('via')} {r.channel}
              {r.answerDueAt === null ? null : (
                <span className="answer-due">
                  {' · '}
                  {t('reportAnswerDue')} {when(r.answerDueAt, lang)}
                </span>
              )}
            </p>
            <ul className="thread">
              {r.messages.map((m, i) => (
                <li key={i} className={m.direction === 'in' ? 'mine' : 'theirs'}>
                  <span className="muted small">
                    {m.direction === 'in' ? t('reportYou') : r.agencyName} · {when(m.at, lang)}
                  </span>
                  <p>{m.text ?? (m.hasMedia ? t('reportPhoto') : t('purged'))}</p>
                  {m.text !== null && m.hasMedia && <p className="muted small">{t('reportPhoto')}</p>}
                </li>
              ))}
            </ul>
            {r.state !== 'closed' && (
              <form className="row" onSubmit={(e) => add(e, r.id)}>
                <textarea aria-label={t('reportAdd')} placeholder={t('reportAdd')} maxLength={1000} value={drafts[r.id] ?? ''} onChange={(e) => setDrafts({ ...drafts, [r.id]: e.target.value })} />
                <button type="submit" disabled={sending === r.id}>
                  {t('reportSend')}
                </button>
              </form>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
