import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { ConfigError } from '@kabar/config';
import { describeError } from '@kabar/core';
import { CHANNELS, type PluginManifest } from '@kabar/plugin-sdk';

/**
 * Loads a plugin package and returns its default export once it has the shape of a manifest, else a `ConfigError`
 * naming KABAR_PLUGIN_MODULE. Relative and absolute paths are taken from the working directory.
 * @example const manifest = await loadPluginManifest('@kabar/plugin-webhook-http')
 */
export async function loadPluginManifest(specifier: string): Promise<PluginManifest> {
  const target = specifier.startsWith('.') || isAbsolute(specifier) ? pathToFileURL(resolve(specifier)).href : specifier;
  let loaded: { default?: unknown };
  try {
    loaded = (await import(target)) as { default?: unknown };
  } catch (error) {
    throw new ConfigError([{ variable: 'KABAR_PLUGIN_MODULE', expected: `an installed plugin package (cannot load it: ${describeError(error)})`, got: specifier }]);
  }
  if (!isManifest(loaded.default)) {
    throw new ConfigError([{ variable: 'KABAR_PLUGIN_MODULE', expected: 'a package whose default export is a Kabar plugin manifest (id, channel, version, configSchema, create)', got: specifier }]);
  }
  return loaded.default;
}

function isManifest(value: unknown): value is PluginManifest {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof PluginManifest, unknown>>;
  return (
    typeof candidate.id === 'string' &&
    typeof candidate.version === 'string' &&
    CHANNELS.some((channel) => channel === candidate.channel) &&
    typeof candidate.configSchema === 'object' &&
    candidate.configSchema !== null &&
    typeof candidate.create === 'function'
  );
}
