import { readFileSync } from 'node:fs';

import { ConfigError, type ConfigProblem, type LogLevel } from '@kabar/config';

/** The plugin host's settings, parsed from its environment. */
export interface HostSettings {
  /** Module specifier of the hosted plugin package, whose default export is its manifest. */
  readonly module: string;
  /** The plugin's configuration as written (untrusted until the manifest's schema accepts it). */
  readonly pluginConfig: unknown;
  /** `host:port` to listen on. */
  readonly address: string;
  /** PEM certificate chain and key for TLS; absent means plaintext (loopback or a sidecar). */
  readonly tls?: { readonly certificate: string; readonly privateKey: string };
  /** How many delivery receipts and replies wait while no hub is subscribed to `Events` (the oldest are dropped). */
  readonly eventBufferSize: number;
  readonly logLevel: LogLevel;
}

const DEFAULT_ADDRESS = '127.0.0.1:50051';
const DEFAULT_EVENT_BUFFER = 1_000;
const MAX_EVENT_BUFFER = 1_000_000;
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const ADDRESS = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):[0-9]{1,5}$/;

/**
 * Reads the host's environment, reporting every problem at once. The plugin configuration may hold secrets, so a
 * problem with it never quotes it.
 * @example parseHostSettings({ KABAR_PLUGIN_MODULE: '@kabar/plugin-webhook-http', KABAR_PLUGIN_CONFIG: '{"url":"…","secret":"…"}' })
 */
export function parseHostSettings(env: Readonly<Record<string, string | undefined>>): HostSettings {
  const problems: ConfigProblem[] = [];
  const module = env.KABAR_PLUGIN_MODULE?.trim() ?? '';
  if (module === '') problems.push({ variable: 'KABAR_PLUGIN_MODULE', expected: 'the plugin package to host, e.g. @kabar/plugin-webhook-http' });

  let pluginConfig: unknown = {};
  if (env.KABAR_PLUGIN_CONFIG !== undefined && env.KABAR_PLUGIN_CONFIG.trim() !== '') {
    try {
      pluginConfig = JSON.parse(env.KABAR_PLUGIN_CONFIG);
    } catch {
      problems.push({ variable: 'KABAR_PLUGIN_CONFIG', expected: "the plugin's configuration as a JSON object (the value is not JSON)" });
    }
  }

  const address = env.KABAR_PLUGIN_ADDRESS ?? DEFAULT_ADDRESS;
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  if (!ADDRESS.test(address) || port > 65_535) problems.push({ variable: 'KABAR_PLUGIN_ADDRESS', expected: 'host:port, e.g. 127.0.0.1:50051 (port 0 picks a free one)', got: address });

  const tls = readTls(env, problems);

  const eventBufferSize = Number(env.KABAR_PLUGIN_EVENT_BUFFER ?? DEFAULT_EVENT_BUFFER);
  if (!Number.isInteger(eventBufferSize) || eventBufferSize < 1 || eventBufferSize > MAX_EVENT_BUFFER) {
    problems.push({ variable: 'KABAR_PLUGIN_EVENT_BUFFER', expected: `a whole number of events from 1 to ${MAX_EVENT_BUFFER}`, got: env.KABAR_PLUGIN_EVENT_BUFFER });
  }

  const logLevel = (env.LOG_LEVEL ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push({ variable: 'LOG_LEVEL', expected: `one of ${LOG_LEVELS.join(', ')}`, got: env.LOG_LEVEL });

  if (problems.length > 0) throw new ConfigError(problems);
  return { module, pluginConfig, address, eventBufferSize, logLevel, ...(tls === undefined ? {} : { tls }) };
}

function readTls(env: Readonly<Record<string, string | undefined>>, problems: ConfigProblem[]): HostSettings['tls'] {
  const certFile = env.KABAR_PLUGIN_TLS_CERT_FILE;
  const keyFile = env.KABAR_PLUGIN_TLS_KEY_FILE;
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    problems.push({ variable: certFile === undefined ? 'KABAR_PLUGIN_TLS_CERT_FILE' : 'KABAR_PLUGIN_TLS_KEY_FILE', expected: 'set together with the other KABAR_PLUGIN_TLS_*_FILE, or neither' });
    return undefined;
  }
  const read = (variable: string, path: string): string | undefined => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      problems.push({ variable, expected: `a readable PEM file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`, got: path });
      return undefined;
    }
  };
  const certificate = read('KABAR_PLUGIN_TLS_CERT_FILE', certFile);
  const privateKey = read('KABAR_PLUGIN_TLS_KEY_FILE', keyFile);
  return certificate === undefined || privateKey === undefined ? undefined : { certificate, privateKey };
}
