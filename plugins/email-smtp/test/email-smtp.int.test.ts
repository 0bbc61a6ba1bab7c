import { SILENT_LOGGER } from '@kabar/core';
import manifest, { type EmailSmtpConfig, messageIdFor } from '@kabar/plugin-email-smtp';
import { type ChannelProvider, type OutboundMessage, validatePluginConfig } from '@kabar/plugin-sdk';
import { anOutboundMessage, runConformance } from '@kabar/plugin-sdk/conformance';
import { closedPort } from '@kabar/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type ReceivedMail, selfSignedCertificate, type SmtpPeer, startSilentPeer, startSmtpPeer } from './smtp-peer.fixture.js';

// Real: smtp-server on loopback with STARTTLS (a certificate made for this run) and AUTH; mailparser reads what it got.
const certificate = selfSignedCertificate();
const auth = { user: 'kabar-relay', pass: 'S3cret-relay-pass' };
const defaultFrom = 'Kabar <noreply@kabar.go.id>';
let peer: SmtpPeer;

beforeAll(async () => {
  peer = await startSmtpPeer(certificate, auth.user, auth.pass);
});

afterAll(async () => {
  await peer.close();
});

const liveConfig = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  host: '127.0.0.1',
  port: peer.port,
  auth,
  ca: certificate.cert,
  from: defaultFrom,
  ...overrides,
});

const emailMessage = (overrides: Partial<OutboundMessage> = {}): OutboundMessage =>
  anOutboundMessage({ channel: 'email', to: 'budi.santoso@example.co.id', ...overrides });

/** The idempotency key back from a received Message-ID (`<percent-encoded key@domain>`). */
const keyOf = (mail: ReceivedMail): string => decodeURIComponent((mail.parsed.messageId ?? '').replace(/^<|@[^@]*$/g, ''));

runConformance({
  manifest,
  packageJson: new URL('../package.json', import.meta.url),
  config: () => liveConfig(),
  received: () => peer.mails.map(keyOf),
  message: { to: 'warga@example.co.id' },
  invalidConfigs: [
    { host: 'smtp.example.go.id', from: 'a@b.go.id, c@d.go.id' },
    { host: 'smtp://smtp.example.go.id', from: defaultFrom },
    { host: 'smtp.example.go.id', from: defaultFrom, port: 70_000 },
    { host: 'smtp.example.go.id', from: defaultFrom, starttls: 'maybe' },
    { host: 'smtp.example.go.id', from: defaultFrom, auth: { user: 'kabar' } },
    { host: 'smtp.example.go.id', from: defaultFrom, greetingTimeoutMs: 0 },
    { host: 'smtp.example.go.id', from: defaultFrom, pool: { maxConnections: 0 } },
    { host: 'smtp.example.go.id', from: defaultFrom, unsubscribeUrl: 'http://kabar.go.id/u' },
    { host: 'smtp.example.go.id', from: defaultFrom, ca: 'not a certificate' },
  ],
});

describe('email-smtp plugin', () => {
  const providers: ChannelProvider[] = [];
  async function providerFor(overrides: Partial<Record<keyof EmailSmtpConfig, unknown>> = {}): Promise<ChannelProvider> {
    const provider = await manifest.create(validatePluginConfig(manifest, liveConfig(overrides)), { logger: SILENT_LOGGER });
    providers.push(provider);
    return provider;
  }
  const mailFor = (message: OutboundMessage): ReceivedMail | undefined =>
    peer.mails.find((m) => m.header('x-kabar-notification') === message.notificationId);

  afterAll(async () => {
    await Promise.all(providers.map((p) => p.close()));
  });

  it('sends text and html over STARTTLS after AUTH, with the route sender, Message-ID and one-click unsubscribe', async () => {
    const provider = await providerFor({ unsubscribeUrl: 'https://kabar.go.id/unsubscribe/{notificationId}?agency={agencyCode}' });
    const message = emailMessage({
      idempotencyKey: 'c0ffee00-0000-4000-8000-000000000001:1',
      sender: 'Bapenda Kota Bandung <noreply@bapenda.bandung.go.id>',
      subject: 'Pengingat: PBB jatuh tempo 31 Agustus',
      body: 'Yth. Budi Santoso, PBB Anda jatuh tempo 31 Agustus.',
      html: '<p>Yth. Budi Santoso, PBB Anda jatuh tempo <b>31 Agustus</b>.</p>',
      agencyCode: 'BAPENDA-BDG',
      metadata: { messageClass: 'reminder' },
    });
    const messageId = '<c0ffee00-0000-4000-8000-000000000001%3A1@bapenda.bandung.go.id>';
    await expect(provider.send([message])).resolves.toEqual([{ notificationId: message.notificationId, status: 'sent', providerMessageId: messageId }]);

    const mail = mailFor(message);
    expect(mail).toMatchObject({ secure: true, user: auth.user, mailFrom: 'noreply@bapenda.bandung.go.id', rcptTo: ['budi.santoso@example.co.id'] });
    expect(mail?.header('from')).toBe('Bapenda Kota Bandung <noreply@bapenda.bandung.go.id>');
    expect(mail?.header('to')).toBe('budi.santoso@example.co.id');
    expect(mail?.parsed.subject).toBe('Pengingat: PBB jatuh tempo 31 Agustus');
    expect(mail?.parsed.text?.trim()).toBe('Yth. Budi Santoso, PBB Anda jatuh tempo 31 Agustus.');
    expect(mail?.parsed.html).toBe('<p>Yth. Budi Santoso, PBB Anda jatuh tempo <b>31 Agustus</b>.</p>');
    expect(mail?.header('content-type')).toMatch(/^multipart\/alternative;/);
    expect(mail?.header('message-id')).toBe(messageId);
    expect(mail?.header('auto-submitted')).toBe('auto-generated');
    expect(mail?.header('list-unsubscribe')).toBe(`<https://kabar.go.id/unsubscribe/${message.notificationId}?agency=BAPENDA-BDG>`);
    expect(mail?.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
  });

  it('uses the default From without a sender, text only without html, and no List-Unsubscribe for critical mail', async () => {
    const provider = await providerFor({ unsubscribeUrl: 'mailto:berhenti@kabar.go.id' });
    const message = emailMessage({ metadata: { messageClass: 'critical' } });
    expect(message.html).toBeUndefined();
    await expect(provider.send([message])).resolves.toMatchObject([{ status: 'sent' }]);
    const mail = mailFor(message);
    expect(mail?.header('from')).toBe(defaultFrom);
    expect(mail?.header('message-id')).toBe(messageIdFor(message.idempotencyKey, defaultFrom));
    expect(mail?.header('message-id')).toMatch(/@kabar\.go\.id>$/);
    expect(mail?.header('content-type')).toMatch(/^text\/plain/);
    expect(mail?.parsed.html).toBe(false);
    expect(mail?.header('list-unsubscribe')).toBeUndefined();
    expect(mail?.header('list-unsubscribe-post')).toBeUndefined();
  });

  it('gives a mailto unsubscribe to informational mail without the one-click header', async () => {
    const provider = await providerFor({ unsubscribeUrl: 'mailto:berhenti@kabar.go.id?subject={notificationId}' });
    const message = emailMessage({ metadata: { messageClass: 'informational' } });
    await provider.send([message]);
    expect(mailFor(message)?.header('list-unsubscribe')).toBe(`<mailto:berhenti@kabar.go.id?subject=${message.notificationId}>`);
    expect(mailFor(message)?.header('list-unsubscribe-post')).toBeUndefined();
  });

  it('resends a delivery with the same Message-ID, so the receiving side can drop the duplicate', async () => {
    const provider = await providerFor();
    const message = emailMessage();
    await provider.send([message]);
    await provider.send([message]);
    const ids = peer.mails.filter((m) => m.header('x-kabar-notification') === message.notificationId).map((m) => m.header('message-id'));
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
  });

  it('maps 550 at RCPT TO to a permanent INVALID_RECIPIENT without the address in the error, keeping batch order', async () => {
    const provider = await providerFor();
    const batch = [emailMessage(), emailMessage({ to: 'unknown@example.co.id' }), emailMessage()];
    const outcomes = await provider.send(batch);
    expect(outcomes.map((o) => [o.notificationId, o.status])).toEqual([
      [batch[0]?.notificationId, 'sent'],
      [batch[1]?.notificationId, 'failed'],
      [batch[2]?.notificationId, 'sent'],
    ]);
    expect(outcomes[1]).toMatchObject({ error: { code: 'INVALID_RECIPIENT', retryable: false, message: expect.stringMatching(/^SMTP 550 to RCPT TO from 127\.0\.0\.1:\d+/) as unknown } });
    expect(JSON.stringify(outcomes)).not.toContain('unknown@');
  });

  it('maps 451 (greylisting) to a retryable RATE_LIMITED', async () => {
    const [outcome] = await (await providerFor()).send([emailMessage({ to: 'greylisted@example.co.id' })]);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'RATE_LIMITED', retryable: true, message: expect.stringContaining('SMTP 451') as unknown } });
  });

  it('refuses a `to` that is not exactly one address, before talking to the server', async () => {
    const before = peer.mails.length;
    const outcomes = await (await providerFor()).send([emailMessage({ to: 'a@example.co.id, b@example.co.id' }), emailMessage({ to: '+6281234567890' })]);
    for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 'failed', error: { code: 'INVALID_RECIPIENT', retryable: false } });
    expect(peer.mails).toHaveLength(before);
  });

  it('maps a wrong password to UNAUTHORIZED, in send and in check(), without the password', async () => {
    const provider = await providerFor({ auth: { user: auth.user, pass: 'wrong-password' } });
    const [outcome] = await provider.send([emailMessage()]);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'UNAUTHORIZED', retryable: false } });
    const check = await provider.check();
    expect(check).toMatchObject({ ok: false, detail: expect.stringContaining('SMTP 535') as unknown });
    expect(JSON.stringify([outcome, check])).not.toContain('wrong-password');
  });

  it('reports a server that is down as a retryable CONNECTION_FAILED, in send and in check()', async () => {
    const provider = await providerFor({ port: await closedPort() });
    const outcomes = await provider.send([emailMessage(), emailMessage()]);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'CONNECTION_FAILED', retryable: true, message: expect.stringContaining('ECONNREFUSED') as unknown } });
    }
    await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringContaining('ECONNREFUSED') as unknown });
  });

  it('gives up on a server that never sends its greeting with a retryable TIMEOUT', async () => {
    const silent = await startSilentPeer();
    try {
      const provider = await providerFor({ port: silent.port, connectionTimeoutMs: 300, greetingTimeoutMs: 300, socketTimeoutMs: 3_000 });
      const [outcome] = await provider.send([emailMessage()]);
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT', retryable: true, message: expect.stringContaining('GREETING_TIMEOUT') as unknown } });
      await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringContaining('timed out') as unknown });
    } finally {
      await silent.close();
    }
  });

  it('does not trust the self-signed server without its CA, and says so', async () => {
    const before = peer.mails.length;
    const provider = await manifest.create(validatePluginConfig(manifest, { ...liveConfig(), ca: undefined }), { logger: SILENT_LOGGER });
    providers.push(provider);
    const [outcome] = await provider.send([emailMessage()]);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'CONNECTION_FAILED', retryable: true } });
    await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringMatching(/certificate/i) as unknown });
    expect(peer.mails).toHaveLength(before);
  });

  it('check() names the relay and not the credentials', async () => {
    const check = await (await providerFor()).check();
    expect(check).toMatchObject({ ok: true, detail: expect.stringMatching(/^SMTP 127\.0\.0\.1:\d+ accepted the handshake in \d+ ms$/) as unknown });
  });
});
