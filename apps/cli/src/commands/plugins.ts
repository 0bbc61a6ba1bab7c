import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { CliError, CliErrorCode } from '../cli-error.js';
import { type Env, HUB_OPTIONS } from '../hub-client.js';
import { type Io, printJson } from '../output.js';
import { PluginAdminClient, type PluginInstallView, type StepMutation } from './plugins/plugin-admin.client.js';
import { expectPositionals, parseConfig, parseIdCommand, parseNoArgCommand, parseRateLimit, parseRouteEntry, readConfigFile } from './plugins/plugins.args.js';
import { PLUGINS_HELP } from './plugins/plugins.help.js';
import { label, printConfigured, printDiscovered, printInstalls, printRoutes } from './plugins/plugins.output.js';

export type { PluginCheckView, PluginInstallView } from './plugins/plugin-admin.client.js';
export { PLUGINS_HELP };

/** The lifecycle steps that take an install and answer with it, and what each prints. */
const STEPS: Readonly<Record<'approve' | 'enable' | 'disable', { mutation: StepMutation; done: string; next: ((name: string) => string) | null }>> = {
  approve: { mutation: 'approvePlugin', done: 'approved', next: (name) => `configure it: kabar plugins configure ${name} --config-file FILE` },
  enable: { mutation: 'enablePlugin', done: 'enabled', next: (name) => `route a channel through it: kabar plugins route CHANNEL ${name}` },
  disable: { mutation: 'disablePlugin', done: 'disabled', next: null },
};

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
    case 'rate-limit':
      return rateLimit(rest, io, env);
    case 'routes':
      return routes(rest, io, env);
    case 'route':
      return route(rest, io, env);
    default:
      throw new CliError(CliErrorCode.Usage, `expected discover, list, install, approve, configure, check, enable, disable, rate-limit, uninstall, routes or route\n\n${PLUGINS_HELP}`);
  }
}

async function discover(args: readonly string[], io: Io, env: Env): Promise<number> {
  const values = parseNoArgCommand('discover', args);
  const discovered = await PluginAdminClient.connect(values, env).discover();
  if (values.json === true) {
    printJson(io, discovered);
    return 0;
  }
  printDiscovered(io, discovered);
  if (discovered.length === 0) io.err('kabar: the hub found no plugin packages');
  else if (discovered.some((p) => !p.installed)) io.err('kabar: install one with `kabar plugins install DIRECTORY`');
  return 0;
}

async function list(args: readonly string[], io: Io, env: Env): Promise<number> {
  const values = parseNoArgCommand('list', args);
  const installs = await PluginAdminClient.connect(values, env).installs();
  if (values.json === true) {
    printJson(io, installs);
    return 0;
  }
  printInstalls(io, installs);
  if (installs.length === 0) io.err('kabar: no plugins installed yet; `kabar plugins discover` shows what the hub can install');
  return 0;
}

async function install(args: readonly string[], io: Io, env: Env): Promise<number> {
  const options = { ...HUB_OPTIONS, integrity: { type: 'string' }, name: { type: 'string' } } as const;
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options });
  expectPositionals('install', positionals, 'DIR|FILE.tgz');
  const hub = PluginAdminClient.connect(values, env);
  // The hub reads the path on its own machine, where the CLI's working directory means nothing. The name is the
  // hub's to check (INVALID_PLUGIN_NAME), so that its rule lives in one place.
  const installed = await hub.install(resolve(positionals[0] ?? ''), values.integrity ?? null, values.name ?? null);
  if (values.json === true) {
    printJson(io, installed);
    return 0;
  }
  io.out(`installed ${label(installed)} from ${installed.source}`);
  io.out(`integrity ${installed.integrity}`);
  io.err(`kabar: record the integrity (pass it as --integrity to install this exact package elsewhere); next, after review: kabar plugins approve ${installed.name}`);
  return 0;
}

async function step(action: keyof typeof STEPS, args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, ref } = parseIdCommand(action, args);
  const hub = PluginAdminClient.connect(values, env);
  const target = (await hub.installFinder())(ref);
  const { mutation, done, next } = STEPS[action];
  const stepped = await hub.step(mutation, target.id);
  if (values.json === true) {
    printJson(io, stepped);
    return 0;
  }
  io.out(`${done} ${label(stepped)}`);
  if (next !== null) io.err(`kabar: next, ${next(stepped.name)}`);
  return 0;
}

async function configure(args: readonly string[], io: Io, env: Env): Promise<number> {
  const options = { ...HUB_OPTIONS, config: { type: 'string' }, 'config-file': { type: 'string' } } as const;
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options });
  expectPositionals('configure', positionals, 'INSTALL');
  const { config: text, 'config-file': file } = values;
  if ((text === undefined) === (file === undefined)) throw new CliError(CliErrorCode.Usage, `plugins configure needs one of --config-file FILE and --config JSON\n\n${PLUGINS_HELP}`);
  // Checked before anything needs the hub, so that a typo costs no round trip.
  const config = file === undefined ? parseConfig(text ?? '', '--config') : parseConfig(await readConfigFile(file), file);
  const hub = PluginAdminClient.connect(values, env);
  const target = (await hub.installFinder())(positionals[0] ?? '');
  let plugin: PluginInstallView;
  try {
    plugin = await hub.configure(target.id, config);
  } catch (error) {
    for (const problem of hub.configProblems()) io.err(`${problem.path === '' ? '(root)' : problem.path}: ${problem.message}`);
    throw error;
  }
  if (values.json === true) {
    printJson(io, plugin);
    return 0;
  }
  // The hub's copy, never the input: the input holds the secrets, the hub's copy has them masked.
  printConfigured(io, plugin);
  io.err(`kabar: next, check it: kabar plugins check ${plugin.name}`);
  return 0;
}

async function check(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, ref } = parseIdCommand('check', args);
  const hub = PluginAdminClient.connect(values, env);
  const checked = await hub.check((await hub.installFinder())(ref).id);
  if (values.json === true) printJson(io, checked);
  const result = checked.check;
  if (result === null) throw new CliError(CliErrorCode.Failed, `the hub answered without the result of checking ${label(checked)}`);
  if (!result.ok) throw new CliError(CliErrorCode.Failed, `check of ${label(checked)} failed: ${result.detail}`);
  if (values.json !== true) io.out(`check of ${label(checked)} ok: ${result.detail}`);
  return 0;
}

async function uninstall(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, ref } = parseIdCommand('uninstall', args);
  const hub = PluginAdminClient.connect(values, env);
  const target = (await hub.installFinder())(ref);
  if (!(await hub.uninstall(target.id))) throw new CliError(CliErrorCode.Failed, `the hub did not uninstall ${target.name} (id ${target.id})`);
  if (values.json === true) printJson(io, { id: target.id, name: target.name, pluginId: target.pluginId, uninstalled: true });
  else io.out(`uninstalled ${target.name} (id ${target.id})`);
  return 0;
}

async function rateLimit(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: HUB_OPTIONS });
  expectPositionals('rate-limit', positionals, 'INSTALL N|none');
  const [ref = '', text = ''] = positionals;
  // Checked before anything needs the hub, so that a typo costs no round trip.
  const perSecond = parseRateLimit(text);
  const hub = PluginAdminClient.connect(values, env);
  const limited = await hub.setRateLimit((await hub.installFinder())(ref).id, perSecond);
  if (values.json === true) printJson(io, limited);
  else if (limited.ratePerSecond === null) io.out(`${label(limited)} now has no rate limit`);
  else io.out(`${label(limited)} now sends at most ${String(limited.ratePerSecond)} messages per second per hub worker`);
  return 0;
}

async function routes(args: readonly string[], io: Io, env: Env): Promise<number> {
  const values = parseNoArgCommand('routes', args);
  const list = await PluginAdminClient.connect(values, env).routes();
  printRoutes(io, list, values.json === true);
  if (list.length === 0 && values.json !== true) io.err('kabar: no routes yet; add one with `kabar plugins route CHANNEL INSTALL`');
  return 0;
}

async function route(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: { ...HUB_OPTIONS, agency: { type: 'string' } } });
  const [channel, ...specs] = positionals;
  if (channel === undefined || specs.length === 0) throw new CliError(CliErrorCode.Usage, `plugins route needs CHANNEL and at least one INSTALL\n\n${PLUGINS_HELP}`);
  const entries = specs.map(parseRouteEntry);
  const hub = PluginAdminClient.connect(values, env);
  const find = await hub.installFinder();
  const installs = entries.map(({ ref, priority, weight }) => ({
    installId: find(ref).id,
    // Left out rather than defaulted here, so that the hub's defaults apply.
    ...(priority === undefined ? {} : { priority }),
    ...(weight === undefined ? {} : { weight }),
  }));
  const routed = await hub.setRoute(channel, values.agency ?? null, installs);
  if (values.json !== true) io.err(`kabar: ${channel} messages${values.agency === undefined ? '' : ` of ${values.agency}`} now go through:`);
  printRoutes(io, routed, values.json === true);
  return 0;
}
