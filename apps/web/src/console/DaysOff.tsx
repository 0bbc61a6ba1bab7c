import { useState } from 'react';

import { useApi } from '../context.js';
import { Outcome, useAction, useQuery } from '../load.js';
import { AgencySelect } from './AgencySelect.js';
import { useConsole } from './Console.js';
import { type DayOff, DAYS_OFF, type DaysOffChange, REMOVE_DAY_OFF, SET_DAYS_OFF } from './operations.js';

/**
 * The working calendar answer times in working days count on: a year's days off, a form for another (national, or
 * one agency's), and removal. The hub checks every field and says how many waiting complaints moved.
 */
export function DaysOff(): React.JSX.Element {
  const { t } = useConsole();
  const { call } = useApi();
  const thisYear = new Date().getFullYear();
  const [year, setYear] = useState(thisYear);
  const { data, error, reload } = useQuery<{ daysOff: readonly DayOff[]; agencies: readonly { code: string; name: string }[] }>(DAYS_OFF, { year });
  const [form, setForm] = useState({ day: '', name: '', agencyCode: '' });
  const action = useAction();
  const agencies = data?.agencies ?? [];
  const moved = (change: DaysOffChange): string => `${String(change.dueTimesMoved)} ${t('dueTimesMoved')}`;

  const save = (e: React.FormEvent): void => {
    e.preventDefault();
    action.run(async () => {
      const { setDaysOff } = await call<{ setDaysOff: DaysOffChange }>(SET_DAYS_OFF, { days: [{ day: form.day, name: form.name, agencyCode: form.agencyCode === '' ? null : form.agencyCode }] });
      setForm({ ...form, day: '', name: '' });
      reload();
      return moved(setDaysOff);
    });
  };
  const remove = (d: DayOff): void =>
    action.run(async () => {
      const { removeDayOff } = await call<{ removeDayOff: DaysOffChange }>(REMOVE_DAY_OFF, { day: d.day, agencyCode: d.agencyCode });
      reload();
      return moved(removeDayOff);
    });

  return (
    <section className="days-off">
      <h2>{t('daysOffTitle')}</h2>
      <p className="muted">{t('daysOffHelp')}</p>
      <label>
        {t('year')}
        <select value={year} onChange={(e) => setYear(Number(e.target.value))}>
          {[thisYear - 1, thisYear, thisYear + 1, thisYear + 2].map((y) => (
            <option key={y} value={y}>
              {y}
            </option>
          ))}
        </select>
      </label>
      <Outcome error={error ?? action.error} notice={action.notice} />
      {data?.daysOff.length === 0 && <p className="muted">{t('noDaysOff')}</p>}
      <table>
        <tbody>
          {data?.daysOff.map((d) => (
            <tr key={`${d.day} ${d.agencyCode ?? ''}`} className="day-off" data-day={d.day} data-agency={d.agencyCode ?? ''}>
              <td>{d.day}</td>
              <td>{d.name}</td>
              <td>{d.agencyCode === null ? t('everyAgency') : (agencies.find((a) => a.code === d.agencyCode)?.name ?? d.agencyCode)}</td>
              <td>
                <button type="button" className="small" disabled={action.busy} onClick={() => remove(d)}>
                  {t('remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={save} className="card">
        <div className="row">
          <label>
            {t('dayOffDate')} <input type="date" required value={form.day} onChange={(e) => setForm({ ...form, day: e.target.value })} />
          </label>
          <label>
            {t('dayOffName')} <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} placeholder="Hari Kemerdekaan RI" />
          </label>
          <AgencySelect label={t('dayOffFor')} value={form.agencyCode} agencies={agencies} blank="everyAgency" onChange={(agencyCode) => setForm({ ...form, agencyCode })} />
        </div>
        <button type="submit" disabled={action.busy}>
          {t('addDayOff')}
        </button>
      </form>
    </section>
  );
}
