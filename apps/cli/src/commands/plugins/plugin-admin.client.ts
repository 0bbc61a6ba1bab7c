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

export type InstallRef = Pick<PluginInstallView, 'id' | 'pluginId'>;

export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** The lifecycle mutations that take an install's id and answer with the install. */
export type StepMutation = 'approvePlugin' | 'enablePlugin' | 'disablePlugin';

const INSTALL_FIELDS = 'id pluginId packageName version channel source integrity approved approvedAt configured config enabled check { ok detail at }';
const ROUTE_FIELDS = 'channel agencyCode installId pluginId priority weight';

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

  async install(source: string, integrity: string | null): Promise<PluginInstallView> {
    const query = `mutation($source: String!, $integrity: String) { installPlugin(source: $source, integrity: $integrity) { ${INSTALL_FIELDS} } }`;
    return (await this.graphql<{ installPlugin: PluginInstallView }>(query, { source, integrity })).installPlugin;
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
   * Looks refs up among the installs, read once: a ref is an install id or, failing that, a plugin id installed once.
   * @example (await hub.installFinder())('sms-smpp') // { id: 'a1b2…', pluginId: 'sms-smpp' }
   */
  async installFinder(): Promise<(ref: string) => InstallRef> {
    const { pluginInstalls } = await this.graphql<{ pluginInstalls: InstallRef[] }>('{ pluginInstalls { id pluginId } }');
    return (ref) => {
      const byId = pluginInstalls.find((p) => p.id === ref);
      if (byId !== undefined) return byId;
      const byPlugin = pluginInstalls.filter((p) => p.pluginId === ref);
      const [only, ...others] = byPlugin;
      if (only === undefined) throw new CliError(CliErrorCode.Failed, `no plugin install "${ref}": give an install id or a plugin id from \`kabar plugins list\``);
      if (others.length > 0) throw new CliError(CliErrorCode.Failed, `${ref} is installed ${byPlugin.length} times (ids ${byPlugin.map((p) => p.id).join(', ')}); give the install id`);
      return only;
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
