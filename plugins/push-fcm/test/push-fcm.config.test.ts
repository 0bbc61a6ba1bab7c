import { generateKeyPairSync } from 'node:crypto';

import { type Logger, SILENT_LOGGER } from '@kabar/core';
import manifest from '@kabar/plugin-push-fcm';
import { type ConfigProblem, PluginConfigError, secretPaths, validatePluginConfig } from '@kabar/plugin-sdk';
import { describe, expect, it } from 'vitest';

// The schema only sees a PEM header; create() parses the key, so the tests that reach it use a real one.
const KEY_STUB = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
const realKey = (): string => generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
const serviceAccount = { clientEmail: 'firebase-adminsdk-x1y2z@kabar-jakarta.iam.gserviceaccount.com', privateKey: KEY_STUB };
const withAccount = { projectId: 'kabar-jakarta', serviceAccount };
const withToken = { projectId: 'kabar-jakarta', accessToken: 'ya29.a0AfB_byC-development-token' };

function problemsOf(raw: unknown): ConfigProblem[] {
  try {
    validatePluginConfig(manifest, raw);
    return [];
  } catch (error) {
    return error instanceof PluginConfigError ? [...error.problems] : [{ path: '(not a PluginConfigError)', message: String(error) }];
  }
}

function recordingLogger(): { logger: Logger; warnings: unknown[] } {
  const warnings: unknown[] = [];
  return { warnings, logger: { ...SILENT_LOGGER, warn: (fields, message) => void warnings.push({ fields, message }) } };
}

describe('push-fcm configuration', () => {
  it('fills in a 10 s timeout and real sending, for a service account or an access token', () => {
    expect(validatePluginConfig(manifest, withAccount)).toEqual({ ...withAccount, timeoutMs: 10_000, dryRun: false });
    expect(validatePluginConfig(manifest, withToken)).toEqual({ ...withToken, timeoutMs: 10_000, dryRun: false });
  });

  it('marks the private key and the access token as the only secrets', () => {
    expect(secretPaths(manifest)).toEqual(['/serviceAccount/privateKey', '/accessToken']);
  });

  it('names the missing credential when there is none', () => {
    expect(problemsOf({ projectId: 'kabar-jakarta' })).toContainEqual({ path: '/serviceAccount', message: 'is required' });
  });

  it('points at the service account when both credentials are given', () => {
    expect(problemsOf({ ...withAccount, accessToken: withToken.accessToken })).toContainEqual({ path: '/serviceAccount', message: 'must NOT be valid' });
  });

  it.each([
    ['/projectId', { serviceAccount }],
    ['/projectId', { ...withAccount, projectId: 'Kabar Jakarta' }],
    ['/projectId', { ...withAccount, projectId: 'kabar-' }],
    ['/serviceAccount/privateKey', { ...withAccount, serviceAccount: { clientEmail: serviceAccount.clientEmail } }],
    ['/serviceAccount/privateKey', { ...withAccount, serviceAccount: { ...serviceAccount, privateKey: 'MIIEvQIBADANBg' } }],
    ['/serviceAccount/clientEmail', { ...withAccount, serviceAccount: { ...serviceAccount, clientEmail: 'admin@kabar.go.id' } }],
    // Pasted straight from the key file: snake_case names are not this schema's.
    ['/serviceAccount/private_key', { ...withAccount, serviceAccount: { ...serviceAccount, private_key: KEY_STUB } }],
    ['/accessToken', { ...withToken, accessToken: 'Bearer ya29.token' }],
    ['/timeoutMs', { ...withToken, timeoutMs: 50 }],
    ['/timeoutMs', { ...withToken, timeoutMs: 1.5 }],
    ['/dryRun', { ...withToken, dryRun: 'yes' }],
    // The host is fixed: no setting may send citizens' messages elsewhere.
    ['/endpoint', { ...withToken, endpoint: 'https://fcm.example.org' }],
  ])('reports %s for %j', (path, raw) => {
    expect(problemsOf(raw).map((p) => p.path)).toContain(path);
  });

  it('never echoes a secret in its problems', () => {
    const error = (() => {
      try {
        return validatePluginConfig(manifest, { ...withAccount, accessToken: 'ya29.leaked secret', serviceAccount: { ...serviceAccount, privateKey: 'private key' } });
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(PluginConfigError);
    expect(JSON.stringify(error) + String(error)).not.toMatch(/leaked|private key/);
  });

  it('refuses at create() a private key that looks like PEM but is not one, without quoting it', () => {
    const bogus = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ1dC1ub3QtYS1rZXk=\n-----END PRIVATE KEY-----\n';
    const error = (() => {
      try {
        return manifest.create(validatePluginConfig(manifest, { ...withAccount, serviceAccount: { ...serviceAccount, privateKey: bogus } }), { logger: SILENT_LOGGER });
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', retryable: false, message: expect.stringMatching(/^serviceAccount\.privateKey is not a PEM private key/) as unknown });
    expect(String(error)).not.toContain('c2VjcmV0');
  });

  it('accepts a private key pasted with the key file\'s "\\n" escapes, and warns about nothing', async () => {
    const { logger, warnings } = recordingLogger();
    const escaped = realKey().replaceAll('\n', '\\n');
    const provider = await manifest.create(validatePluginConfig(manifest, { ...withAccount, serviceAccount: { ...serviceAccount, privateKey: escaped } }), { logger });
    await provider.close();
    expect(warnings).toEqual([]);
  });

  it('warns, without secrets, when a fixed access token or a dry run is configured', async () => {
    const { logger, warnings } = recordingLogger();
    const provider = await manifest.create(validatePluginConfig(manifest, { ...withToken, dryRun: true }), { logger });
    await provider.close();
    expect(warnings).toEqual([
      { fields: { plugin: 'push-fcm', projectId: 'kabar-jakarta' }, message: expect.stringContaining('fixed access token') as unknown },
      { fields: { plugin: 'push-fcm', projectId: 'kabar-jakarta' }, message: expect.stringContaining('dry run') as unknown },
    ]);
    expect(JSON.stringify(warnings)).not.toContain(withToken.accessToken);
  });
});
