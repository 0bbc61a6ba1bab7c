import { type Io, printJson, table } from '../../output.js';
import type { DiscoveredPluginView, PluginCheckView, PluginInstallView, PluginRouteView } from './plugin-admin.client.js';

/**
 * How every message names an install: `sms-smpp 0.1.0 (sms, id a1b2…)`, or, when the admin named it,
 * `sms-tsel (sms-smpp 0.1.0, sms, id a1b2…)`.
 */
export const label = (plugin: PluginInstallView): string =>
  plugin.name === plugin.pluginId
    ? `${plugin.pluginId} ${plugin.version} (${plugin.channel}, id ${plugin.id})`
    : `${plugin.name} (${plugin.pluginId} ${plugin.version}, ${plugin.channel}, id ${plugin.id})`;

/** `50/s`, or `-` when the install may send as fast as its provider takes. */
/** The hub's GraphQL enum value in the words of the docs (half-open). */
const circuitCell = (circuit: string): string => (circuit === 'halfOpen' ? 'half-open' : circuit);

export const rateCell = (ratePerSecond: number | null): string => (ratePerSecond === null ? '-' : `${String(ratePerSecond)}/s`);

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

const checkCell = (result: PluginCheckView | null): string => (result === null ? '-' : result.ok ? 'ok' : `failed: ${result.detail}`);

export function printDiscovered(io: Io, discovered: readonly DiscoveredPluginView[]): void {
  const rows = discovered.map((p) => [p.pluginId, p.channel, p.packageName, p.version, yesNo(p.installed), p.directory]);
  for (const line of table(['PLUGIN', 'CHANNEL', 'PACKAGE', 'VERSION', 'INSTALLED', 'DIRECTORY'], rows)) io.out(line);
}

export function printInstalls(io: Io, installs: readonly PluginInstallView[]): void {
  const rows = installs.map((p) => [p.id, p.name, p.pluginId, p.channel, p.version, yesNo(p.approved), yesNo(p.configured), yesNo(p.enabled), rateCell(p.ratePerSecond), circuitCell(p.circuit), checkCell(p.check)]);
  for (const line of table(['ID', 'NAME', 'PLUGIN', 'CHANNEL', 'VERSION', 'APPROVED', 'CONFIGURED', 'ENABLED', 'RATE', 'CIRCUIT', 'CHECK'], rows)) io.out(line);
}

export function printRoutes(io: Io, list: readonly PluginRouteView[], json: boolean): void {
  if (json) {
    printJson(io, list);
    return;
  }
  const rows = list.map((r) => [r.channel, r.agencyCode ?? '(default)', String(r.priority), String(r.weight), r.installName, r.pluginId, r.installId]);
  for (const line of table(['CHANNEL', 'AGENCY', 'PRIORITY', 'WEIGHT', 'INSTALL', 'PLUGIN', 'ID'], rows)) io.out(line);
}

/** The configuration as the hub keeps it (secrets masked), one line of indented JSON at a time. */
export function printConfigured(io: Io, plugin: PluginInstallView): void {
  io.out(`configured ${label(plugin)}:`);
  for (const line of JSON.stringify(plugin.config, null, 2).split('\n')) io.out(line);
}
