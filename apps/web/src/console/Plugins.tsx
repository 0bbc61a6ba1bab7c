import { useState } from 'react';

import { ApiError } from '../api.js';
import { useApi } from '../context.js';
import { Outcome, useAction, useQuery, when } from '../load.js';
import { useConsole } from './Console.js';
import {
  APPROVE_PLUGIN,
  CHECK_PLUGIN,
  CONFIGURE_PLUGIN,
  DISABLE_PLUGIN,
  ENABLE_PLUGIN,
  INSTALL_PLUGIN,
  type PluginInstall,
  PLUGINS,
  type PluginsData,
  ROUTE_CHANNEL,
} from './operations.js';

/**
 * The admin's plugin path at run time: install a package found on the hub's machine, approve it, write its
 * configuration (checked against the plugin's schema by the hub; secrets come back masked and a mask sent back keeps
 * the stored secret), check it against its provider, enable it and route its channel to it.
 */
export function Plugins(): React.JSX.Element {
  const { t } = useConsole();
  const { call } = useApi();
  const { data, error, reload } = useQuery<PluginsData>(PLUGINS);
  const action = useAction();

  const run = (mutation: string, variables: Record<string, unknown>): void => {
    action.run(async () => {
      await call(mutation, variables);
      reload();
      return null;
    });
  };

  const available = data?.discoverPlugins.filter((p) => !p.installed) ?? [];
  return (
    <section>
      <p className="muted">{t('pluginsHelp')}</p>
      <Outcome error={error ?? action.error} />
      {data?.pluginInstalls.length === 0 && <p className="muted">{t('noPlugins')}</p>}
      <ul className="list">
        {data?.pluginInstalls.map((p) => (
          <Install key={p.id} install={p} busy={action.busy} run={run} routes={data.pluginRoutes.filter((r) => r.installName === p.name)} />
        ))}
      </ul>
      {available.length > 0 && (
        <>
          <h3>{t('available')}</h3>
          <ul className="list">
            {available.map((p) => (
              <li key={p.directory} className="discovered" data-plugin={p.pluginId}>
                <div className="row spread">
                  <span>
                    <strong>{p.pluginId}</strong> <span className="muted">{p.packageName}@{p.version} · {p.channel}</span>
                  </span>
                  <button type="button" onClick={() => run(INSTALL_PLUGIN, { source: p.directory })} disabled={action.busy}>
                    {t('install')}
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

interface InstallProps {
  readonly install: PluginInstall;
  readonly busy: boolean;
  readonly run: (mutation: string, variables: Record<string, unknown>) => void;
  readonly routes: PluginsData['pluginRoutes'];
}

function Install({ install: p, busy, run, routes }: InstallProps): React.JSX.Element {
  const { t, lang } = useConsole();
  const { call } = useApi();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const action = useAction();

  const edit = (): void => {
    setText(JSON.stringify(p.config ?? {}, null, 2));
    setEditing(!editing);
  };

  const save = (e: React.FormEvent): void => {
    e.preventDefault();
    action.run(async () => {
      let config: unknown;
      try {
        config = JSON.parse(text);
      } catch (error) {
        throw new ApiError('INVALID_PLUGIN_CONFIG', `not JSON: ${error instanceof Error ? error.message : String(error)}`);
      }
      await call(CONFIGURE_PLUGIN, { id: p.id, config });
      setEditing(false);
      run(CHECK_PLUGIN, { id: p.id });
      return t('saved');
    });
  };

  return (
    <li className="plugin" data-name={p.name}>
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
        {routes.length > 0 && ` · ${t('routes')}: ${routes.map((r) => `${r.channel}${r.agencyCode === null ? '' : ` (${r.agencyCode})`}`).join(', ')}`}
      </p>
      {p.check !== null && (
        <p className="small check" data-ok={String(p.check.ok)} data-at={p.check.at}>
          {t('lastCheck')} ({when(p.check.at, lang)}): {p.check.ok ? '✓' : '✗'} {p.check.detail}
        </p>
      )}
      <div className="row">
        {!p.approved && (
          <button type="button" onClick={() => run(APPROVE_PLUGIN, { id: p.id })} disabled={busy}>
            {t('approve')}
          </button>
        )}
        {p.approved && (
          <button type="button" aria-expanded={editing} onClick={edit}>
            {t('configure')}
          </button>
        )}
        <button type="button" onClick={() => run(CHECK_PLUGIN, { id: p.id })} disabled={busy || !p.configured}>
          {t('check')}
        </button>
        {p.enabled ? (
          <button type="button" onClick={() => run(DISABLE_PLUGIN, { id: p.id })} disabled={busy}>
            {t('disable')}
          </button>
        ) : (
          <button type="button" onClick={() => run(ENABLE_PLUGIN, { id: p.id })} disabled={busy}>
            {t('enable')}
          </button>
        )}
        {p.enabled && !routes.some((r) => r.channel === p.channel && r.agencyCode === null) && (
          <button type="button" onClick={() => run(ROUTE_CHANNEL, { channel: p.channel, id: p.id })} disabled={busy}>
            {t('routeHere')} {p.channel}
          </button>
        )}
      </div>
      {editing && (
        <form onSubmit={save}>
          <label>
            {t('configuration')} <textarea rows={8} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <button type="submit" disabled={action.busy}>
            {t('saveConfig')}
          </button>
        </form>
      )}
      <Outcome error={action.error} notice={action.notice} />
    </li>
  );
}
