import {
  type ConfigSchema,
  PluginConfigError,
  PluginError,
  PluginErrorCode,
  type PluginManifest,
  secretPaths,
  validatePluginConfig,
} from '@kabar/plugin-sdk';
import { describe, expect, it } from 'vitest';

interface PagerConfig {
  url: string;
  token: string;
  retries: number;
  auth?: { user: string; 'pass/word': string };
}

const configSchema: ConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'token'],
  properties: {
    url: { type: 'string', format: 'uri' },
    token: { type: 'string', minLength: 8, 'x-kabar-secret': true },
    retries: { type: 'integer', minimum: 0, default: 3 },
    auth: {
      type: 'object',
      additionalProperties: false,
      required: ['user', 'pass/word'],
      properties: { user: { type: 'string' }, 'pass/word': { type: 'string', 'x-kabar-secret': true } },
    },
  },
};

function aManifest(schema: ConfigSchema = configSchema): PluginManifest<PagerConfig> {
  return {
    id: 'pager-test',
    channel: 'push',
    version: '1.0.0',
    configSchema: schema,
    create: () => Promise.reject(new Error('not used')),
  };
}

function problemsOf(raw: unknown, manifest = aManifest()): readonly { path: string; message: string }[] {
  try {
    validatePluginConfig(manifest, raw);
  } catch (error) {
    if (error instanceof PluginConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('validatePluginConfig', () => {
  it('returns the typed configuration with schema defaults filled in, leaving the input untouched', () => {
    const raw = { url: 'https://pager.example.org/send', token: 's3cr3t-token' };
    const config = validatePluginConfig(aManifest(), raw);
    expect(config).toEqual({ url: 'https://pager.example.org/send', token: 's3cr3t-token', retries: 3 });
    expect(raw).toEqual({ url: 'https://pager.example.org/send', token: 's3cr3t-token' });
  });

  it('throws one INVALID_CONFIG PluginError listing every problem by JSON Pointer', () => {
    const raw = { url: 'not a url', retries: -1, colour: 'blue', auth: { user: 7 } };
    const error = (() => {
      try {
        return validatePluginConfig(aManifest(), raw);
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(PluginError);
    expect(error).toMatchObject({ code: PluginErrorCode.InvalidConfig, retryable: false });
    expect((error as PluginConfigError).problems).toEqual(
      expect.arrayContaining([
        { path: '/token', message: 'is required' },
        { path: '/colour', message: 'is not a known setting' },
        { path: '/url', message: 'must match format "uri"' },
        { path: '/retries', message: 'must be >= 0' },
        { path: '/auth/pass~1word', message: 'is required' },
        { path: '/auth/user', message: 'must be string' },
      ]),
    );
    expect((error as PluginConfigError).problems).toHaveLength(6);
    expect((error as Error).message).toContain('Invalid configuration for plugin pager-test:\n');
    expect((error as Error).message).toContain('  /url: must match format "uri"');
  });

  it('never echoes a rejected value, so a mistyped secret stays out of logs and API errors', () => {
    let error: unknown;
    try {
      validatePluginConfig(aManifest(), { url: 'https://pager.example.org', token: 'short' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(PluginConfigError);
    const { problems, message, details } = error as PluginConfigError;
    expect(problems).toEqual([{ path: '/token', message: 'must NOT have fewer than 8 characters' }]);
    expect(JSON.stringify({ message, details })).not.toContain('short');
  });

  it.each([null, 'text', 42, []])('refuses %j at the root', (raw) => {
    expect(problemsOf(raw)).toEqual([{ path: '', message: 'must be object' }]);
  });

  it('refuses values JSON cannot carry', () => {
    expect(problemsOf({ url: 'https://pager.example.org', token: 's3cr3t-token', retries: () => 3 })).toEqual([
      { path: '', message: 'must be plain JSON data' },
    ]);
  });

  it('reports a broken schema as the plugin\'s fault, found on first use', () => {
    const broken = { ...configSchema, properties: { url: { type: 'strnig' } } };
    expect(problemsOf({}, aManifest(broken))).toEqual([
      { path: '', message: expect.stringContaining("the plugin's configSchema is not valid JSON Schema") as unknown },
    ]);
  });
});

describe('secretPaths', () => {
  it('lists the secret properties as JSON Pointers, nested ones included', () => {
    expect(secretPaths(aManifest())).toEqual(['/token', '/auth/pass~1word']);
  });

  it('is empty for a plugin without secrets', () => {
    expect(secretPaths(aManifest({ type: 'object', additionalProperties: false, properties: { stream: { type: 'string' } } }))).toEqual([]);
  });
});
