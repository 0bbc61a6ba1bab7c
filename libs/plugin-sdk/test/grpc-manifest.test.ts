import { type Logger, SILENT_LOGGER } from '@kabar/core';
import { grpcPluginManifest, PluginConfigError, validatePluginConfig } from '@kabar/plugin-sdk';
import { describe, expect, it } from 'vitest';

// The hub's side of an out-of-process plugin, as configured; nothing connects here (grpc-js connects lazily), the
// calls themselves are in grpc.int.test.ts.

function recordingLogger(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  const record = (fields: Readonly<Record<string, unknown>>, message: string): void => {
    lines.push(JSON.stringify({ ...fields, message }));
  };
  return { logger: { debug: record, info: record, warn: record, error: record }, text: () => lines.join('\n') };
}

describe('grpcPluginManifest', () => {
  it('fills in a 30 s deadline and has no secrets (the plugin process holds the provider\'s credentials)', () => {
    expect(validatePluginConfig(grpcPluginManifest, { address: 'sms-plugin.kabar.svc:50051', channel: 'sms' })).toEqual({
      address: 'sms-plugin.kabar.svc:50051',
      channel: 'sms',
      timeoutMs: 30_000,
    });
  });

  it.each([['127.0.0.1'], ['127.0.0.1:'], ['http://127.0.0.1:50051'], ['127.0.0.1:50051/x'], ['']])('refuses the address %j', (address) => {
    expect(() => validatePluginConfig(grpcPluginManifest, { address, channel: 'sms' })).toThrow(PluginConfigError);
  });

  it('accepts IPv6 and DNS addresses', () => {
    for (const address of ['[::1]:50051', 'plugin:7000', 'webhook-plugin.kabar.svc.cluster.local:50051']) {
      expect(() => validatePluginConfig(grpcPluginManifest, { address, channel: 'webhook' }), address).not.toThrow();
    }
  });

  it('refuses a caCertificate that does not parse, at create()', async () => {
    const ca = '-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----\n';
    const config = validatePluginConfig(grpcPluginManifest, { address: '127.0.0.1:50051', channel: 'sms', caCertificate: ca });
    const error = await Promise.resolve()
      .then(() => grpcPluginManifest.create(config, { logger: SILENT_LOGGER }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', retryable: false });
  });

  it('warns when a non-loopback address is used without TLS', async () => {
    const logs = recordingLogger();
    const remote = await grpcPluginManifest.create(validatePluginConfig(grpcPluginManifest, { address: 'sms-plugin.kabar.svc:50051', channel: 'sms' }), { logger: logs.logger });
    const local = await grpcPluginManifest.create(validatePluginConfig(grpcPluginManifest, { address: '127.0.0.1:50051', channel: 'sms' }), { logger: logs.logger });
    expect(logs.text().match(/unencrypted/g)).toHaveLength(1);
    await Promise.all([remote.close(), local.close()]);
  });
});
