import { useSession } from '../context.js';
import { Outcome, useAction, useQuery, when } from '../load.js';
import { CONSENTS, type Consents as ConsentsData, type ConsentState, GRANT, WITHDRAW } from '../operations.js';

/**
 * The purposes agencies ask consent for, each with what the citizen decided; every change is a new receipt under the
 * privacy notice version in force, and the receipts are listed below.
 */
export function Consents(): React.JSX.Element {
  const { t, lang, call } = useSession();
  const { data, error, reload } = useQuery<ConsentsData>(CONSENTS);
  const action = useAction();

  const decide = (purpose: string, version: string, grant: boolean): void => {
    action.run(async () => {
      await call(grant ? GRANT : WITHDRAW, { purpose, version });
      reload();
      return t('saved');
    });
  };

  if (data === null) return <Outcome error={error} notice={t('loading')} />;
  const current = new Map<string, ConsentState>(data.me.consents.current.map((c) => [c.purpose, c]));
  return (
    <section>
      <h2>{t('tabConsents')}</h2>
      <p className="muted">{t('consentsHelp')}</p>
      {data.consentPurposes.length === 0 && <p className="muted">{t('consentsEmpty')}</p>}
      <ul className="list">
        {data.consentPurposes.map((p) => {
          const state = current.get(p.purpose);
          const granted = state?.granted === true;
          return (
            <li key={p.purpose} className="consent" data-purpose={p.purpose}>
              <div className="row spread">
                <strong>{p.purpose}</strong>
                <span className={`state state-${granted ? 'granted' : 'withdrawn'}`}>{state === undefined ? t('notAsked') : granted ? t('granted') : t('withdrawn')}</span>
              </div>
              <p className="muted small">
                {t('usedBy')}: {p.agencies.join(', ')}
              </p>
              {p.descriptions.length > 0 && <p className="small">{p.descriptions.join(' · ')}</p>}
              <p className="muted small">
                {t('noticeVersion')}: {p.noticeVersion}
              </p>
              <button type="button" onClick={() => decide(p.purpose, p.noticeVersion, !granted)} disabled={action.busy}>
                {granted ? t('withdraw') : t('grant')}
              </button>
            </li>
          );
        })}
      </ul>
      <Outcome error={action.error} notice={action.notice} />
      {data.me.consents.history.length > 0 && (
        <>
          <h3>{t('consentHistory')}</h3>
          <table>
            <tbody>
              {data.me.consents.history.map((r, i) => (
                <tr key={i}>
                  <td>{when(r.recordedAt, lang)}</td>
                  <td>{r.purpose}</td>
                  <td>{r.action === 'granted' ? t('granted') : t('withdrawn')}</td>
                  <td>{r.noticeVersion}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
