import { CliError, CliErrorCode } from '../../cli-error.js';
import { adminToken, type Env, type HttpAnswer, HubClient, hubUrl } from '../../hub-client.js';
import type { HubValues } from './plugins.args.js';

export interface PluginCheckView {
  readonly ok: boolean;
  readonly detail: string;
  readonly at: string;
}

export interface PluginInstallView {
  readonly id: string;
  /** Unique; the plugin id unless the admin named it, so that one plugin can be installed twice. */
  readonly name: string;
  readonly pluginId: string;
  readonly packageName: string;
  readonly version: string;
  readonly channel: string;
  readonly source: string;
  readonly integrity: string;
  readonly approved: boolean;
  readonly approvedAt: string | null;
  readonly configured: boolean;
  /** Secrets come back as "********". */
  readonly config: unknown;
  readonly enabled: boolean;
  readonly check: PluginCheckView | null;
  /** Sends per second per hub worker; null when unlimited. */
  readonly ratePerSecond: number | null;
  /** Its circuit breaker on the hub instance that answered: closed, open or halfOpen. */
  readonly circuit: string;
}

export interface DiscoveredPluginView {
  readonly packageName: string;
  readonly version: string;
  readonly directory: string;
  readonly pluginId: string;
  readonly channel: string;
  readonly installed: boolean;
}

export interface PluginRouteView {
  readonly channel: string;
  readonly agencyCode: string | null;
  readonly installId: string;
  readonly installName: string;
  readonly pluginId: string;
  readonly priority: number;
  readonly weight: number;
}

/** One install in a route, as `setPluginRoute` takes it; left-out fields take the hub's defaults. */
export interface RouteInstallInput {
  readonly installId: string;
  readonly priority?: number;
  readonly weight?: number;
}

export type InstallRef = Pick<PluginInstallView, 'id' | 'name' | 'pluginId'>;

export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** The lifecycle mutations that take an install's id and answer with the install. */
export type StepMutation = 'approvePlugin' | 'enablePlugin' | 'disablePlugin';

const INSTALL_FIELDS = 'id name pluginId packageName version channel source integrity approved approvedAt configured config enabled check { ok detail at } ratePerSecond circuit';
const ROUTE_FIELDS = 'channel agencyCode installId installName pluginId priority weight';

/**
 * The hub's plugin admin GraphQL operations, one method each; errors come back as `CliError`s naming their codes.
 * @example const hub = PluginAdminClient.connect(values, env); const installs = await hub.installs();
 */
export class PluginAdminClient {
  private constructor(
    private readonly hub: AnswerKeepingHubClient,
    private readonly token: string,
  ) {}

  /** The hub and the token, from the common options (else KABAR_URL and KABAR_TOKEN). */
  static connect(values: HubValues, env: Env): PluginAdminClient {
    return new PluginAdminClient(new AnswerKeepingHubClient(hubUrl(values.url, env)), adminToken(values.token, env));
  }

  async discover(): Promise<DiscoveredPluginView[]> {
    return (await this.graphql<{ discoverPlugins: DiscoveredPluginView[] }>('{ discoverPlugins { packageName version directory pluginId channel installed } }')).discoverPlugins;
  }

  async installs(): Promise<PluginInstallView[]> {
    return (await this.graphql<{ pluginInstalls: PluginInstallView[] }>(`{ pluginInstalls { ${INSTALL_FIELDS} } }`)).pluginInstalls;
  }

  /** A null `name` lets the hub name the install after its plugin id. */
  async install(source: string, integrity: string | null, name: string | null): Promise<PluginInstallView> {
    const query = `mutation($source: String!, $integrity: String, $name: String) { installPlugin(source: $source, integrity: $integrity, name: $name) { ${INSTALL_FIELDS} } }`;
    return (await this.graphql<{ installPlugin: PluginInstallView }>(query, { source, integrity, name })).installPlugin;
  }

  /** A null `perSecond` lifts the cap. */
  async setRateLimit(id: string, perSecond: number | null): Promise<PluginInstallView> {
    const query = `mutation($id: ID!, $perSecond: Int) { setPluginRateLimit(id: $id, perSecond: $perSecond) { ${INSTALL_FIELDS} } }`;
    return (await this.graphql<{ setPluginRateLimit: PluginInstallView }>(query, { id, perSecond })).setPluginRateLimit;
  }

  /** Runs one lifecycle step; the alias gives every step's answer the same shape. */
  async step(mutation: StepMutation, id: string): Promise<PluginInstallView> {
    return (await this.graphql<{ install: PluginInstallView }>(`mutation($id: ID!) { install: ${mutation}(id: $id) { ${INSTALL_FIELDS} } }`, { id })).install;
  }

  async configure(id: string, config: Record<string, unknown>): Promise<PluginInstallView> {
    const query = `mutation($id: ID!, $config: JSON!) { configurePlugin(id: $id, config: $config) { ${INSTALL_FIELDS} } }`;
    return (await this.graphql<{ configurePlugin: PluginInstallView }>(query, { id, config })).configurePlugin;
  }

  async check(id: string): Promise<PluginInstallView> {
    return (await this.graphql<{ checkPlugin: PluginInstallView }>(`mutation($id: ID!) { checkPlugin(id: $id) { ${INSTALL_FIELDS} } }`, { id })).checkPlugin;
  }

  async uninstall(id: string): Promise<boolean> {
    return (await this.graphql<{ uninstallPlugin: boolean }>('mutation($id: ID!) { uninstallPlugin(id: $id) }', { id })).uninstallPlugin;
  }

  async routes(): Promise<PluginRouteView[]> {
    return (await this.graphql<{ pluginRoutes: PluginRouteView[] }>(`{ pluginRoutes { ${ROUTE_FIELDS} } }`)).pluginRoutes;
  }

  async setRoute(channel: string, agencyCode: string | null, installs: readonly RouteInstallInput[]): Promise<PluginRouteView[]> {
    const query = `mutation($channel: String!, $agencyCode: String, $installs: [PluginRouteInput!]!) { setPluginRoute(channel: $channel, agencyCode: $agencyCode, installs: $installs) { ${ROUTE_FIELDS} } }`;
    return (await this.graphql<{ setPluginRoute: PluginRouteView[] }>(query, { channel, agencyCode, installs })).setPluginRoute;
  }

  /**
   * Looks refs up among the installs, read once: a ref is an install id or, failing that, an install name (as the
   * hub's own mutations take them). A plugin id that names no install is refused with the names of its installs.
   * @example (await hub.installFinder())('sms-tsel') // { id: 'a1b2…', name: 'sms-tsel', pluginId: 'sms-smpp' }
   */
  async installFinder(): Promise<(ref: string) => InstallRef> {
    const { pluginInstalls } = await this.graphql<{ pluginInstalls: InstallRef[] }>('{ pluginInstalls { id name pluginId } }');
    return (ref) => {
      const found = pluginInstalls.find((p) => p.id === ref) ?? pluginInstalls.find((p) => p.name === ref);
      if (found !== undefined) return found;
      // Before names, a plugin id found its one install; say which names to use now rather than just "not found".
      const ofPlugin = pluginInstalls.filter((p) => p.pluginId === ref).map((p) => p.name);
      if (ofPlugin.length > 0) throw new CliError(CliErrorCode.Failed, `no plugin install named "${ref}": the ${ref} plugin is installed as ${ofPlugin.join(', ')}; give one of those names`);
      throw new CliError(CliErrorCode.Failed, `no plugin install "${ref}": give an install's name or id from \`kabar plugins list\``);
    };
  }

  /** The `extensions.problems` of an INVALID_PLUGIN_CONFIG error in the last answer, read defensively: it is the hub's JSON. */
  configProblems(): ConfigProblem[] {
    const errors = (this.hub.lastAnswer?.body as { errors?: unknown } | undefined)?.errors;
    if (!Array.isArray(errors)) return [];
    return errors.flatMap((error: unknown) => {
      const extensions = (error as { extensions?: { code?: unknown; problems?: unknown } } | null)?.extensions;
      if (extensions?.code !== 'INVALID_PLUGIN_CONFIG' || !Array.isArray(extensions.problems)) return [];
      return extensions.problems.flatMap((problem: unknown) => {
        const { path, message } = (problem ?? {}) as { path?: unknown; message?: unknown };
        return typeof path === 'string' && typeof message === 'string' ? [{ path, message }] : [];
      });
    });
  }

  private graphql<Data>(query: string, variables?: Record<string, unknown>): Promise<Data> {
    return this.hub.graphql<Data>(this.token, query, variables);
  }
}

/** A `HubClient` that keeps the last answer's body: its errors carry only code and message, not `extensions`. */
class AnswerKeepingHubClient extends HubClient {
  lastAnswer: HttpAnswer | undefined;

  override async post(path: string, token: string, contentType: string, body: string): Promise<HttpAnswer> {
    this.lastAnswer = await super.post(path, token, contentType, body);
    return this.lastAnswer;
  }
}
