import { useState } from 'react';

import { ApiError } from '../api.js';
import { useApi } from '../context.js';
import { Outcome, useAction, useQuery, when } from '../load.js';
import { AgencySelect } from './AgencySelect.js';
import { useConsole } from './Console.js';
import { AGENCIES, type Agency, API_KEYS, type ApiKey, CREATE_AGENCY, type CreateAgencyInput, ISSUE_KEY, REVOKE_KEY, UPDATE_AGENCY, type UpdateAgencyInput } from './operations.js';

const blankToNull = (text: string): string | null => (text.trim() === '' ? null : text.trim());
const numberOrNull = (text: string): number | null => (text.trim() === '' ? null : Number(text.trim()));
/** A number field left empty takes the hub's default; anything but digits is named here, before it could be lost. */
const notWholeNumber = (text: string): boolean => text.trim() !== '' && !/^\d{1,9}$/.test(text.trim());
const linesOf = (text: string): string[] => text.split('\n').map((s) => s.trim()).filter((s) => s !== '');

const NUMBER_FIELDS = ['ratePerMinute', 'dailyQuota', 'answerTime'] as const;
const TIMEZONES = ['WIB', 'WITA', 'WIT'] as const;

/** Refuses, in the hub's words, a number field that would reach the hub as null (NaN) and silently keep its value. */
function checkNumbers(form: Readonly<Record<(typeof NUMBER_FIELDS)[number], string>>): void {
  const wrong = NUMBER_FIELDS.filter((name) => notWholeNumber(form[name]));
  if (wrong.length > 0) throw new ApiError('AGENCY_INVALID_INPUT', wrong.map((name) => `${name} must be a whole number`).join('; '));
}

const NEW_AGENCY = { code: '', name: '', defaultLocale: 'id', sources: '', sms: '', email: '', ratePerMinute: '', dailyQuota: '', answerTime: '', answerUnit: 'hours', timezone: 'WIB', weekdays: '12345', escalation: '' };
/** ISO weekdays, 1 Monday to 7 Sunday, with their names' text keys. */
const WEEKDAYS = [
  [1, 'mon'],
  [2, 'tue'],
  [3, 'wed'],
  [4, 'thu'],
  [5, 'fri'],
  [6, 'sat'],
  [7, 'sun'],
] as const;

type Settings = Omit<typeof NEW_AGENCY, 'code'>;

/** The form's fields as the hub takes them, for a new agency and an edited one alike. */
function settingsInput(form: Settings): UpdateAgencyInput {
  return {
    name: form.name.trim(),
    defaultLocale: form.defaultLocale,
    sources: linesOf(form.sources),
    // Both sender IDs go: the hub removes one sent as null, which is what an emptied field means.
    senderIds: { sms: blankToNull(form.sms), email: blankToNull(form.email) },
    ratePerMinute: numberOrNull(form.ratePerMinute),
    dailyQuota: numberOrNull(form.dailyQuota),
    // The answer time goes in the unit the form shows; the hub switches the agency to it.
    complaintResponseHours: form.answerUnit === 'hours' ? numberOrNull(form.answerTime) : null,
    complaintResponseWorkingDays: form.answerUnit === 'workingDays' ? numberOrNull(form.answerTime) : null,
    timezone: form.timezone,
    workingWeekdays: [...form.weekdays.matchAll(/[1-7]/g)].map((m) => Number(m[0])),
    // Empty means none: the hub removes an agency's escalation given as "".
    complaintEscalation: form.escalation,
  };
}

/** "72 hours" or "3 working days", as the agency's target stands. */
function answerTarget(agency: Agency, t: (key: 'unitHours' | 'unitWorkingDays') => string): string {
  return agency.complaintResponseWorkingDays === null ? `${String(agency.complaintResponseHours)} ${t('unitHours')}` : `${String(agency.complaintResponseWorkingDays)} ${t('unitWorkingDays')}`;
}
type FieldChange = React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>;

/** Agencies, a form for a new one, each agency's settings to edit and its API keys. The hub checks every field; its problems are shown. */
export function Agencies(): React.JSX.Element {
  const { t } = useConsole();
  const { call } = useApi();
  const { data, error, reload } = useQuery<{ agencies: readonly Agency[] }>(AGENCIES);
  const [open, setOpen] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [form, setForm] = useState(NEW_AGENCY);
  const action = useAction();
  const set = (name: keyof typeof form, value: string): void => setForm({ ...form, [name]: value });
  const field = (name: keyof typeof form) => (e: FieldChange) => set(name, e.target.value);

  const create = (e: React.FormEvent): void => {
    e.preventDefault();
    const input: CreateAgencyInput = { code: form.code.trim(), ...settingsInput(form) };
    action.run(async () => {
      checkNumbers(form);
      await call(CREATE_AGENCY, { input });
      setForm(NEW_AGENCY);
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
              <span>
                <button type="button" className="small" aria-expanded={editing === a.code} onClick={() => setEditing(editing === a.code ? null : a.code)}>
                  {t('edit')}
                </button>{' '}
                <button type="button" className="small" aria-expanded={open === a.code} onClick={() => setOpen(open === a.code ? null : a.code)}>
                  {t('keys')}
                </button>
              </span>
            </div>
            <p className="small muted">
              {a.sources.join(', ')} · SMS {a.senderIds.sms ?? '—'} · {a.senderIds.email ?? '—'} · {a.ratePerMinute}/{t('perMinute')} · {a.dailyQuota}/{t('perDay')} · {t('answerWithin')} {answerTarget(a, t)} ({a.timezone}){a.complaintEscalation === null ? '' : ` → ${a.complaintEscalation}`} · {t('callback')}: {a.callbackUrl ?? t('none')}
            </p>
            {editing === a.code && (
              <EditAgency
                agency={a}
                others={data.agencies}
                onSaved={() => {
                  setEditing(null);
                  reload();
                }}
                onCancel={() => setEditing(null)}
              />
            )}
            {open === a.code && <Keys agencyCode={a.code} />}
          </li>
        ))}
      </ul>
      <form onSubmit={create} className="card">
        <h2>{t('newAgency')}</h2>
        <AgencyFields form={form} field={field} set={set} others={data?.agencies ?? []}>
          <label>
            {t('code')} <input required value={form.code} onChange={field('code')} placeholder="bapenda-bdg" />
          </label>
        </AgencyFields>
        <button type="submit" disabled={action.busy}>
          {t('create')}
        </button>
        <Outcome error={action.error} notice={action.notice} />
      </form>
    </section>
  );
}

/** The fields a new agency and an edited one share; `children` (a new agency's code) leads the first row. */
function AgencyFields({
  form,
  field,
  set,
  others,
  children,
}: {
  readonly form: Settings;
  readonly field: (name: keyof Settings) => (e: FieldChange) => void;
  readonly set: (name: keyof Settings, value: string) => void;
  /** The agencies overdue complaints may escalate to (the agency itself is left out by the caller). */
  readonly others: readonly Agency[];
  readonly children?: React.ReactNode;
}): React.JSX.Element {
  const { t } = useConsole();
  return (
    <>
      <div className="row">
        {children}
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
        <label>
          {t('answerHours')} <input inputMode="numeric" value={form.answerTime} onChange={field('answerTime')} />
        </label>
        <label>
          {t('answerUnit')}
          <select value={form.answerUnit} onChange={field('answerUnit')}>
            <option value="hours">{t('unitHours')}</option>
            <option value="workingDays">{t('unitWorkingDays')}</option>
          </select>
        </label>
        <label>
          {t('timezone')}
          <select value={form.timezone} onChange={field('timezone')}>
            {TIMEZONES.map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="weekdays">
          <legend>{t('workingWeek')}</legend>
          {WEEKDAYS.map(([day, key]) => (
            <label key={day}>
              <input
                type="checkbox"
                checked={form.weekdays.includes(String(day))}
                onChange={(e) => set('weekdays', WEEKDAYS.map(([d]) => d).filter((d) => (d === day ? e.target.checked : form.weekdays.includes(String(d)))).join(''))}
              />{' '}
              {t(key)}
            </label>
          ))}
        </fieldset>
        <AgencySelect label={t('escalateTo')} value={form.escalation} agencies={others} blank="none" onChange={(code) => set('escalation', code)} />
      </div>
    </>
  );
}

/** One agency's settings as the hub holds them; every field is sent, so what the form shows is what the agency gets. */
function EditAgency({
  agency,
  others,
  onSaved,
  onCancel,
}: {
  readonly agency: Agency;
  readonly others: readonly Agency[];
  readonly onSaved: () => void;
  readonly onCancel: () => void;
}): React.JSX.Element {
  const { t } = useConsole();
  const { call } = useApi();
  const [form, setForm] = useState<Settings>({
    name: agency.name,
    defaultLocale: agency.defaultLocale,
    sources: agency.sources.join('\n'),
    sms: agency.senderIds.sms ?? '',
    email: agency.senderIds.email ?? '',
    ratePerMinute: String(agency.ratePerMinute),
    dailyQuota: String(agency.dailyQuota),
    answerTime: String(agency.complaintResponseWorkingDays ?? agency.complaintResponseHours),
    answerUnit: agency.complaintResponseWorkingDays === null ? 'hours' : 'workingDays',
    timezone: agency.timezone,
    weekdays: agency.workingWeekdays.join(''),
    escalation: agency.complaintEscalation ?? '',
  });
  const action = useAction();
  const set = (name: keyof Settings, value: string): void => setForm({ ...form, [name]: value });
  const field = (name: keyof Settings) => (e: FieldChange) => set(name, e.target.value);

  const save = (e: React.FormEvent): void => {
    e.preventDefault();
    const input = settingsInput(form);
    action.run(async () => {
      checkNumbers(form);
      await call(UPDATE_AGENCY, { code: agency.code, input });
      onSaved();
      return null;
    });
  };

  return (
    <form onSubmit={save} className="edit">
      <AgencyFields form={form} field={field} set={set} others={others.filter((a) => a.code !== agency.code)} />
      <button type="submit" disabled={action.busy}>
        {t('save')}
      </button>{' '}
      <button type="button" onClick={onCancel}>
        {t('cancel')}
      </button>
      <Outcome error={action.error} />
    </form>
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
