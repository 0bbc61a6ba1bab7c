import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { describeError } from '@kabar/core';

import { CliError, CliErrorCode } from '../cli-error.js';
import { adminToken, type Env, type HttpAnswer, HUB_OPTIONS, HubClient, hubUrl } from '../hub-client.js';
import { type Io, printJson, table } from '../output.js';

export const PLUGINS_HELP = `kabar plugins discover
kabar plugins list
kabar plugins install DIR|FILE.tgz [--integrity sha512-…]
kabar plugins approve ID
kabar plugins configure ID (--config-file FILE | --config JSON)
kabar plugins check ID
kabar plugins enable|disable|uninstall ID
kabar plugins routes
kabar plugins route CHANNEL INSTALL[:PRIORITY[:WEIGHT]]… [--agency CODE]

Channel plugins on a running hub, over its admin GraphQL API. A plugin is installed (the hub reads the package and
records its integrity), approved (an admin vouches for that exact package), configured (checked against the plugin's
schema), checked (the hub runs the provider's own check, e.g. an SMPP bind), enabled, and routed: a channel's
messages go through the installs its route names. ID is an install's id or its plugin id (e.g. sms-smpp).
  discover   plugin packages the hub finds on its machine (its plugins directory, node_modules), installed or not
  list       installs and their state
  install    DIR or FILE.tgz (from \`npm pack\`) is a path on the hub's machine; a relative path is made absolute
             against the current directory, which is right when the hub runs here. Prints the package's integrity:
             record it, and pass it as --integrity to install the same package elsewhere, so that the hub refuses a
             package that changed since it was reviewed
  configure  the whole configuration, as JSON; prefer --config-file for secrets (flags show in process lists).
             Problems are listed by path; the configuration the hub keeps is printed with secrets as "********"
  check      exits 1 when the check fails, with the provider's detail
  uninstall  removes the install
  routes     every route: per channel, and per agency where one has its own
  route      sets the route of CHANNEL (with --agency CODE, that agency's own; else the default) to the INSTALLs
             given (ids or plugin ids), replacing what it had. Lower PRIORITY first (default 0): failover goes
             down the priorities; WEIGHT (default 100) shares traffic among installs of the same priority,
             e.g. sms-smpp:0:80 other-sms:0:20 backup-sms:1

Example: the SMS plugin, tried against \`kabar smsc\` (a local SMSC) running in another terminal
  kabar plugins discover
  kabar plugins install ./plugins/sms-smpp        # prints the install's id and the package's integrity
  kabar plugins approve sms-smpp
  kabar plugins configure sms-smpp --config-file smpp.json
      # smpp.json: {"host": "127.0.0.1", "port": 2775, "systemId": "kabar", "password": "secret", "defaultSender": "KABAR"}
  kabar plugins check sms-smpp
  kabar plugins enable sms-smpp
  kabar plugins route sms sms-smpp

Common options (as for \`kabar agencies\`): --url URL (default KABAR_URL), --token TOKEN (default KABAR_TOKEN),
--json (the hub's answer as JSON).`;

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

interface DiscoveredPluginView {
  readonly packageName: string;
  readonly version: string;
  readonly directory: string;
  readonly pluginId: string;
  readonly channel: string;
  readonly installed: boolean;
}

interface PluginRouteView {
  readonly channel: string;
  readonly agencyCode: string | null;
  readonly installId: string;
  readonly pluginId: string;
  readonly priority: number;
  readonly weight: number;
}

type InstallRef = Pick<PluginInstallView, 'id' | 'pluginId'>;

const INSTALL_FIELDS = 'id pluginId packageName version channel source integrity approved approvedAt configured config enabled check { ok detail at }';
const ROUTE_FIELDS = 'channel agencyCode installId pluginId priority weight';

/** The lifecycle steps that take an install and answer with it, and what each prints. */
const STEPS = {
  approve: { mutation: 'approvePlugin', done: 'approved', next: (id: string) => `configure it: kabar plugins configure ${id} --config-file FILE` },
  enable: { mutation: 'enablePlugin', done: 'enabled', next: (id: string) => `route a channel through it: kabar plugins route CHANNEL ${id}` },
  disable: { mutation: 'disablePlugin', done: 'disabled', next: null },
} as const;

export async function pluginsCommand(args: readonly string[], io: Io, env: Env): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'discover':
      return discover(rest, io, env);
    case 'list':
      return list(rest, io, env);
    case 'install':
      return install(rest, io, env);
    case 'approve':
    case 'enable':
    case 'disable':
      return step(action, rest, io, env);
    case 'configure':
      return configure(rest, io, env);
    case 'check':
      return check(rest, io, env);
    case 'uninstall':
      return uninstall(rest, io, env);
    case 'routes':
      return routes(rest, io, env);
    case 'route':
      return route(rest, io, env);
    default:
      throw new CliError(CliErrorCode.Usage, `expected discover, list, install, approve, configure, check, enable, disable, uninstall, routes or route\n\n${PLUGINS_HELP}`);
  }
}

/** The hub and the token, from the common options; the client keeps its last answer, for `extensions.problems`. */
function connect(values: { url?: string; token?: string }, env: Env): { hub: AnswerKeepingHubClient; token: string } {
  const hub = new AnswerKeepingHubClient(hubUrl(values.url, env));
  return { hub, token: adminToken(values.token, env) };
}

/** Throws the usage error unless exactly the positionals `usage` names (space-separated) were given. */
function expectPositionals(action: string, positionals: readonly string[], usage: string): void {
  const expected = usage === '' ? 0 : usage.split(' ').length;
  if (positionals.length === expected) return;
  throw new CliError(CliErrorCode.Usage, `plugins ${action} ${expected === 0 ? 'takes no arguments' : `needs ${usage}`}\n\n${PLUGINS_HELP}`);
}

/** Options and the one ID of the commands that act on an install. */
function parseIdCommand(action: string, args: readonly string[]): { values: { url?: string; token?: string; json?: boolean }; ref: string } {
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: HUB_OPTIONS });
  expectPositionals(action, positionals, 'ID');
  return { values, ref: positionals[0] ?? '' };
}

async function discover(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: HUB_OPTIONS });
  expectPositionals('discover', positionals, '');
  const { hub, token } = connect(values, env);
  const { discoverPlugins } = await hub.graphql<{ discoverPlugins: DiscoveredPluginView[] }>(
    token,
    '{ discoverPlugins { packageName version directory pluginId channel installed } }',
  );
  if (values.json === true) {
    printJson(io, discoverPlugins);
    return 0;
  }
  const rows = discoverPlugins.map((p) => [p.pluginId, p.channel, p.packageName, p.version, yesNo(p.installed), p.directory]);
  for (const line of table(['PLUGIN', 'CHANNEL', 'PACKAGE', 'VERSION', 'INSTALLED', 'DIRECTORY'], rows)) io.out(line);
  if (discoverPlugins.length === 0) io.err('kabar: the hub found no plugin packages');
  else if (discoverPlugins.some((p) => !p.installed)) io.err('kabar: install one with `kabar plugins install DIRECTORY`');
  return 0;
}

async function list(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: HUB_OPTIONS });
  expectPositionals('list', positionals, '');
  const { hub, token } = connect(values, env);
  const { pluginInstalls } = await hub.graphql<{ pluginInstalls: PluginInstallView[] }>(token, `{ pluginInstalls { ${INSTALL_FIELDS} } }`);
  if (values.json === true) {
    printJson(io, pluginInstalls);
    return 0;
  }
  const rows = pluginInstalls.map((p) => [p.id, p.pluginId, p.channel, p.version, yesNo(p.approved), yesNo(p.configured), yesNo(p.enabled), checkCell(p.check)]);
  for (const line of table(['ID', 'PLUGIN', 'CHANNEL', 'VERSION', 'APPROVED', 'CONFIGURED', 'ENABLED', 'CHECK'], rows)) io.out(line);
  if (pluginInstalls.length === 0) io.err('kabar: no plugins installed yet; `kabar plugins discover` shows what the hub can install');
  return 0;
}

async function install(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: { ...HUB_OPTIONS, integrity: { type: 'string' } } });
  expectPositionals('install', positionals, 'DIR|FILE.tgz');
  const { hub, token } = connect(values, env);
  // The hub reads the path on its own machine, where the CLI's working directory means nothing.
  const source = resolve(positionals[0] ?? '');
  const { installPlugin } = await hub.graphql<{ installPlugin: PluginInstallView }>(
    token,
    `mutation($source: String!, $integrity: String) { installPlugin(source: $source, integrity: $integrity) { ${INSTALL_FIELDS} } }`,
    { source, integrity: values.integrity ?? null },
  );
  if (values.json === true) {
    printJson(io, installPlugin);
    return 0;
  }
  io.out(`installed ${label(installPlugin)} from ${installPlugin.source}`);
  io.out(`integrity ${installPlugin.integrity}`);
  io.err(`kabar: record the integrity (pass it as --integrity to install this exact package elsewhere); next, after review: kabar plugins approve ${installPlugin.pluginId}`);
  return 0;
}

async function step(action: keyof typeof STEPS, args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, ref } = parseIdCommand(action, args);
  const { hub, token } = connect(values, env);
  const target = (await installFinder(hub, token))(ref);
  const { mutation, done, next } = STEPS[action];
  // The alias gives every step's answer the same shape.
  const { install } = await hub.graphql<{ install: PluginInstallView }>(token, `mutation($id: ID!) { install: ${mutation}(id: $id) { ${INSTALL_FIELDS} } }`, { id: target.id });
  if (values.json === true) {
    printJson(io, install);
    return 0;
  }
  io.out(`${done} ${label(install)}`);
  if (next !== null) io.err(`kabar: next, ${next(install.pluginId)}`);
  return 0;
}

async function configure(args: readonly string[], io: Io, env: Env): Promise<number> {
  const options = { ...HUB_OPTIONS, config: { type: 'string' }, 'config-file': { type: 'string' } } as const;
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options });
  expectPositionals('configure', positionals, 'ID');
  const { config: text, 'config-file': file } = values;
  if ((text === undefined) === (file === undefined)) throw new CliError(CliErrorCode.Usage, `plugins configure needs one of --config-file FILE and --config JSON\n\n${PLUGINS_HELP}`);
  // Checked before anything needs the hub, so that a typo costs no round trip.
  const config = file === undefined ? parseConfig(text ?? '', '--config') : parseConfig(await readConfigFile(file), file);
  const { hub, token } = connect(values, env);
  const target = (await installFinder(hub, token))(positionals[0] ?? '');
  let plugin: PluginInstallView;
  try {
    ({ configurePlugin: plugin } = await hub.graphql<{ configurePlugin: PluginInstallView }>(
      token,
      `mutation($id: ID!, $config: JSON!) { configurePlugin(id: $id, config: $config) { ${INSTALL_FIELDS} } }`,
      { id: target.id, config },
    ));
  } catch (error) {
    for (const problem of configProblems(hub.lastAnswer?.body)) io.err(`${problem.path === '' ? '(root)' : problem.path}: ${problem.message}`);
    throw error;
  }
  if (values.json === true) {
    printJson(io, plugin);
    return 0;
  }
  // The hub's copy, never the input: the input holds the secrets, the hub's copy has them masked.
  io.out(`configured ${label(plugin)}:`);
  for (const line of JSON.stringify(plugin.config, null, 2).split('\n')) io.out(line);
  io.err(`kabar: next, check it: kabar plugins check ${plugin.pluginId}`);
  return 0;
}

async function check(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, ref } = parseIdCommand('check', args);
  const { hub, token } = connect(values, env);
  const target = (await installFinder(hub, token))(ref);
  const { checkPlugin } = await hub.graphql<{ checkPlugin: PluginInstallView }>(token, `mutation($id: ID!) { checkPlugin(id: $id) { ${INSTALL_FIELDS} } }`, { id: target.id });
  if (values.json === true) printJson(io, checkPlugin);
  const result = checkPlugin.check;
  if (result === null) throw new CliError(CliErrorCode.Failed, `the hub answered without the result of checking ${label(checkPlugin)}`);
  if (!result.ok) throw new CliError(CliErrorCode.Failed, `check of ${label(checkPlugin)} failed: ${result.detail}`);
  if (values.json !== true) io.out(`check of ${label(checkPlugin)} ok: ${result.detail}`);
  return 0;
}

async function uninstall(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, ref } = parseIdCommand('uninstall', args);
  const { hub, token } = connect(values, env);
  const target = (await installFinder(hub, token))(ref);
  const { uninstallPlugin } = await hub.graphql<{ uninstallPlugin: boolean }>(token, 'mutation($id: ID!) { uninstallPlugin(id: $id) }', { id: target.id });
  if (!uninstallPlugin) throw new CliError(CliErrorCode.Failed, `the hub did not uninstall ${target.pluginId} (id ${target.id})`);
  if (values.json === true) printJson(io, { id: target.id, pluginId: target.pluginId, uninstalled: true });
  else io.out(`uninstalled ${target.pluginId} (id ${target.id})`);
  return 0;
}

async function routes(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: HUB_OPTIONS });
  expectPositionals('routes', positionals, '');
  const { hub, token } = connect(values, env);
  const { pluginRoutes } = await hub.graphql<{ pluginRoutes: PluginRouteView[] }>(token, `{ pluginRoutes { ${ROUTE_FIELDS} } }`);
  printRoutes(io, pluginRoutes, values.json === true);
  if (pluginRoutes.length === 0 && values.json !== true) io.err('kabar: no routes yet; add one with `kabar plugins route CHANNEL INSTALL`');
  return 0;
}

async function route(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: { ...HUB_OPTIONS, agency: { type: 'string' } } });
  const [channel, ...specs] = positionals;
  if (channel === undefined || specs.length === 0) throw new CliError(CliErrorCode.Usage, `plugins route needs CHANNEL and at least one INSTALL\n\n${PLUGINS_HELP}`);
  const entries = specs.map(parseRouteEntry);
  const { hub, token } = connect(values, env);
  const find = await installFinder(hub, token);
  const installs = entries.map(({ ref, priority, weight }) => ({
    installId: find(ref).id,
    // Left out rather than defaulted here, so that the hub's defaults apply.
    ...(priority === undefined ? {} : { priority }),
    ...(weight === undefined ? {} : { weight }),
  }));
  const { setPluginRoute } = await hub.graphql<{ setPluginRoute: PluginRouteView[] }>(
    token,
    `mutation($channel: String!, $agencyCode: String, $installs: [PluginRouteInput!]!) { setPluginRoute(channel: $channel, agencyCode: $agencyCode, installs: $installs) { ${ROUTE_FIELDS} } }`,
    { channel, agencyCode: values.agency ?? null, installs },
  );
  if (values.json !== true) io.err(`kabar: ${channel} messages${values.agency === undefined ? '' : ` of ${values.agency}`} now go through:`);
  printRoutes(io, setPluginRoute, values.json === true);
  return 0;
}

interface RouteEntry {
  readonly ref: string;
  readonly priority: number | undefined;
  readonly weight: number | undefined;
}

/** `INSTALL[:PRIORITY[:WEIGHT]]`; ids and plugin ids have no colons, so the split is unambiguous. */
function parseRouteEntry(spec: string): RouteEntry {
  const [ref = '', priority, weight, ...rest] = spec.split(':');
  const bad = (why: string): CliError => new CliError(CliErrorCode.Usage, `"${spec}": ${why}; expected INSTALL[:PRIORITY[:WEIGHT]], e.g. sms-smpp:0:100`);
  if (ref === '' || rest.length > 0) throw bad('not an install');
  if (priority !== undefined && !/^-?\d{1,9}$/.test(priority)) throw bad('the priority must be a whole number');
  if (weight !== undefined && !/^\d{1,9}$/.test(weight)) throw bad('the weight must be a whole number, 0 or more');
  return { ref, priority: priority === undefined ? undefined : Number(priority), weight: weight === undefined ? undefined : Number(weight) };
}

function printRoutes(io: Io, list: readonly PluginRouteView[], json: boolean): void {
  if (json) {
    printJson(io, list);
    return;
  }
  const rows = list.map((r) => [r.channel, r.agencyCode ?? '(default)', String(r.priority), String(r.weight), r.pluginId, r.installId]);
  for (const line of table(['CHANNEL', 'AGENCY', 'PRIORITY', 'WEIGHT', 'PLUGIN', 'INSTALL'], rows)) io.out(line);
}

/**
 * Looks refs up among the installs, read once: a ref is an install id or, failing that, a plugin id installed once.
 * @example (await installFinder(hub, token))('sms-smpp') // { id: 'a1b2…', pluginId: 'sms-smpp' }
 */
async function installFinder(hub: HubClient, token: string): Promise<(ref: string) => InstallRef> {
  const { pluginInstalls } = await hub.graphql<{ pluginInstalls: InstallRef[] }>(token, '{ pluginInstalls { id pluginId } }');
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

/**
 * The JSON object for `configurePlugin` (every plugin's schema is an object; the hub checks the rest). Parser
 * messages can quote the input, which may hold a password, so only the position is kept.
 */
function parseConfig(text: string, where: string): Record<string, unknown> {
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    const [, offset, line, column] = /at position (\d+)(?: \(line (\d+) column (\d+)\))?/.exec(error instanceof Error ? error.message : '') ?? [];
    const position = line !== undefined && column !== undefined ? ` (line ${line}, column ${column})` : offset === undefined ? '' : ` (at character ${offset})`;
    throw new CliError(CliErrorCode.Usage, `${where} is not valid JSON${position}`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new CliError(CliErrorCode.Usage, `${where} must be a JSON object, like {"host": "…"}`);
  return config as Record<string, unknown>;
}

async function readConfigFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') throw new CliError(CliErrorCode.Failed, `no file ${file}`);
    if (code === 'EISDIR') throw new CliError(CliErrorCode.Failed, `${file} is a directory, not a JSON file`);
    throw new CliError(CliErrorCode.Failed, `cannot read ${file}: ${describeError(error)}`);
  }
}

interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** The `extensions.problems` of an INVALID_PLUGIN_CONFIG error in a GraphQL answer, read defensively: it is the hub's JSON. */
function configProblems(body: unknown): ConfigProblem[] {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
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

/** A `HubClient` that keeps the last answer's body: its errors carry only code and message, not `extensions`. */
class AnswerKeepingHubClient extends HubClient {
  lastAnswer: HttpAnswer | undefined;

  override async post(path: string, token: string, contentType: string, body: string): Promise<HttpAnswer> {
    this.lastAnswer = await super.post(path, token, contentType, body);
    return this.lastAnswer;
  }
}

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

const checkCell = (result: PluginCheckView | null): string => (result === null ? '-' : result.ok ? 'ok' : `failed: ${result.detail}`);

const label = (plugin: PluginInstallView): string => `${plugin.pluginId} ${plugin.version} (${plugin.channel}, id ${plugin.id})`;
