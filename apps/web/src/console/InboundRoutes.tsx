import { useState } from 'react';

import { useApi } from '../context.js';
import { Choice, Outcome, useAction, useQuery } from '../load.js';
import { AgencySelect } from './AgencySelect.js';
import { useConsole } from './Console.js';
import { INBOUND_ROUTES, type InboundRoute, REMOVE_INBOUND_ROUTE, SET_INBOUND_ROUTE } from './operations.js';

const CHANNELS = ['sms', 'whatsapp'] as const;

/** Where citizens' own messages go: the routes, a form for another, and removal. The hub checks every field. */
export function InboundRoutes(): React.JSX.Element {
  const { t } = useConsole();
  const { call } = useApi();
  const { data, error, reload } = useQuery<{ inboundRoutes: readonly InboundRoute[]; agencies: readonly { code: string; name: string }[] }>(INBOUND_ROUTES);
  const [form, setForm] = useState({ agencyCode: '', channel: 'sms', to: '', keyword: '' });
  const action = useAction();
  const agencies = data?.agencies ?? [];
  const any = (value: string): string => (value === '' ? t('anyValue') : value);

  const save = (e: React.FormEvent): void => {
    e.preventDefault();
    action.run(async () => {
      await call(SET_INBOUND_ROUTE, { r: { ...form, agencyCode: form.agencyCode === '' ? (agencies[0]?.code ?? '') : form.agencyCode } });
      setForm({ ...form, to: '', keyword: '' });
      reload();
      return null;
    });
  };
  const remove = (id: string): void =>
    action.run(async () => {
      await call(REMOVE_INBOUND_ROUTE, { id });
      reload();
      return null;
    });

  return (
    <section>
      <p className="muted">{t('inboundHelp')}</p>
      <Outcome error={error ?? action.error} />
      {data?.inboundRoutes.length === 0 && <p className="muted">{t('noRoutes')}</p>}
      <table>
        <tbody>
          {data?.inboundRoutes.map((r) => (
            <tr key={r.id} className="route" data-channel={r.channel} data-to={r.to} data-keyword={r.keyword}>
              <td>{r.channel}</td>
              <td>{any(r.to)}</td>
              <td>{any(r.keyword)}</td>
              <td>→ {agencies.find((a) => a.code === r.agencyCode)?.name ?? r.agencyCode}</td>
              <td>
                <button type="button" className="small" disabled={action.busy} onClick={() => remove(r.id)}>
                  {t('remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={save} className="card">
        <div className="row">
          <AgencySelect label={t('agency')} value={form.agencyCode} agencies={agencies} onChange={(agencyCode) => setForm({ ...form, agencyCode })} />
          <Choice label={t('channel')} value={form.channel} options={CHANNELS} onChange={(channel) => setForm({ ...form, channel })} />
          <label>
            {t('inboundTo')} <input value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} placeholder="1708" />
          </label>
          <label>
            {t('keyword')} <input value={form.keyword} onChange={(e) => setForm({ ...form, keyword: e.target.value })} placeholder="PAJAK" />
          </label>
        </div>
        <button type="submit" disabled={action.busy}>
          {t('addRoute')}
        </button>
      </form>
    </section>
  );
}
