import { useSession } from '../context.js';
import { Outcome, useAction, useQuery, when } from '../load.js';
import { EXPORT, ME, type Me } from '../operations.js';

/** The data export (a JSON file made in the browser, never stored elsewhere) and who acts for whom. */
export function MyData(): React.JSX.Element {
  const { t, lang, call } = useSession();
  const { data, error } = useQuery<{ me: Me }>(ME);
  const action = useAction();

  const download = (): void => {
    action.run(async () => {
      const { exportMyData } = await call<{ exportMyData: unknown }>(EXPORT);
      const file = new Blob([JSON.stringify(exportMyData, null, 2)], { type: 'application/json' });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(file);
      link.download = `kabar-data-${new Date().toISOString().slice(0, 10)}.json`;
      link.click();
      URL.revokeObjectURL(link.href);
      return null;
    });
  };

  return (
    <section>
      <h2>{t('tabData')}</h2>
      <p className="muted">{t('dataHelp')}</p>
      <button type="button" onClick={download} disabled={action.busy}>
        {t('download')}
      </button>
      <Outcome error={action.error ?? error} />
      <h3>{t('delegates')}</h3>
      {data?.me.delegates.length === 0 && <p className="muted">{t('noDelegates')}</p>}
      <ul className="list">
        {data?.me.delegates.map((d) => (
          <li key={d.id}>
            {d.direction === 'ACTS_FOR_ME' ? t('actsForMe') : t('iActFor')}: {d.nationalId ?? '—'} ({d.relation}) · {when(d.since, lang)}
          </li>
        ))}
      </ul>
    </section>
  );
}
