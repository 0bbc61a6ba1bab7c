import { useState } from 'react';

import { useSession } from '../context.js';
import { Choice, Outcome, useAction, useQuery, when } from '../load.js';
import { ADD_DELEGATE, EXPORT, ME, type Me, REMOVE_DELEGATE } from '../operations.js';

const RELATIONS = ['guardian', 'parent', 'child', 'spouse', 'caregiver'] as const;

/** The data export (a JSON file made in the browser, never stored elsewhere) and who acts for whom. */
export function MyData(): React.JSX.Element {
  const { t, lang, call } = useSession();
  const { data, error, reload } = useQuery<{ me: Me }>(ME);
  const [nationalId, setNationalId] = useState('');
  const [relation, setRelation] = useState<string>('guardian');
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

  const addDelegate = (e: React.FormEvent): void => {
    e.preventDefault();
    action.run(async () => {
      await call(ADD_DELEGATE, { nationalId: nationalId.replace(/\s/g, ''), relation });
      setNationalId('');
      reload();
      return t('saved');
    });
  };

  const removeDelegate = (delegateId: string): void => {
    action.run(async () => {
      await call(REMOVE_DELEGATE, { delegateId });
      reload();
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
      <h3>{t('delegates')}</h3>
      <p className="muted small">{t('delegatesHelp')}</p>
      <Outcome error={error} />
      {data?.me.delegates.length === 0 && <p className="muted">{t('noDelegates')}</p>}
      <ul className="list">
        {data?.me.delegates.map((d) => (
          <li key={d.id} className="delegate">
            <div className="row spread">
              <span>
                {d.direction === 'ACTS_FOR_ME' ? t('actsForMe') : t('iActFor')}: {d.nationalId ?? '—'} ({d.relation}) · {when(d.since, lang)}
              </span>
              {d.direction === 'ACTS_FOR_ME' && (
                <button type="button" className="small" onClick={() => removeDelegate(d.citizenId)} disabled={action.busy}>
                  {t('remove')}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      <form className="row" onSubmit={addDelegate}>
        <label>
          {t('delegateNik')} <input required inputMode="numeric" value={nationalId} onChange={(e) => setNationalId(e.target.value)} />
        </label>
        <Choice label={t('relation')} value={relation} options={RELATIONS} onChange={setRelation} />
        <button type="submit" disabled={action.busy}>
          {t('addDelegate')}
        </button>
      </form>
      <Outcome error={action.error} notice={action.notice} />
    </section>
  );
}
