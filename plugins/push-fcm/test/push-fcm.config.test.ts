import { generateKeyPairSync } from 'node:crypto';

import { type Logger, SILENT_LOGGER } from '@kabar/core';
import manifest from '@kabar/plugin-push-fcm';
import { type ConfigProblem, PluginConfigError, secretPaths, validatePluginConfig } from '@kabar/plugin-sdk';
import { describe, expect, it } from 'vitest';

import { googleCertificate } from './fcm-server.fixture.js';

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

function recordingLogger(): { logger: Logger; warnings: unknown[]; infos: { fields: Readonly<Record<string, unknown>>; message: string }[] } {
  const warnings: unknown[] = [];
  const infos: { fields: Readonly<Record<string, unknown>>; message: string }[] = [];
  return { warnings, infos, logger: { ...SILENT_LOGGER, warn: (fields, message) => void warnings.push({ fields, message }), info: (fields, message) => void infos.push({ fields, message }) } };
}

/** What create() throws for a configuration the schema accepted, or undefined when it makes a provider. */
async function createError(raw: unknown): Promise<unknown> {
  try {
    const provider = await manifest.create(validatePluginConfig(manifest, raw), { logger: SILENT_LOGGER });
    await provider.close();
    return undefined;
  } catch (thrown) {
    return thrown;
  }
}

const PROXY_URL = 'http://proxy.kemkes.go.id:3128';

describe('push-fcm configuration', () => {
  it('fills in a 10 s timeout and real sending, for a service account or an access token', () => {
    expect(validatePluginConfig(manifest, withAccount)).toEqual({ ...withAccount, timeoutMs: 10_000, dryRun: false });
    expect(validatePluginConfig(manifest, withToken)).toEqual({ ...withToken, timeoutMs: 10_000, dryRun: false });
  });

  it('marks the private key, the access token and the proxy password as the only secrets', () => {
    expect(secretPaths(manifest)).toEqual(['/serviceAccount/privateKey', '/accessToken', '/proxy/password']);
  });

  it('takes an egress proxy, with or without credentials, and a CA bundle, as they are', () => {
    const proxied = { ...withToken, proxy: { url: PROXY_URL, username: 'kabar-egress', password: 'Rahasia: 2025!' }, caCertificates: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' };
    expect(validatePluginConfig(manifest, proxied)).toEqual({ ...proxied, timeoutMs: 10_000, dryRun: false });
    expect(problemsOf({ ...withToken, proxy: { url: 'http://10.20.30.40:8080/' } })).toEqual([]);
    expect(problemsOf({ ...withToken, proxy: { url: 'http://[fd00::1]:3128' } })).toEqual([]);
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
    ['/proxy/url', { ...withToken, proxy: {} }],
    ['/proxy/url', { ...withToken, proxy: { url: 'proxy.kemkes.go.id:3128' } }],
    // CONNECT to the proxy goes in clear text; a TLS proxy is not supported, rather than silently spoken to in clear.
    ['/proxy/url', { ...withToken, proxy: { url: 'https://proxy.kemkes.go.id:3128' } }],
    // The password would sit in the URL, which is not a secret: it goes in proxy.password.
    ['/proxy/url', { ...withToken, proxy: { url: 'http://kabar-egress:secret@proxy.kemkes.go.id:3128' } }],
    ['/proxy/url', { ...withToken, proxy: { url: 'http://proxy.kemkes.go.id:3128/fcm' } }],
    ['/proxy', { ...withToken, proxy: { url: PROXY_URL, username: 'kabar-egress' } }],
    ['/proxy', { ...withToken, proxy: { url: PROXY_URL, password: 'Rahasia' } }],
    ['/proxy/username', { ...withToken, proxy: { url: PROXY_URL, username: 'kemkes:egress', password: 'Rahasia' } }],
    ['/proxy/host', { ...withToken, proxy: { url: PROXY_URL, host: 'proxy.kemkes.go.id' } }],
    ['/proxy', { ...withToken, proxy: PROXY_URL }],
    ['/caCertificates', { ...withToken, caCertificates: 'MIIBszCCAVmgAwIBAgIU' }],
    ['/caCertificates', { ...withToken, caCertificates: ['-----BEGIN CERTIFICATE-----'] }],
  ])('reports %s for %j', (path, raw) => {
    expect(problemsOf(raw).map((p) => p.path)).toContain(path);
  });

  it('never echoes a secret in its problems', () => {
    const error = (() => {
      try {
        return validatePluginConfig(manifest, {
          ...withAccount,
          accessToken: 'ya29.leaked secret',
          serviceAccount: { ...serviceAccount, privateKey: 'private key' },
          proxy: { url: PROXY_URL, password: 'leaked\tpassword' },
        });
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(PluginConfigError);
    expect(JSON.stringify(error) + String(error)).not.toMatch(/leaked|private key/);
  });

  describe('caCertificates, parsed at create()', () => {
    const certificate = googleCertificate().cert;

    it.each([
      ['a block that is not an X.509 certificate', '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n', /^certificate 1 of 1 is not an X\.509 certificate \(.+\)$/],
      ['a good certificate, then a broken one', `${certificate}-----BEGIN CERTIFICATE-----\nMIIBszCC\n-----END CERTIFICATE-----\n`, /^certificate 2 of 2 is not an X\.509 certificate/],
      ['a certificate without its END line', certificate.replace('-----END CERTIFICATE-----', ''), /^has a PEM block without its matching END line$/],
      ['a private key pasted with the certificate', `${certificate}-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleQ==\n-----END PRIVATE KEY-----\n`, /^holds a PRIVATE KEY block: only CERTIFICATE blocks belong here$/],
    ])('refuses %s as a problem at /caCertificates, without quoting it', async (_label, caCertificates, message) => {
      const error = await createError({ ...withToken, caCertificates });
      expect(error).toBeInstanceOf(PluginConfigError);
      expect(error).toMatchObject({ code: 'INVALID_CONFIG', retryable: false, problems: [{ path: '/caCertificates', message: expect.stringMatching(message) as unknown }] });
      expect(JSON.stringify(error) + String(error)).not.toMatch(/bm90IGEg|c2VjcmV0|MIIBszCC/);
    });

    it('logs the subject and fingerprint of each trusted certificate, so which ones are trusted is on record', async () => {
      const { logger, infos, warnings } = recordingLogger();
      const provider = await manifest.create(validatePluginConfig(manifest, { ...withAccount, serviceAccount: { ...serviceAccount, privateKey: realKey() }, caCertificates: certificate }), { logger });
      await provider.close();
      expect(infos).toEqual([
        {
          fields: { plugin: 'push-fcm', projectId: 'kabar-jakarta', certificates: [{ subject: 'CN=kabar-test-fcm', fingerprint256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) as unknown, validTo: expect.any(String) as unknown }] },
          message: expect.stringContaining('caCertificates') as unknown,
        },
      ]);
      expect(warnings).toEqual([]);
    });
  });

  describe('proxy, parsed at create()', () => {
    it('refuses a port no URL can have, at /proxy/url', async () => {
      await expect(createError({ ...withToken, proxy: { url: 'http://proxy.kemkes.go.id:99999' } })).resolves.toMatchObject({ code: 'INVALID_CONFIG', problems: [{ path: '/proxy/url', message: 'is not a URL' }] });
    });

    it('logs the proxy and whether it authenticates, never its credentials', async () => {
      const { logger, infos } = recordingLogger();
      const provider = await manifest.create(validatePluginConfig(manifest, { ...withToken, proxy: { url: PROXY_URL, username: 'kabar-egress', password: 'Rahasia: 2025!' } }), { logger });
      await provider.close();
      expect(infos).toEqual([{ fields: { plugin: 'push-fcm', projectId: 'kabar-jakarta', proxy: 'proxy.kemkes.go.id:3128', proxyAuthentication: true }, message: 'FCM traffic goes through an egress proxy' }]);
      expect(JSON.stringify(infos)).not.toMatch(/Rahasia|kabar-egress/);
    });
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
