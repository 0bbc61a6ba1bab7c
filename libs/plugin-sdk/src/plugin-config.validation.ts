import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import { type ConfigProblem, PluginConfigError } from './plugin-error.exception.js';
import type { ConfigSchema, ConfigSchemaProperty, PluginManifest } from './plugin-manifest.type.js';

const SECRET_KEYWORD = 'x-kabar-secret';

// strict: a schema with a typo in a keyword is a plugin bug, found when the manifest is first validated.
// useDefaults: `create` receives a complete configuration, so plugins do not repeat their defaults in code.
const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true });
// ajv-formats is CommonJS whose `module.exports` is the plugin and also carries it as `.default`.
addFormats.default(ajv);
ajv.addKeyword({ keyword: SECRET_KEYWORD, schemaType: 'boolean' });

const validators = new WeakMap<ConfigSchema, ValidateFunction>();

/**
 * Parses untrusted plugin configuration into the plugin's typed config (with schema defaults filled in), or throws a
 * `PluginConfigError` (code INVALID_CONFIG) listing every problem.
 * @example const config = validatePluginConfig(webhookManifest, JSON.parse(body)) // { url, secret, timeoutMs: 10000 }
 */
export function validatePluginConfig<Config>(manifest: PluginManifest<Config>, raw: unknown): Config {
  const validate = validatorFor(manifest);
  const candidate = copyOf(raw);
  if (candidate === undefined) throw new PluginConfigError(manifest.id, [{ path: '', message: 'must be plain JSON data' }]);
  if (validate(candidate.value)) return candidate.value as Config;
  throw new PluginConfigError(manifest.id, (validate.errors ?? []).map(toProblem));
}

/**
 * JSON Pointers of the configuration properties marked `"x-kabar-secret": true`, nested objects included.
 * @example secretPaths(webhookManifest) // ['/secret']
 */
export function secretPaths(manifest: Pick<PluginManifest, 'configSchema'>): string[] {
  return collectSecrets(manifest.configSchema, '');
}

function validatorFor(manifest: Pick<PluginManifest, 'id' | 'configSchema'>): ValidateFunction {
  const cached = validators.get(manifest.configSchema);
  if (cached !== undefined) return cached;
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(manifest.configSchema);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PluginConfigError(manifest.id, [{ path: '', message: `the plugin's configSchema is not valid JSON Schema: ${reason}` }]);
  }
  validators.set(manifest.configSchema, validate);
  return validate;
}

function toProblem(error: ErrorObject): ConfigProblem {
  // Ajv reports a missing or unknown property at its parent; operators want the property's own path.
  const params = error.params as { missingProperty?: unknown; additionalProperty?: unknown };
  const child = error.keyword === 'required' ? params.missingProperty : error.keyword === 'additionalProperties' ? params.additionalProperty : undefined;
  if (typeof child === 'string') {
    return { path: `${error.instancePath}/${escapePointer(child)}`, message: error.keyword === 'required' ? 'is required' : 'is not a known setting' };
  }
  return { path: error.instancePath, message: error.message ?? error.keyword };
}

function collectSecrets(schema: ConfigSchemaProperty, path: string): string[] {
  const own = schema[SECRET_KEYWORD] === true && path !== '' ? [path] : [];
  const properties = schema.properties;
  if (typeof properties !== 'object' || properties === null) return own;
  const nested = Object.entries(properties as Record<string, ConfigSchemaProperty>).flatMap(([name, child]) =>
    collectSecrets(child, `${path}/${escapePointer(name)}`),
  );
  return [...own, ...nested];
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Ajv writes defaults into the value it validates; a copy keeps the caller's object as it was. */
function copyOf(raw: unknown): { value: unknown } | undefined {
  try {
    return { value: structuredClone(raw) };
  } catch {
    // Functions, symbols and the like cannot come from JSON, so they are not configuration.
    return undefined;
  }
}
