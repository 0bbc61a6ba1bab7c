import { useState } from 'react';

import { useSession } from '../context.js';
import { Choice, Outcome, useAction, useQuery } from '../load.js';
import { ADD_CONTACT, type ContactPoint, ME, type Me, REMOVE_CONTACT, VERIFY_CONTACT } from '../operations.js';

const CHANNELS = ['email', 'sms', 'whatsapp'] as const;

function stateOf(point: ContactPoint): 'verified' | 'unverified' | 'invalid' {
  if (point.invalid) return 'invalid';
  return point.verified ? 'verified' : 'unverified';
}

/** Contact points, masked as the hub shows them; a new one is confirmed with the code sent to it (double opt-in). */
export function Contacts(): React.JSX.Element {
  const { t, call } = useSession();
  const { data, error, reload } = useQuery<{ me: Me }>(ME);
  const [channel, setChannel] = useState<string>('email');
  const [address, setAddress] = useState('');
  const [pending, setPending] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const action = useAction();

  const add = (e: React.FormEvent): void => {
    e.preventDefault();
    action.run(async () => {
      const { addContactPoint } = await call<{ addContactPoint: { id: string } }>(ADD_CONTACT, { channel, address });
      setPending(addContactPoint.id);
      setAddress('');
      reload();
      return t('verifyHelp');
    });
  };

  const verify = (id: string) => (e: React.FormEvent) => {
    e.preventDefault();
    action.run(async () => {
      await call(VERIFY_CONTACT, { id, code: code.trim() });
      setPending(null);
      setCode('');
      reload();
      return t('saved');
    });
  };

  const remove = (id: string): void => {
    action.run(async () => {
      await call(REMOVE_CONTACT, { id });
      reload();
      return null;
    });
  };

  return (
    <section>
      <h2>{t('tabContacts')}</h2>
      <p className="muted">{t('contactsHelp')}</p>
      <Outcome error={error} />
      <ul className="list">
        {data?.me.contactPoints.map((point) => (
          <li key={point.id} className="contact" data-channel={point.channel}>
            <div className="row spread">
              <span>
                <strong>{point.channel}</strong> {point.address} <span className={`state state-${stateOf(point)}`}>{t(stateOf(point))}</span>
              </span>
              <button type="button" className="small" onClick={() => remove(point.id)} disabled={action.busy}>
                {t('remove')}
              </button>
            </div>
            {(pending === point.id || (!point.verified && !point.invalid)) && (
              <form className="row" onSubmit={verify(point.id)}>
                <label>
                  {t('code')} <input required inputMode="numeric" autoComplete="one-time-code" value={pending === point.id ? code : ''} onChange={(e) => { setPending(point.id); setCode(e.target.value); }} />
                </label>
                <button type="submit" disabled={action.busy}>
                  {t('verify')}
                </button>
              </form>
            )}
          </li>
        ))}
      </ul>
      <form onSubmit={add}>
        <h3>{t('addContact')}</h3>
        <div className="row">
          <Choice label={t('channel')} value={channel} options={CHANNELS} onChange={setChannel} />
          <label>
            {t('address')} <input required value={address} onChange={(e) => setAddress(e.target.value)} />
          </label>
          <button type="submit" disabled={action.busy}>
            {t('add')}
          </button>
        </div>
      </form>
      <Outcome error={action.error} notice={action.notice} />
    </section>
  );
}
