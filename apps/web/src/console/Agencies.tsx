import { useState } from 'react';

import { ApiError } from '../api.js';
import { useApi } from '../context.js';
import { Outcome, useAction, useQuery, when } from '../load.js';
import { useConsole } from './Console.js';
import { AGENCIES, type Agency, API_KEYS, type ApiKey, CREATE_AGENCY, type CreateAgencyInput, ISSUE_KEY, REVOKE_KEY } from './operations.js';

const blankToNull = (text: string): string | null => (text.trim() === '' ? null : text.trim());
const numberOrNull = (text: string): number | null => (text.trim() === '' ? null : Number(text.trim()));
/** A number field left empty takes the hub's default; anything but digits is named here, before it could be lost. */
const notWholeNumber = (text: string): boolean => text.trim() !== '' && !/^\d{1,9}$/.test(text.trim());

/** Agencies, a form for a new one, and each agency's API keys. The hub checks every field; its problems are shown. */
export function Agencies(): React.JSX.Element {
  const { t } = useConsole();
  const { call } = useApi();
  const { data, error, reload } = useQuery<{ agencies: readonly Agency[] }>(AGENCIES);
  const [open, setOpen] = useState<string | null>(null);
  const [form, setForm] = useState({ code: '', name: '', defaultLocale: 'id', sources: '', sms: '', email: '', ratePerMinute: '', dailyQuota: '' });
  const action = useAction();
  const field = (name: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => setForm({ ...form, [name]: e.target.value });

  const create = (e: React.FormEvent): void => {
    e.preventDefault();
    const input: CreateAgencyInput = {
      code: form.code.trim(),
      name: form.name.trim(),
      defaultLocale: form.defaultLocale,
      sources: form.sources.split('\n').map((s) => s.trim()).filter((s) => s !== ''),
      senderIds: { sms: blankToNull(form.sms), email: blankToNull(form.email) },
      ratePerMinute: numberOrNull(form.ratePerMinute),
      dailyQuota: numberOrNull(form.dailyQuota),
    };
    action.run(async () => {
      const wrong = (['ratePerMinute', 'dailyQuota'] as const).filter((name) => notWholeNumber(form[name]));
      if (wrong.length > 0) throw new ApiError('AGENCY_INVALID_INPUT', wrong.map((name) => `${name} must be a whole number`).join('; '));
      await call(CREATE_AGENCY, { input });
      setForm({ code: '', name: '', defaultLocale: 'id', sources: '', sms: '', email: '', ratePerMinute: '', dailyQuota: '' });
      reload();
      return t('created');
    });
  };

  return (
    <section>
      <Outcome error={error} />
      <ul className="list">
        {data?.agencies.map((a) => (
          <li key={a.id} className="agency" data-code={a.code}>
            <div className="row spread">
              <span>
                <strong>{a.name}</strong> <code>{a.code}</code>
              </span>
              <button type="button" className="small" aria-expanded={open === a.code} onClick={() => setOpen(open === a.code ? null : a.code)}>
                {t('keys')}
              </button>
            </div>
            <p className="small muted">
              {a.sources.join(', ')} · SMS {a.senderIds.sms ?? '—'} · {a.senderIds.email ?? '—'} · {t('ratePerMinute')} {a.ratePerMinute} · {t('dailyQuota')} {a.dailyQuota} · {t('callback')}: {a.callbackUrl ?? t('none')}
            </p>
            {open === a.code && <Keys agencyCode={a.code} />}
          </li>
        ))}
      </ul>
      <form onSubmit={create} className="card">
        <h2>{t('newAgency')}</h2>
        <div className="row">
          <label>
            {t('code')} <input required value={form.code} onChange={field('code')} placeholder="bapenda-bdg" />
          </label>
          <label>
            {t('name')} <input required value={form.name} onChange={field('name')} />
          </label>
          <label>
            {t('defaultLocale')}
            <select value={form.defaultLocale} onChange={field('defaultLocale')}>
              <option value="id">id</option>
              <option value="en">en</option>
            </select>
          </label>
        </div>
        <label>
          {t('sources')} <textarea required rows={2} value={form.sources} onChange={field('sources')} placeholder="/id/go/bandung/bapenda" />
        </label>
        <div className="row">
          <label>
            {t('smsSender')} <input value={form.sms} onChange={field('sms')} placeholder="BAPENDA-BDG" />
          </label>
          <label>
            {t('emailFrom')} <input value={form.email} onChange={field('email')} />
          </label>
          <label>
            {t('ratePerMinute')} <input inputMode="numeric" value={form.ratePerMinute} onChange={field('ratePerMinute')} />
          </label>
          <label>
            {t('dailyQuota')} <input inputMode="numeric" value={form.dailyQuota} onChange={field('dailyQuota')} />
          </label>
        </div>
        <button type="submit" disabled={action.busy}>
          {t('create')}
        </button>
        <Outcome error={action.error} notice={action.notice} />
      </form>
    </section>
  );
}

/** One agency's keys: issue (the secret is shown once, here, and never again), list, revoke. */
function Keys({ agencyCode }: { readonly agencyCode: string }): React.JSX.Element {
  const { t, lang } = useConsole();
  const { call } = useApi();
  const { data, error, reload } = useQuery<{ apiKeys: readonly ApiKey[] }>(API_KEYS, { agencyCode });
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'live' | 'test'>('test');
  const [secret, setSecret] = useState<string | null>(null);
  const action = useAction();

  const issue = (e: React.FormEvent): void => {
    e.preventDefault();
    action.run(async () => {
      const { issueApiKey } = await call<{ issueApiKey: { secret: string } }>(ISSUE_KEY, { agencyCode, kind, name: name.trim() });
      setSecret(issueApiKey.secret);
      setName('');
      reload();
      return null;
    });
  };

  const revoke = (keyId: string): void => {
    action.run(async () => {
      await call(REVOKE_KEY, { agencyCode, keyId });
      reload();
      return null;
    });
  };

  return (
    <div className="keys">
      <Outcome error={error ?? action.error} />
      {secret !== null && (
        <p role="status" className="notice">
          {t('secretOnce')} <code data-testid="secret">{secret}</code>
        </p>
      )}
      {data?.apiKeys.length === 0 && <p className="muted small">{t('noKeys')}</p>}
      <table>
        <tbody>
          {data?.apiKeys.map((k) => (
            <tr key={k.id} data-key={k.id}>
              <td>
                <code>{k.id}</code>
              </td>
              <td>{k.name}</td>
              <td>{k.kind}</td>
              <td>{when(k.createdAt, lang)}</td>
              <td>
                {k.revokedAt !== null ? (
                  <span className="state state-failed">{t('revoked')}</span>
                ) : (
                  <button type="button" className="small" onClick={() => revoke(k.id)} disabled={action.busy}>
                    {t('revoke')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="row" onSubmit={issue}>
        <label>
          {t('keyName')} <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          {t('kind')}
          <select value={kind} onChange={(e) => setKind(e.target.value === 'live' ? 'live' : 'test')}>
            <option value="test">test</option>
            <option value="live">live</option>
          </select>
        </label>
        <button type="submit" disabled={action.busy}>
          {t('issue')}
        </button>
      </form>
    </div>
  );
}
