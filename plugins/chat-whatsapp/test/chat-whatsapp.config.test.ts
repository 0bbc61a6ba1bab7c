import { type Logger, SILENT_LOGGER } from '@kabar/core';
import manifest from '@kabar/plugin-chat-whatsapp';
import { type ConfigProblem, PluginConfigError, secretPaths, validatePluginConfig } from '@kabar/plugin-sdk';
import { describe, expect, it } from 'vitest';

import { graphCertificate } from './whatsapp-cloud.fixture.js';

const minimal = { phoneNumberId: '106540352242922', accessToken: 'EAAJkabarSystemUserToken0123456789' };
const template = { name: 'pemberitahuan_dokumen', language: 'id' };
const certificate = graphCertificate().cert;

function problemsOf(raw: unknown): ConfigProblem[] {
  try {
    validatePluginConfig(manifest, raw);
    return [];
  } catch (error) {
    return error instanceof PluginConfigError ? [...error.problems] : [{ path: '(not a PluginConfigError)', message: String(error) }];
  }
}

function recordingLogger(): { logger: Logger; lines: { level: string; fields: unknown; message: string }[] } {
  const lines: { level: string; fields: unknown; message: string }[] = [];
  const record = (level: string) => (fields: unknown, message: string) => void lines.push({ level, fields, message });
  return { lines, logger: { ...SILENT_LOGGER, info: record('info'), warn: record('warn') } };
}

describe('chat-whatsapp configuration', () => {
  it("fills in Meta's Graph API at v21.0 and a 10 s timeout", () => {
    expect(validatePluginConfig(manifest, minimal)).toEqual({ ...minimal, apiVersion: 'v21.0', baseUrl: 'https://graph.facebook.com', timeoutMs: 10_000 });
  });

  it('accepts a gateway with a CA bundle, webhook secrets and templates keyed by event type', () => {
    const full = {
      ...minimal,
      apiVersion: 'v22.0',
      baseUrl: 'https://wa-gateway.bsp.example.co.id/cloud',
      caCertificates: `${certificate}\n${certificate}`,
      timeoutMs: 5000,
      appSecret: 'f3a9c1d2e4b5a6978877665544332211',
      verifyToken: 'kabar-verify-7f3a',
      templates: { 'document.ready': template, 'id.go.bapenda.tax-due.v1': { name: 'tagihan_pajak', language: 'en_US' } },
    };
    expect(validatePluginConfig(manifest, full)).toEqual(full);
  });

  it('marks the access token, the app secret and the verify token as the only secrets', () => {
    expect(secretPaths(manifest)).toEqual(['/accessToken', '/appSecret', '/verifyToken']);
  });

  it.each([
    ['/phoneNumberId', { accessToken: minimal.accessToken }],
    ['/accessToken', { phoneNumberId: minimal.phoneNumberId }],
    // The number itself instead of its id.
    ['/phoneNumberId', { ...minimal, phoneNumberId: '+62 811-1500-2024' }],
    ['/accessToken', { ...minimal, accessToken: `Bearer ${minimal.accessToken}` }],
    ['/apiVersion', { ...minimal, apiVersion: 'v21' }],
    ['/apiVersion', { ...minimal, apiVersion: '21.0' }],
    ['/baseUrl', { ...minimal, baseUrl: 'http://graph.facebook.com' }],
    ['/baseUrl', { ...minimal, baseUrl: 'graph.facebook.com' }],
    ['/baseUrl', { ...minimal, baseUrl: 'https://graph.facebook.com/?access_token=EAAJ' }],
    ['/caCertificates', { ...minimal, caCertificates: 'MIIBszCCAVmgAwIBAgIU' }],
    ['/caCertificates', { ...minimal, caCertificates: `${certificate}-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n` }],
    ['/timeoutMs', { ...minimal, timeoutMs: 50 }],
    ['/timeoutMs', { ...minimal, timeoutMs: 1.5 }],
    ['/appSecret', { ...minimal, appSecret: 'short' }],
    ['/verifyToken', { ...minimal, verifyToken: 'two words' }],
    ['/templates', { ...minimal, templates: [template] }],
    ['/templates', { ...minimal, templates: { 'Document Ready': template } }],
    ['/templates/document.ready/name', { ...minimal, templates: { 'document.ready': { ...template, name: 'Pemberitahuan Dokumen' } } }],
    ['/templates/document.ready/language', { ...minimal, templates: { 'document.ready': { ...template, language: 'Indonesian' } } }],
    ['/templates/document.ready/language', { ...minimal, templates: { 'document.ready': { name: template.name } } }],
    ['/templates/document.ready/namespace', { ...minimal, templates: { 'document.ready': { ...template, namespace: 'x' } } }],
    ['/webhookUrl', { ...minimal, webhookUrl: 'https://kabar.example.go.id/whatsapp' }],
  ])('reports %s for %j', (path, raw) => {
    expect(problemsOf(raw).map((p) => p.path)).toContain(path);
  });

  it('never echoes a secret in its problems', () => {
    const error = (() => {
      try {
        return validatePluginConfig(manifest, { ...minimal, accessToken: 'EAAJ leaked', appSecret: 'leaked', verifyToken: 'leaked token' });
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(PluginConfigError);
    expect(JSON.stringify(error) + String(error)).not.toMatch(/leaked/);
  });

  it('refuses at create() a CA bundle with a certificate that has the PEM shape but does not parse', () => {
    const damaged = '-----BEGIN CERTIFICATE-----\nc2VjcmV0LWJ1dC1ub3QtYS1jZXJ0aWZpY2F0ZQ==\n-----END CERTIFICATE-----\n';
    const config = validatePluginConfig(manifest, { ...minimal, caCertificates: `${certificate}${damaged}` });
    expect(() => manifest.create(config, { logger: SILENT_LOGGER })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', retryable: false, message: expect.stringMatching(/^caCertificates: certificate 2 of 2 is not a valid X\.509 certificate/) as unknown }) as Error,
    );
  });

  it('warns, without secrets, that without templates only the 24-hour window is open, and notes a gateway', async () => {
    const { logger, lines } = recordingLogger();
    const provider = await manifest.create(validatePluginConfig(manifest, { ...minimal, baseUrl: 'https://wa-gateway.bsp.example.co.id' }), { logger });
    await provider.close();
    const fields = { plugin: 'chat-whatsapp', phoneNumberId: minimal.phoneNumberId, host: 'wa-gateway.bsp.example.co.id' };
    expect(lines).toEqual([
      { level: 'info', fields, message: "WhatsApp messages go through a gateway, not Meta's Graph API directly" },
      { level: 'warn', fields, message: expect.stringContaining('only within 24 hours') as unknown },
    ]);
    expect(JSON.stringify(lines)).not.toContain(minimal.accessToken);
  });

  it("logs nothing for Meta's Graph API with templates", async () => {
    const { logger, lines } = recordingLogger();
    const provider = await manifest.create(validatePluginConfig(manifest, { ...minimal, templates: { 'document.ready': template } }), { logger });
    await provider.close();
    expect(lines).toEqual([]);
  });
});
