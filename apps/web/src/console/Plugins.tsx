import { useApi } from '../context.js';
import { Outcome, useAction, useQuery, when } from '../load.js';
import { useConsole } from './Console.js';
import { APPROVE_PLUGIN, CHECK_PLUGIN, DISABLE_PLUGIN, ENABLE_PLUGIN, type PluginInstall,PLUGINS } from './operations.js';

/** Installed plugins with their state and last handshake; the steps after install: approve, check, enable, disable. */
export function Plugins(): React.JSX.Element {
  const { t, lang } = useConsole();
  const { call } = useApi();
  const { data, error, reload } = useQuery<{ pluginInstalls: readonly PluginInstall[] }>(PLUGINS);
  const action = useAction();

  const step = (mutation: string, id: string): void => {
    action.run(async () => {
      await call(mutation, { id });
      reload();
      return null;
    });
  };

  return (
    <section>
      <p className="muted">{t('pluginsHelp')}</p>
      <Outcome error={error ?? action.error} />
      {data?.pluginInstalls.length === 0 && <p className="muted">{t('noPlugins')}</p>}
      <ul className="list">
        {data?.pluginInstalls.map((p) => (
          <li key={p.id} className="plugin" data-name={p.name}>
            <div className="row spread">
              <span>
                <strong>{p.name}</strong> <span className="muted">{p.pluginId}@{p.version} · {p.channel}</span>
              </span>
              <span className={`state state-${p.enabled ? 'delivered' : 'held'}`}>{p.enabled ? t('enabled') : t('disabled')}</span>
            </div>
            <p className="small">
              {!p.approved && <span className="state state-failed">{t('notApproved')}</span>} {!p.configured && <span className="state state-held">{t('notConfigured')}</span>}{' '}
              {t('circuit')}: {p.circuit}
              {p.ratePerSecond !== null && ` · ${String(p.ratePerSecond)}/s`}
            </p>
            {p.check !== null && (
              <p className="small check" data-ok={String(p.check.ok)}>
                {t('lastCheck')} ({when(p.check.at, lang)}): {p.check.ok ? '✓' : '✗'} {p.check.detail}
              </p>
            )}
            <div className="row">
              {!p.approved && (
                <button type="button" onClick={() => step(APPROVE_PLUGIN, p.id)} disabled={action.busy}>
                  {t('approve')}
                </button>
              )}
              <button type="button" onClick={() => step(CHECK_PLUGIN, p.id)} disabled={action.busy || !p.configured}>
                {t('check')}
              </button>
              {p.enabled ? (
                <button type="button" onClick={() => step(DISABLE_PLUGIN, p.id)} disabled={action.busy}>
                  {t('disable')}
                </button>
              ) : (
                <button type="button" onClick={() => step(ENABLE_PLUGIN, p.id)} disabled={action.busy}>
                  {t('enable')}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
