import { SILENT_LOGGER } from '@kabar/core';
import manifest from '@kabar/plugin-email-smtp';
import { PluginConfigError, secretPaths, validatePluginConfig } from '@kabar/plugin-sdk';
import { describe, expect, it } from 'vitest';

const minimal = { host: 'smtp.bandung.go.id', from: 'Bapenda Kota Bandung <noreply@bapenda.bandung.go.id>' };

function problemsOf(raw: unknown): string[] {
  try {
    validatePluginConfig(manifest, raw);
    return [];
  } catch (error) {
    return error instanceof PluginConfigError ? error.problems.map((p) => p.path) : ['(not a PluginConfigError)'];
  }
}

describe('email-smtp configuration', () => {
  it('fills in secure defaults: STARTTLS required, certificates verified, bounded timeouts, a pool of 5', () => {
    expect(validatePluginConfig(manifest, minimal)).toEqual({
      ...minimal,
      port: 587,
      secure: false,
      starttls: 'required',
      rejectUnauthorized: true,
      connectionTimeoutMs: 10_000,
      greetingTimeoutMs: 10_000,
      socketTimeoutMs: 60_000,
      pool: { maxConnections: 5, maxMessages: 100 },
    });
  });

  it('keeps what the admin set, implicit TLS and credentials included', () => {
    const raw = { ...minimal, port: 465, secure: true, auth: { user: 'kabar', pass: 'p4ss' }, pool: { maxConnections: 2 }, unsubscribeUrl: 'mailto:berhenti@kabar.go.id' };
    expect(validatePluginConfig(manifest, raw)).toMatchObject({ ...raw, pool: { maxConnections: 2, maxMessages: 100 } });
  });

  it('marks only the SMTP password as a secret', () => {
    expect(secretPaths(manifest)).toEqual(['/auth/pass']);
  });

  it.each([
    ['a bare address as from', { ...minimal, from: 'noreply@kabar.go.id' }],
    ['an IPv4 host', { ...minimal, host: '10.1.2.3' }],
    ['an IPv6 host', { ...minimal, host: '2001:db8::25' }],
    ['an https unsubscribe template', { ...minimal, unsubscribeUrl: 'https://kabar.go.id/u/{notificationId}' }],
  ])('accepts %s', (_label, raw) => {
    expect(problemsOf(raw)).toEqual([]);
  });

  it.each([
    ['/host', { from: minimal.from }],
    ['/from', { host: minimal.host }],
    ['/from', { ...minimal, from: 'Kabar' }],
    ['/from', { ...minimal, from: 'a@kabar.go.id, b@kabar.go.id' }],
    ['/host', { ...minimal, host: 'smtp.kabar.go.id:587' }],
    ['/port', { ...minimal, port: 0 }],
    ['/starttls', { ...minimal, starttls: true }],
    ['/auth/pass', { ...minimal, auth: { user: 'kabar' } }],
    ['/auth/token', { ...minimal, auth: { user: 'kabar', pass: 'x', token: 'y' } }],
    ['/pool/maxConnections', { ...minimal, pool: { maxConnections: 51 } }],
    ['/socketTimeoutMs', { ...minimal, socketTimeoutMs: 50 }],
    ['/unsubscribeUrl', { ...minimal, unsubscribeUrl: 'http://kabar.go.id/u' }],
    ['/ca', { ...minimal, ca: 'MIIB...' }],
  ])('reports %s for %j', (path, raw) => {
    expect(problemsOf(raw)).toContain(path);
  });

  it('refuses at create() a ca that looks like PEM but is not a certificate', async () => {
    const ca = '-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----\n';
    const error = await Promise.resolve()
      .then(() => manifest.create(validatePluginConfig(manifest, { ...minimal, ca }), { logger: SILENT_LOGGER }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', retryable: false });
  });

  it('warns, without personal data, when the relay may be used without TLS', async () => {
    const warnings: unknown[] = [];
    const logger = { ...SILENT_LOGGER, warn: (fields: unknown, message: string) => warnings.push({ fields, message }) };
    const provider = await manifest.create(validatePluginConfig(manifest, { ...minimal, starttls: 'opportunistic' }), { logger });
    await provider.close();
    expect(warnings).toEqual([{ fields: { plugin: 'email-smtp', host: minimal.host, starttls: 'opportunistic' }, message: expect.stringContaining('without TLS') as unknown }]);
  });
});
