import { useState } from 'react';

import { useApi } from '../context.js';
import { Outcome, useAction } from '../load.js';
import { useConsole } from './Console.js';
import { REENCRYPT_SECRETS, SECRET_KEYS, type SecretKeyStatus } from './operations.js';

/** Values per re-encryption step: small enough that each request answers quickly, so progress shows. */
const STEP = 5_000;

/**
 * The master keys and what still needs each (`kabar secrets status`), and moving sealed values to the current key
 * after a rotation (`kabar secrets reencrypt`), step by step with the hub's cursor. Both read whole tables: they run
 * when asked, never on opening the tab.
 */
export function MasterKeys(): React.JSX.Element {
  const { t } = useConsole();
  const { call } = useApi();
  const action = useAction();
  const [keys, setKeys] = useState<readonly SecretKeyStatus[] | null>(null);
  const [moved, setMoved] = useState<number | null>(null);

  const load = async (): Promise<void> => {
    const { secretKeys } = await call<{ secretKeys: { keys: readonly SecretKeyStatus[] } }>(SECRET_KEYS);
    setKeys(secretKeys.keys);
  };
  const show = (): void =>
    action.run(async () => {
      await load();
      return null;
    });
  const reencrypt = (): void =>
    action.run(async () => {
      let after: string | null = null;
      let total = 0;
      setMoved(0);
      do {
        const { reencryptSecrets }: { reencryptSecrets: { moved: number; cursor: string | null } } = await call<{ reencryptSecrets: { moved: number; cursor: string | null } }>(REENCRYPT_SECRETS, {
          after,
          limit: STEP,
        });
        total += reencryptSecrets.moved;
        setMoved(total);
        after = reencryptSecrets.cursor;
      } while (after !== null);
      await load();
      return `${t('reencrypted')}: ${String(total)}`;
    });

  return (
    <section>
      <h3>{t('masterKeys')}</h3>
      <p className="muted">{t('masterKeysHelp')}</p>
      <div className="row">
        <button type="button" disabled={action.busy} onClick={show}>
          {t('showKeys')}
        </button>
        <button type="button" disabled={action.busy || keys === null} onClick={reencrypt}>
          {t('reencrypt')}
        </button>
        {action.busy && moved !== null && <span className="muted">{moved}</span>}
      </div>
      <Outcome error={action.error} notice={action.notice} />
      {keys !== null && (
        <table>
          <thead>
            <tr>
              <th>{t('keyId')}</th>
              <th>{t('keyRole')}</th>
              <th>{t('sealedValues')}</th>
              <th>{t('auditEntries')}</th>
              <th>{t('neededFor')}</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.keyId} className="master-key" data-key={key.keyId}>
                <td>
                  <code>{key.keyId}</code>
                </td>
                <td>
                  {key.current ? t('keyCurrent') : key.held ? t('keyRetired') : t('keyNotHeld')}
                  {key.lookup && ` · ${t('keyLookup')}`}
                </td>
                <td>{key.sealedValues}</td>
                <td>{key.auditEntries}</td>
                <td>{key.neededFor.length === 0 ? t('keyDroppable') : key.neededFor.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
