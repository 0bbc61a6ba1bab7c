import { useState } from 'react';

import { useSession } from '../context.js';
import { Choice, Outcome, useAction } from '../load.js';
import { REQUEST_CODE, SIGN_IN, type SignInResult } from '../operations.js';

const CHANNELS = ['email', 'sms', 'whatsapp'] as const;

/** Two steps: ask for a code at a verified address, then trade the code for a session. */
export function SignIn({ onSignedIn }: { readonly onSignedIn: (token: string) => void }): React.JSX.Element {
  const { t, call } = useSession();
  const [channel, setChannel] = useState<string>('email');
  const [address, setAddress] = useState('');
  const [code, setCode] = useState('');
  const [asked, setAsked] = useState(false);
  const action = useAction();

  const ask = (e: React.FormEvent): void => {
    e.preventDefault();
    action.run(async () => {
      await call(REQUEST_CODE, { channel, address });
      setAsked(true);
      return t('codeSent');
    });
  };

  const signIn = (e: React.FormEvent): void => {
    e.preventDefault();
    action.run(async () => {
      const { signIn: session } = await call<SignInResult>(SIGN_IN, { channel, address, code: code.trim() });
      onSignedIn(session.token);
      return null;
    });
  };

  return (
    <main className="card narrow">
      <h2>{t('signInHeading')}</h2>
      <p className="muted">{t('signInHelp')}</p>
      {!asked ? (
        <form onSubmit={ask}>
          <Choice label={t('channel')} value={channel} options={CHANNELS} onChange={setChannel} />
          <label>
            {t('address')}
            <input required autoComplete={channel === 'email' ? 'email' : 'tel'} value={address} onChange={(e) => setAddress(e.target.value)} />
          </label>
          <button type="submit" disabled={action.busy}>
            {t('sendCode')}
          </button>
        </form>
      ) : (
        <form onSubmit={signIn}>
          <label>
            {t('code')}
            <input required inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} />
          </label>
          <div className="row">
            <button type="submit" disabled={action.busy}>
              {t('signIn')}
            </button>
            <button type="button" className="link" onClick={() => setAsked(false)}>
              {t('back')}
            </button>
          </div>
        </form>
      )}
      <Outcome error={action.error} notice={action.notice} />
    </main>
  );
}
