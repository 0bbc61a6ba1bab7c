import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { describeError } from '@kabar/core';

import { CliError, CliErrorCode } from '../../cli-error.js';
import { HUB_OPTIONS } from '../../hub-client.js';
import { PLUGINS_HELP } from './plugins.help.js';

/** The common options of every `kabar plugins` action, as parsed. */
export interface HubValues {
  readonly url?: string;
  readonly token?: string;
  readonly json?: boolean;
}

/** Throws the usage error unless exactly the positionals `usage` names (space-separated) were given. */
export function expectPositionals(action: string, positionals: readonly string[], usage: string): void {
  const expected = usage === '' ? 0 : usage.split(' ').length;
  if (positionals.length === expected) return;
  throw new CliError(CliErrorCode.Usage, `plugins ${action} ${expected === 0 ? 'takes no arguments' : `needs ${usage}`}\n\n${PLUGINS_HELP}`);
}

/** The common options of an action that takes no arguments (discover, list, routes). */
export function parseNoArgCommand(action: string, args: readonly string[]): HubValues {
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: HUB_OPTIONS });
  expectPositionals(action, positionals, '');
  return values;
}

/** Options and the one INSTALL (a name or an id) of the commands that act on an install. */
export function parseIdCommand(action: string, args: readonly string[]): { values: HubValues; ref: string } {
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: HUB_OPTIONS });
  expectPositionals(action, positionals, 'INSTALL');
  return { values, ref: positionals[0] ?? '' };
}

export interface RouteEntry {
  readonly ref: string;
  readonly priority: number | undefined;
  readonly weight: number | undefined;
}

/** GraphQL's `Int` is 32-bit: a larger number would be refused by the hub's parser with a message about types. */
const MAX_INT = 2_147_483_647;

/**
 * `N` messages per second (a whole number, 1 or more), or `none` (null) to lift the cap. The hub checks its own
 * upper bound; this only keeps what could never be a rate from costing a round trip.
 * @example parseRateLimit('50') // 50; parseRateLimit('none') // null
 */
export function parseRateLimit(text: string): number | null {
  if (text === 'none') return null;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new CliError(CliErrorCode.Usage, `"${text}" is not a rate limit: give a whole number of messages per second, 1 or more, or none to lift the limit`);
  }
  if (Number(text) > MAX_INT) throw new CliError(CliErrorCode.Usage, `"${text}" is not a rate limit: too many messages per second`);
  return Number(text);
}

/** `INSTALL[:PRIORITY[:WEIGHT]]`; ids and install names have no colons, so the split is unambiguous. */
export function parseRouteEntry(spec: string): RouteEntry {
  const [ref = '', priority, weight, ...rest] = spec.split(':');
  const bad = (why: string): CliError => new CliError(CliErrorCode.Usage, `"${spec}": ${why}; expected INSTALL[:PRIORITY[:WEIGHT]], e.g. sms-smpp:0:100`);
  if (ref === '' || rest.length > 0) throw bad('not an install');
  if (priority !== undefined && !/^-?\d{1,9}$/.test(priority)) throw bad('the priority must be a whole number');
  if (weight !== undefined && !/^\d{1,9}$/.test(weight)) throw bad('the weight must be a whole number, 0 or more');
  return { ref, priority: priority === undefined ? undefined : Number(priority), weight: weight === undefined ? undefined : Number(weight) };
}

/**
 * The JSON object for `configurePlugin` (every plugin's schema is an object; the hub checks the rest). Parser
 * messages can quote the input, which may hold a password, so only the position is kept.
 */
export function parseConfig(text: string, where: string): Record<string, unknown> {
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

export async function readConfigFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') throw new CliError(CliErrorCode.Failed, `no file ${file}`);
    if (code === 'EISDIR') throw new CliError(CliErrorCode.Failed, `${file} is a directory, not a JSON file`);
    throw new CliError(CliErrorCode.Failed, `cannot read ${file}: ${describeError(error)}`);
  }
}
