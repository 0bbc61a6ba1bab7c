import { readFile } from 'node:fs/promises';

import { SILENT_LOGGER } from '@kabar/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CHANNELS } from '../channel.type.js';
import type { ChannelProvider } from '../channel-provider.type.js';
import type { OutboundMessage } from '../outbound-message.type.js';
import { validatePluginConfig } from '../plugin-config.validation.js';
import { PluginConfigError, PluginError } from '../plugin-error.exception.js';
import { PluginErrorCode } from '../plugin-error-code.enum.js';
import type { ConfigSchemaProperty, PluginContext, PluginManifest } from '../plugin-manifest.type.js';
import { anOutboundMessage } from './outbound-message.builder.js';

export interface ConformanceOptions<Config> {
  readonly manifest: PluginManifest<Config>;
  /** The plugin's package.json: it must declare `"kabar": { "plugin": true }` and the manifest's version. */
  readonly packageJson: URL;
  /** A configuration, as an admin would enter it, that reaches the live peer. Called after the file's `beforeAll`s. */
  readonly config: () => unknown;
  /** What the peer has received so far: one id per message, see `identifyBy`. */
  readonly received: () => readonly string[] | Promise<readonly string[]>;
  /** Which message field `received` reports; peers that never see the idempotency key report notification ids. */
  readonly identifyBy?: 'idempotencyKey' | 'notificationId';
  /** Defaults to a silent logger and no inbox. */
  readonly context?: () => PluginContext;
  /** Fields of the test messages that matter to this peer, e.g. a `to` it accepts. */
  readonly message?: Partial<OutboundMessage>;
  /** Further configurations the plugin must refuse, beyond the generic ones (not an object, wrong types, unknown keys). */
  readonly invalidConfigs?: readonly unknown[];
}

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Registers the Vitest tests every channel plugin must pass against a real or realistic peer.
 * @example runConformance({ manifest, packageJson: new URL('../package.json', import.meta.url), config: () => ({ url }), received: () => peer.keys })
 */
export function runConformance<Config>(options: ConformanceOptions<Config>): void {
  const { manifest } = options;
  const identify = (message: OutboundMessage): string => message[options.identifyBy ?? 'idempotencyKey'];

  describe(`plugin ${manifest.id} conformance`, () => {
    let provider: ChannelProvider | undefined;
    const live = (): ChannelProvider => {
      if (provider === undefined) throw new Error(`plugin ${manifest.id}: create() did not produce a provider`);
      return provider;
    };

    beforeAll(async () => {
      const config = validatePluginConfig(manifest, options.config());
      provider = await manifest.create(config, options.context?.() ?? { logger: SILENT_LOGGER });
    });

    afterAll(async () => {
      // The close test may have failed half-way; releasing the peer must not hide that failure behind another.
      await provider?.close().catch(() => undefined);
    });

    it('is a Kabar plugin package with a well-formed manifest', async () => {
      const pkg = JSON.parse(await readFile(options.packageJson, 'utf8')) as { version?: unknown; kabar?: { plugin?: unknown } };
      expect(pkg.kabar?.plugin, 'package.json "kabar": { "plugin": true }').toBe(true);
      expect(manifest.version, 'manifest version = package version').toBe(pkg.version);
      expect(manifest.version).toMatch(SEMVER);
      expect(manifest.id).toMatch(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/);
      expect(CHANNELS).toContain(manifest.channel);
      for (const [name, property] of Object.entries(manifest.configSchema.properties ?? {})) {
        if (property['x-kabar-secret'] === true) expect(property.type, `secret ${name} is a string`).toBe('string');
      }
    });

    it('accepts the configuration given for the live peer', () => {
      expect(() => validatePluginConfig(manifest, options.config())).not.toThrow();
    });

    it.each([null, [], 'text', 42])('rejects %j as a configuration with INVALID_CONFIG', (raw) => {
      expectInvalid(manifest, raw, '');
    });

    const required = manifest.configSchema.required ?? [];
    if (required.length > 0) {
      it('rejects {} naming every required setting', () => {
        for (const name of required) expectInvalid(manifest, {}, `/${name}`);
      });
    } else {
      it('accepts {} as nothing is required', () => {
        expect(() => validatePluginConfig(manifest, {})).not.toThrow();
      });
    }

    it('rejects a value of the wrong type for each setting', () => {
      const valid = options.config() as Record<string, unknown>;
      for (const [name, property] of Object.entries(manifest.configSchema.properties ?? {})) {
        const wrong = wrongValueFor(property);
        if (wrong !== undefined) expectInvalid(manifest, { ...valid, [name]: wrong.value }, `/${name}`);
      }
    });

    it('rejects an unknown setting, so a misspelt one is never silently ignored', () => {
      expectInvalid(manifest, { ...(options.config() as Record<string, unknown>), unknownSetting: 'x' }, '/unknownSetting');
    });

    if (options.invalidConfigs !== undefined && options.invalidConfigs.length > 0) {
      it.each(options.invalidConfigs)('rejects the invalid configuration %j', (raw) => {
        expectInvalid(manifest, raw, undefined);
      });
    }

    it('check() succeeds against the live peer', async () => {
      const result = await live().check();
      expect(result.detail).not.toBe('');
      expect(result, result.detail).toMatchObject({ ok: true });
    });

    it('sends a batch of 3, returning one "sent" outcome per message in order, and the peer got exactly those 3', async () => {
      const before = new Set(await options.received());
      const batch = [1, 2, 3].map((n) => anOutboundMessage({ channel: manifest.channel, subject: `Conformance ${n}`, ...options.message }));
      const outcomes = await live().send(batch);
      // A failed outcome is shown whole, so its error explains the failure.
      const summary = outcomes.map((o) => (o.status === 'sent' ? { notificationId: o.notificationId, status: o.status } : o));
      expect(summary).toEqual(batch.map((m) => ({ notificationId: m.notificationId, status: 'sent' })));
      const arrived = (await options.received()).filter((id) => !before.has(id));
      expect([...arrived].sort()).toEqual(batch.map(identify).sort());
    });

    it('sends an empty batch as no outcomes and nothing for the peer', async () => {
      const before = (await options.received()).length;
      await expect(live().send([])).resolves.toEqual([]);
      expect(await options.received()).toHaveLength(before);
    });

    it('close() resolves and can be called again', async () => {
      await expect(live().close()).resolves.toBeUndefined();
      await expect(live().close()).resolves.toBeUndefined();
    });
  });
}

function expectInvalid<Config>(manifest: PluginManifest<Config>, raw: unknown, path: string | undefined): void {
  const error: unknown = (() => {
    try {
      validatePluginConfig(manifest, raw);
      return undefined;
    } catch (thrown) {
      return thrown;
    }
  })();
  const label = JSON.stringify(raw);
  expect(error, `${label} is refused with a PluginError`).toBeInstanceOf(PluginError);
  expect((error as PluginError).code, label).toBe(PluginErrorCode.InvalidConfig);
  if (path !== undefined) {
    const paths = error instanceof PluginConfigError ? error.problems.map((p) => p.path) : [];
    expect(paths, `${label} reports ${path === '' ? 'the root' : path}`).toContain(path);
  }
}

/** A value of another JSON type than the schema asks for, wrapped so that `undefined` can mean "no such value". */
function wrongValueFor(property: ConfigSchemaProperty): { value: unknown } | undefined {
  switch (property.type) {
    case 'string':
      return { value: 12345 };
    case 'number':
    case 'integer':
      return { value: 'twelve' };
    case 'boolean':
      return { value: 'yes' };
    case 'object':
    case 'array':
      return { value: 'text' };
    default:
      return undefined;
  }
}
