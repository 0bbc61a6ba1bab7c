import { useEffect, useState } from 'react';

import { ApiError } from '../api.js';
import { useSession } from '../context.js';
import { isLang, type Lang } from '../i18n.js';
import { Choice, Outcome, useAction, useQuery } from '../load.js';
import { type Cap, type ChannelOrder, ME, type Me, type PreferencesInput, type QuietHours, UPDATE_PREFERENCES } from '../operations.js';
import { moved } from '../order.js';

const TIMEZONES = ['WIB', 'WITA', 'WIT'] as const;
/** The classes a citizen may cap; critical messages never are. */
const CAPPED = ['transactional', 'reminder', 'informational'] as const;
const DAY = 86_400;
const WEEK = 7 * DAY;

/** A cap as the form holds it: the count as typed ('' for none) and its period. */
interface CapDraft {
  readonly count: string;
  readonly periodSeconds: number;
}

function capDrafts(caps: readonly Cap[]): Readonly<Record<string, CapDraft>> {
  return Object.fromEntries(CAPPED.map((c) => {
    const cap = caps.find((x) => x.messageClass === c);
    return [c, { count: cap === undefined ? '' : String(cap.count), periodSeconds: cap?.periodSeconds ?? DAY }];
  }));
}
/** A citizen's own order for every category they have not ordered: the inbox first, then what reaches a phone. */
const DEFAULT_ORDER: ChannelOrder = { category: '*', channels: ['inbox', 'email', 'whatsapp', 'sms', 'push'] };
type QuietMode = 'default' | 'none' | 'own';

function quietMode(quiet: QuietHours | null): QuietMode {
  if (quiet === null) return 'default';
  return quiet.start === quiet.end ? 'none' : 'own';
}

/** Language, time zone, quiet hours, digest and channel order: one save, which the hub checks as a whole. */
export function Preferences({ onLanguage }: { readonly onLanguage: (lang: Lang) => void }): React.JSX.Element {
  const { t, call } = useSession();
  const { data, error } = useQuery<{ me: Me }>(ME);
  const [language, setLanguage] = useState('id');
  const [timezone, setTimezone] = useState('WIB');
  const [mode, setMode] = useState<QuietMode>('default');
  const [quiet, setQuiet] = useState<QuietHours>({ start: '21:00', end: '06:00' });
  const [digest, setDigest] = useState(false);
  const [order, setOrder] = useState<readonly ChannelOrder[]>([]);
  const [caps, setCaps] = useState<Readonly<Record<string, CapDraft>>>(() => capDrafts([]));
  const action = useAction();

  useEffect(() => {
    if (data === null) return;
    setLanguage(data.me.language);
    setTimezone(data.me.timezone);
    setMode(quietMode(data.me.quietHours));
    if (data.me.quietHours !== null && data.me.quietHours.start !== data.me.quietHours.end) setQuiet(data.me.quietHours);
    setDigest(data.me.digest);
    setOrder(data.me.channelOrder);
    setCaps(capDrafts(data.me.caps));
  }, [data]);

  const save = (e: React.FormEvent): void => {
    e.preventDefault();
    const input: PreferencesInput = {
      language,
      timezone,
      digest,
      quietHours: mode === 'default' ? null : mode === 'none' ? { start: '00:00', end: '00:00' } : quiet,
      channelOrder: order,
      // The form's numbers go as typed: a wrong one comes back from the hub as a problem naming the field.
      caps: CAPPED.flatMap((c) => {
        const cap = caps[c];
        return cap === undefined || cap.count.trim() === '' ? [] : [{ messageClass: c, count: Number(cap.count), periodSeconds: cap.periodSeconds }];
      }),
    };
    action.run(async () => {
      // GraphQL would refuse a count that is not a number with a bare 400; the form says which field instead.
      const wrong = CAPPED.find((c) => caps[c] !== undefined && caps[c].count.trim() !== '' && !/^\d{1,9}$/.test(caps[c].count.trim()));
      if (wrong !== undefined) throw new ApiError('CITIZEN_INVALID_INPUT', `${wrong}: ${t('capNotNumber')}`);
      await call(UPDATE_PREFERENCES, { input });
      if (isLang(language)) onLanguage(language);
      return t('saved');
    });
  };

  const move = (category: string, index: number, by: -1 | 1): void => {
    setOrder((all) => all.map((entry) => (entry.category === category ? { category, channels: moved(entry.channels, index, by) } : entry)));
  };

  const forget = (category: string): void => setOrder((all) => all.filter((entry) => entry.category !== category));

  if (data === null) return <Outcome error={error} notice={t('loading')} />;
  return (
    <form onSubmit={save}>
      <h2>{t('tabPreferences')}</h2>
      <fieldset>
        <legend>{t('language')}</legend>
        {(['id', 'en'] as const).map((l) => (
          <label key={l} className="inline">
            <input type="radio" name="language" value={l} checked={language === l} onChange={() => setLanguage(l)} /> {l === 'id' ? 'Bahasa Indonesia' : 'English'}
          </label>
        ))}
      </fieldset>
      <Choice label={t('timezone')} value={timezone} options={TIMEZONES} onChange={setTimezone} />
      <fieldset>
        <legend>{t('quietHours')}</legend>
        <p className="muted small">{t('quietHelp')}</p>
        {(
          [
            ['default', 'quietDefault'],
            ['none', 'quietNone'],
            ['own', 'quietOwn'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="inline">
            <input type="radio" name="quiet" value={value} checked={mode === value} onChange={() => setMode(value)} /> {t(label)}
          </label>
        ))}
        {mode === 'own' && (
          <div className="row">
            <label>
              {t('from')} <input type="time" required value={quiet.start} onChange={(e) => setQuiet({ ...quiet, start: e.target.value })} />
            </label>
            <label>
              {t('until')} <input type="time" required value={quiet.end} onChange={(e) => setQuiet({ ...quiet, end: e.target.value })} />
            </label>
          </div>
        )}
      </fieldset>
      <label className="inline">
        <input type="checkbox" checked={digest} onChange={(e) => setDigest(e.target.checked)} /> {t('digest')}
      </label>
      <fieldset>
        <legend>{t('caps')}</legend>
        <p className="muted small">{t('capsHelp')}</p>
        {CAPPED.map((c) => (
          <div key={c} className="row" data-class={c}>
            <label>
              {c} <input inputMode="numeric" size={4} placeholder={t('capNone')} value={caps[c]?.count ?? ''} onChange={(e) => setCaps({ ...caps, [c]: { count: e.target.value, periodSeconds: caps[c]?.periodSeconds ?? DAY } })} />
            </label>
            <select aria-label={`${c}: ${t('perDay')} / ${t('perWeek')}`} value={caps[c]?.periodSeconds ?? DAY} onChange={(e) => setCaps({ ...caps, [c]: { count: caps[c]?.count ?? '', periodSeconds: Number(e.target.value) } })}>
              <option value={DAY}>{t('perDay')}</option>
              <option value={WEEK}>{t('perWeek')}</option>
              {/* A period set through the API that the form does not offer stays as it is. */}
              {caps[c] !== undefined && caps[c].periodSeconds !== DAY && caps[c].periodSeconds !== WEEK && <option value={caps[c].periodSeconds}>{caps[c].periodSeconds} s</option>}
            </select>
          </div>
        ))}
      </fieldset>
      <fieldset>
        <legend>{t('channelOrder')}</legend>
        <p className="muted small">{t('channelOrderHelp')}</p>
        {order.map((entry) => (
          <div key={entry.category} className="order" data-category={entry.category}>
            <div className="row">
              <strong>{entry.category === '*' ? t('anyCategory') : entry.category}</strong>
              <button type="button" className="small link" onClick={() => forget(entry.category)}>
                {t('remove')}
              </button>
            </div>
            <ol>
              {entry.channels.map((channel, i) => (
                <li key={channel}>
                  {channel}{' '}
                  <button type="button" className="small" aria-label={`${t('moveUp')} ${channel}`} disabled={i === 0} onClick={() => move(entry.category, i, -1)}>
                    ↑
                  </button>
                  <button type="button" className="small" aria-label={`${t('moveDown')} ${channel}`} disabled={i === entry.channels.length - 1} onClick={() => move(entry.category, i, 1)}>
                    ↓
                  </button>
                </li>
              ))}
            </ol>
          </div>
        ))}
        {!order.some((entry) => entry.category === '*') && (
          <button type="button" onClick={() => setOrder((all) => [...all, DEFAULT_ORDER])}>
            {t('addDefaultOrder')}
          </button>
        )}
      </fieldset>
      <button type="submit" disabled={action.busy}>
        {t('save')}
      </button>
      <Outcome error={action.error} notice={action.notice} />
    </form>
  );
}
