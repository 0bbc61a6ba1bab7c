import { type PluginInstallView, pluginsCommand } from '../../src/commands/plugins.js';
import type { Io } from '../../src/output.js';
import { type FakeGraphqlHub, startFakeGraphqlHub } from './fake-graphql-hub.js';

// A real HTTP server on 127.0.0.1 stands in for the hub's admin GraphQL endpoint and answers scripted bodies in order,
// so that the `kabar plugins` tests see the exact operations and variables the command sends.

export const TOKEN = 'adm_test0000test.secret';
export const INTEGRITY = 'sha512-3q2+7w==';
export const INSTALL_FIELDS = 'id name pluginId packageName version channel source integrity approved approvedAt configured config enabled check { ok detail at } ratePerSecond circuit';
export const ROUTE_FIELDS = 'channel agencyCode installId installName pluginId priority weight';
/** What every command that acts on an install asks first, to find it by id or name. */
export const LOOKUP = '{ pluginInstalls { id name pluginId } }';

export interface HubRequest {
  readonly authorization: string | undefined;
  readonly query: string;
  readonly variables: Record<string, unknown>;
}


export const data = (value: Record<string, unknown>): unknown => ({ data: value });

export const hubError = (code: string, message: string, extensions: Record<string, unknown> = {}): unknown => ({
  data: null,
  errors: [{ message, extensions: { code, ...extensions } }],
});

/** An install of the SMS plugin under its default name, as the hub shows it; `fields` changes some. */
export const anInstall = (fields: Partial<PluginInstallView> = {}): PluginInstallView => ({
  id: 'inst-1',
  name: 'sms-smpp',
  pluginId: 'sms-smpp',
  packageName: '@kabar/plugin-sms-smpp',
  version: '0.1.0',
  channel: 'sms',
  source: '/srv/kabar/plugins/sms-smpp',
  integrity: INTEGRITY,
  approved: true,
  approvedAt: '2025-01-02T07:00:00.000Z',
  configured: true,
  config: { host: '127.0.0.1', port: 2775, systemId: 'kabar', password: '********', defaultSender: 'KABAR' },
  enabled: false,
  check: null,
  ratePerSecond: null,
  circuit: 'closed',
  ...fields,
});

/** The answer to `LOOKUP` for these installs. */
export const installs = (...list: readonly PluginInstallView[]): unknown => data({ pluginInstalls: list.map(({ id, name, pluginId }) => ({ id, name, pluginId })) });

/** A platform-wide SMS route through the default install, as the hub shows it; `fields` changes some. */
export const aRoute = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  channel: 'sms',
  agencyCode: null,
  installId: 'inst-1',
  installName: 'sms-smpp',
  pluginId: 'sms-smpp',
  priority: 0,
  weight: 100,
  ...fields,
});

export interface PluginsRun {
  /** Settled already: assert on it with `resolves` / `rejects`. */
  readonly result: Promise<number>;
  readonly out: string[];
  readonly err: string[];
  readonly requests: HubRequest[];
}

/** Properties rather than methods, so that tests may take `run` off the runner. */
export interface PluginsRunner {
  readonly run: (args: readonly string[], answers?: readonly unknown[]) => Promise<PluginsRun>;
  readonly close: () => Promise<void>;
}

/**
 * Runs `kabar plugins …` against a fresh fake hub per run, capturing what it prints; `close` (in `afterEach`) stops
 * the last hub.
 * @example const cli = pluginsAgainstFakeHub(); const { result, out } = await cli.run(['list'], [data({ pluginInstalls: [] })]);
 */
export function pluginsAgainstFakeHub(): PluginsRunner {
  let hub: FakeGraphqlHub | undefined;
  return {
    run: async (args, answers = []) => {
      await hub?.close();
      // Answers the n-th request with `answers[n]` (a GraphQL response body).
      hub = await startFakeGraphqlHub((_request, n) => answers[n] ?? { errors: [{ message: 'unexpected request', extensions: { code: 'TEST' } }] });
      const out: string[] = [];
      const err: string[] = [];
      const io: Io = { out: (line) => out.push(line), err: (line) => err.push(line) };
      const result = pluginsCommand(args, io, { KABAR_URL: hub.url, KABAR_TOKEN: TOKEN });
      // Settled here so that a rejection is asserted by the test, never reported as unhandled.
      await result.catch(() => undefined);
      return { result, out, err, requests: hub.requests.map((r) => ({ authorization: r.authorization, query: r.body.query, variables: r.body.variables })) };
    },
    close: async () => {
      await hub?.close();
      hub = undefined;
    },
  };
}
