import { SILENT_LOGGER } from '@kabar/core';
import type { ProviderInbound, ProviderReceipt } from '@kabar/plugin-sdk';
import { type ChannelProvider, type OutboundMessage, secretPaths, validatePluginConfig } from '@kabar/plugin-sdk';
import { anOutboundMessage, runConformance } from '@kabar/plugin-sdk/conformance';
import manifest, { type SmsSmppConfig, type SmsSmppContext } from '@kabar/plugin-sms-smpp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { DESTINATION, PASSWORD, selfSignedCertificate, type SmscPeer, startSmscPeer, SYSTEM_ID } from './smsc-peer.fixture.js';

// Real: an SMPP 3.4 server (the `smpp` package's own) on loopback, authenticating binds and recording raw PDUs.
let peer: SmscPeer;

beforeAll(async () => {
  peer = await startSmscPeer();
});

afterAll(async () => {
  await peer.close();
});

const baseConfig = (): Record<string, unknown> => ({
  host: '127.0.0.1',
  port: peer.port,
  systemId: SYSTEM_ID,
  password: PASSWORD,
  defaultSender: 'BAPENDA BDG',
  responseTimeoutMs: 2_000,
});

const sms = (overrides: Partial<OutboundMessage> = {}): OutboundMessage =>
  anOutboundMessage({ channel: 'sms', to: '+6281234567890', agencyCode: 'BAPENDA', body: 'Pajak Anda Rp1.250.000 jatuh tempo', ...overrides });

// An SMSC never sees Kabar's ids; the join is the message_id the peer itself issued and the provider reported back.
const issuedTo = new Map<string, string>();
runConformance({
  manifest: {
    ...manifest,
    create: (config, context) => {
      const provider = manifest.create(config as SmsSmppConfig, context);
      return {
        send: async (batch) => {
          const outcomes = await provider.send(batch);
          for (const o of outcomes) if (o.status === 'sent' && o.providerMessageId !== undefined) issuedTo.set(o.providerMessageId, o.notificationId);
          return outcomes;
        },
        check: () => provider.check(),
        close: () => provider.close(),
      };
    },
  },
  packageJson: new URL('../package.json', import.meta.url),
  config: baseConfig,
  received: () => peer.submits.flatMap((s) => (s.messageId === undefined ? [] : [issuedTo.get(s.messageId) ?? `unknown:${s.messageId}`])),
  identifyBy: 'notificationId',
  message: { to: '+6281234567890' },
  invalidConfigs: [
    { host: '127.0.0.1', systemId: SYSTEM_ID, password: 'far-too-long-password', defaultSender: 'BAPENDA BDG' },
    { host: '127.0.0.1', systemId: SYSTEM_ID, password: PASSWORD, defaultSender: 'BAPENDA BANDUNG' },
    { host: '127.0.0.1', systemId: SYSTEM_ID, password: PASSWORD, defaultSender: 'BAPENDA BDG', port: 0 },
    { host: '127.0.0.1', systemId: SYSTEM_ID, password: PASSWORD, defaultSender: 'BAPENDA BDG', windowSize: 0 },
  ],
});

describe('sms-smpp plugin against a real SMSC', () => {
  const providers: ChannelProvider[] = [];
  const receipts: ProviderReceipt[] = [];
  const inbound: ProviderInbound[] = [];
  const context: SmsSmppContext = {
    logger: SILENT_LOGGER,
    onDeliveryReceipt: (receipt) => void receipts.push(receipt),
    onInbound: (message) => void inbound.push(message),
  };
  function providerWith(overrides: Record<string, unknown> = {}): ChannelProvider {
    const provider = manifest.create(validatePluginConfig(manifest, { ...baseConfig(), ...overrides }), context);
    providers.push(provider);
    return provider;
  }
  const lastSubmits = (n: number): SmscPeer['submits'] => peer.submits.slice(-n);

  afterAll(async () => {
    await Promise.all(providers.map((p) => p.close()));
  });

  it('binds with system_id and password and submits a GSM notice from "BAPENDA BDG" (TON 5) to TON 1, asking for a receipt', async () => {
    const message = sms();
    const outcomes = await providerWith().send([message]);
    const [submit] = lastSubmits(1);
    expect(outcomes).toEqual([{ notificationId: message.notificationId, status: 'sent', providerMessageId: submit?.messageId }]);
    expect(submit).toMatchObject({
      serviceType: '',
      sourceTon: 5,
      sourceNpi: 0,
      sourceAddr: 'BAPENDA BDG',
      destinationTon: 1,
      destinationNpi: 1,
      destinationAddr: '6281234567890',
      esmClass: 0,
      registeredDelivery: 1,
      dataCoding: 0,
    });
    expect(submit?.shortMessage).toEqual(Buffer.from('Pajak Anda Rp1.250.000 jatuh tempo', 'ascii'));
  });

  it('sends a 200-character GSM text as two parts with one concatenation UDH (esm_class 0x40); the id is the last part\'s', async () => {
    const body = `Yth. Wajib Pajak, PBB-P2 tahun 2025 untuk NOP 32.73.010.001.000-0123.0 sebesar Rp1.250.000 jatuh tempo 31 Agustus. ${'Bayar di bank atau Tokopedia. '.repeat(3)}`.slice(0, 200);
    const [outcome] = await providerWith().send([sms({ body })]);
    const parts = lastSubmits(2);
    expect(parts.map((p) => [p.esmClass, p.dataCoding, p.registeredDelivery])).toEqual([[0x40, 0, 1], [0x40, 0, 1]]);
    const reference = parts[0]?.shortMessage[3] ?? -1;
    expect(parts.map((p) => [...p.shortMessage.subarray(0, 6)])).toEqual([
      [0x05, 0x00, 0x03, reference, 2, 1],
      [0x05, 0x00, 0x03, reference, 2, 2],
    ]);
    expect(parts.map((p) => p.shortMessage.length - 6)).toEqual([153, 47]);
    expect(Buffer.concat(parts.map((p) => p.shortMessage.subarray(6))).toString('latin1')).toBe(body);
    expect(outcome).toMatchObject({ status: 'sent', providerMessageId: parts[1]?.messageId });
  });

  it('sends Indonesian text with an emoji as UCS-2 (data_coding 8), big-endian, and a numeric sender as TON 1', async () => {
    const body = 'Terima kasih, pembayaran PBB Anda sudah kami terima 🙏';
    await providerWith().send([sms({ body, sender: '+628001500123' })]);
    const [submit] = lastSubmits(1);
    expect(submit).toMatchObject({ dataCoding: 8, esmClass: 0, sourceTon: 1, sourceNpi: 1, sourceAddr: '628001500123' });
    expect(submit?.shortMessage).toEqual(Buffer.from(body, 'utf16le').swap16());
  });

  it('sends from a short code (an answer from the complaint line 1708) as TON 3, NPI 0, unless the install says otherwise', async () => {
    await providerWith().send([sms({ sender: '1708' })]);
    expect(lastSubmits(1)[0]).toMatchObject({ sourceTon: 3, sourceNpi: 0, sourceAddr: '1708' });
    await providerWith({ sourceTonShortCode: 0, sourceNpiShortCode: 1 }).send([sms({ sender: '98999' })]);
    expect(lastSubmits(1)[0]).toMatchObject({ sourceTon: 0, sourceNpi: 1, sourceAddr: '98999' });
    // Seven digits and more are numbers, not short codes.
    await providerWith().send([sms({ sender: '1500123' })]);
    expect(lastSubmits(1)[0]).toMatchObject({ sourceTon: 1, sourceNpi: 1, sourceAddr: '1500123' });
  });

  it.each([
    [DESTINATION.throttled, 'RATE_LIMITED', true, 'ESME_RTHROTTLED (0x00000058)'],
    [DESTINATION.queueFull, 'PROVIDER_ERROR', true, 'ESME_RMSGQFUL (0x00000014)'],
    [DESTINATION.invalid, 'INVALID_RECIPIENT', false, 'ESME_RINVDSTADR (0x0000000b)'],
  ])('maps a submit_sm_resp refusal for %s to %s (retryable: %s), keeping batch order', async (to, code, retryable, status) => {
    const batch = [sms(), sms({ to }), sms()];
    const outcomes = await providerWith().send(batch);
    expect(outcomes.map((o) => o.notificationId)).toEqual(batch.map((m) => m.notificationId));
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'failed', 'sent']);
    expect(outcomes[1]).toMatchObject({ error: { code, retryable, message: `the SMSC refused submit_sm: ${status}` } });
  });

  it('refuses a recipient that is not E.164 and a sender longer than 11 characters without bothering the SMSC', async () => {
    const before = peer.submits.length;
    const outcomes = await providerWith().send([sms({ to: '081234567890' }), sms({ sender: 'BAPENDA BANDUNG' })]);
    expect(outcomes).toMatchObject([
      { status: 'failed', error: { code: 'INVALID_RECIPIENT', retryable: false } },
      { status: 'failed', error: { code: 'REJECTED', retryable: false } },
    ]);
    expect(peer.submits).toHaveLength(before);
  });

  it('answers a delivery receipt with deliver_sm_resp and hands (message id, DELIVRD → delivered) to onDeliveryReceipt', async () => {
    const provider = providerWith();
    const [outcome] = await provider.send([sms()]);
    const messageId = outcome?.status === 'sent' ? outcome.providerMessageId : undefined;
    const response = await peer.deliver({
      source_addr_ton: 1, source_addr_npi: 1, source_addr: '6281234567890', dest_addr_ton: 5, destination_addr: 'BAPENDA BDG',
      esm_class: 0x04, data_coding: 0,
      short_message: `id:${messageId ?? ''} sub:001 dlvrd:001 submit date:2508011030 done date:2508011031 stat:DELIVRD err:000 text:Pajak Anda`,
    });
    expect(response).toMatchObject({ command: 'deliver_sm_resp', command_status: 0 });
    await vi.waitFor(() => expect(receipts).toContainEqual({ messageId, state: 'delivered', stat: 'DELIVRD', error: '000' }));
  });

  it('prefers the receipted_message_id and message_state TLVs to the text (some SMSCs write the id in decimal there)', async () => {
    await providerWith().send([sms()]);
    await peer.deliver({ esm_class: 0x04, source_addr: '6281234567890', receipted_message_id: 'tsel-tlv-1', message_state: 5, short_message: 'id:8412 sub:001 dlvrd:000 submit date:2508011030 done date:2508011031 stat:UNDELIV err:034' });
    await vi.waitFor(() => expect(receipts).toContainEqual({ messageId: 'tsel-tlv-1', state: 'failed', stat: 'UNDELIV', error: '034' }));
  });

  it('hands a mobile-originated deliver_sm to onInbound, decoded, with the sender in E.164', async () => {
    await providerWith().send([sms()]);
    const text = 'Sudah saya bayar kemarin 🙏';
    const response = await peer.deliver({
      source_addr_ton: 1, source_addr_npi: 1, source_addr: '6281234567890', destination_addr: '1500123',
      esm_class: 0, data_coding: 8, short_message: Buffer.from(text, 'utf16le').swap16(),
    });
    expect(response).toMatchObject({ command: 'deliver_sm_resp', command_status: 0 });
    await vi.waitFor(() => expect(inbound).toContainEqual({ channel: 'sms', from: '+6281234567890', to: '1500123', text }));
  });

  it("answers a citizen's reply the hub could not record with ESME_RX_T_APPN (0x64), so the SMSC delivers it again, and the retry with OK", async () => {
    const tries: ProviderInbound[] = [];
    const failingOnce: SmsSmppContext = {
      logger: SILENT_LOGGER,
      onInbound: (message) => {
        tries.push(message);
        return tries.length === 1 ? Promise.reject(new Error('the hub could not record this inbound message')) : Promise.resolve();
      },
    };
    const provider = manifest.create(validatePluginConfig(manifest, baseConfig()), failingOnce);
    providers.push(provider);
    await provider.send([sms()]);
    const reply = { source_addr_ton: 1, source_addr_npi: 1, source_addr: '6281234567890', destination_addr: '1500123', esm_class: 0, data_coding: 0, short_message: 'LAPOR jalan rusak' };
    expect(await peer.deliver(reply)).toMatchObject({ command: 'deliver_sm_resp', command_status: 0x64 });
    expect(await peer.deliver(reply)).toMatchObject({ command: 'deliver_sm_resp', command_status: 0 });
    expect(tries).toEqual([
      { channel: 'sms', from: '+6281234567890', to: '1500123', text: 'LAPOR jalan rusak' },
      { channel: 'sms', from: '+6281234567890', to: '1500123', text: 'LAPOR jalan rusak' },
    ]);
  });

  it('fails the rest of a batch with a retryable CONNECTION_FAILED when the SMSC hangs up mid-batch, and redials on the next send', async () => {
    const provider = providerWith();
    const bindsBefore = peer.counts.binds;
    const batch = [sms(), sms({ to: DESTINATION.hangUp }), sms()];
    const outcomes = await provider.send(batch);
    expect(outcomes[0]).toMatchObject({ status: 'sent' });
    for (const outcome of outcomes.slice(1)) expect(outcome).toMatchObject({ status: 'failed', error: { code: 'CONNECTION_FAILED', retryable: true } });
    await expect(provider.send([sms()])).resolves.toMatchObject([{ status: 'sent' }]);
    expect(peer.counts.binds).toBe(bindsBefore + 2);
  });

  it('with stayBound, binds before any send and again after the SMSC hangs up, so citizens\' messages keep arriving', async () => {
    const bindsBefore = peer.counts.binds;
    const provider = providerWith({ stayBound: true });
    await vi.waitFor(() => expect(peer.counts.binds).toBe(bindsBefore + 1));
    expect((await peer.deliver({ source_addr_ton: 1, source_addr_npi: 1, source_addr: '6281234567891', destination_addr: '1708', short_message: 'Jalan rusak' })).command_status).toBe(0);
    expect(inbound.at(-1)).toMatchObject({ from: '+6281234567891', to: '1708', text: 'Jalan rusak' });
    // The SMSC hangs up on this session: it is bound again with nothing to send.
    await provider.send([sms({ to: DESTINATION.hangUp })]);
    await vi.waitFor(() => expect(peer.counts.binds).toBe(bindsBefore + 2), { timeout: 5_000 });
    expect((await peer.deliver({ source_addr_ton: 1, source_addr_npi: 1, source_addr: '6281234567891', destination_addr: '1708', short_message: 'Masih rusak' })).command_status).toBe(0);
    expect(inbound.at(-1)).toMatchObject({ text: 'Masih rusak' });
  });

  it('gives up on an SMSC that never answers submit_sm with a retryable TIMEOUT', async () => {
    const provider = providerWith({ responseTimeoutMs: 300 });
    const outcomes = await provider.send([sms({ to: DESTINATION.silent }), sms()]);
    expect(outcomes).toMatchObject([
      { status: 'failed', error: { code: 'TIMEOUT', retryable: true, message: expect.stringContaining('no answer within 300 ms') as unknown } },
      { status: 'sent' },
    ]);
  });

  it('keeps at most windowSize submit_sm unanswered', async () => {
    const provider = providerWith({ windowSize: 1, responseTimeoutMs: 300 });
    const outcomes = await provider.send([sms({ to: DESTINATION.silent }), sms({ to: DESTINATION.silent }), sms()]);
    // With a window of 1, each silent submit must time out before the next goes out: ~2 × 300 ms, not ~300 ms.
    expect(outcomes.map((o) => (o.status === 'failed' ? o.error.code : o.status))).toEqual(['TIMEOUT', 'TIMEOUT', 'sent']);
    expect(lastSubmits(3).map((s) => s.destinationAddr)).toEqual([DESTINATION.silent.slice(1), DESTINATION.silent.slice(1), '6281234567890']);
  });

  it('reports a refused bind as UNAUTHORIZED, in send (not retryable) and in check()', async () => {
    const provider = providerWith({ password: 'salah123' });
    const refusedBefore = peer.counts.refusedBinds;
    const outcomes = await provider.send([sms(), sms()]);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'UNAUTHORIZED', retryable: false, message: expect.stringContaining('ESME_RINVPASWD') as unknown } });
    }
    await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringContaining('ESME_RINVPASWD') as unknown });
    expect(peer.counts.refusedBinds).toBe(refusedBefore + 2);
  });

  it('check() binds, exchanges enquire_link and unbinds', async () => {
    const before = { ...peer.counts };
    await expect(providerWith().check()).resolves.toMatchObject({ ok: true, detail: expect.stringMatching(/^bound to 127\.0\.0\.1:\d+, enquire_link answered, unbound in \d+ ms$/) as unknown });
    expect(peer.counts).toMatchObject({ binds: before.binds + 1, enquireLinks: before.enquireLinks + 1, unbinds: before.unbinds + 1 });
  });

  it('keeps the session alive with enquire_link at the configured interval', async () => {
    const provider = providerWith({ enquireLinkIntervalMs: 1_000 });
    await provider.send([sms()]);
    const before = peer.counts.enquireLinks;
    await vi.waitFor(() => expect(peer.counts.enquireLinks).toBeGreaterThan(before), { timeout: 2_500 });
  });

  it('reports a port with no SMSC as a retryable CONNECTION_FAILED', async () => {
    const provider = providerWith({ port: 1 });
    await expect(provider.send([sms()])).resolves.toMatchObject([{ status: 'failed', error: { code: 'CONNECTION_FAILED', retryable: true } }]);
    await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringContaining('ECONNREFUSED') as unknown });
  });

  it('marks the password as the only secret and fills in defaults', () => {
    expect(secretPaths(manifest)).toEqual(['/password']);
    expect(validatePluginConfig(manifest, { host: 'smsc.example.co.id', systemId: SYSTEM_ID, password: PASSWORD, defaultSender: 'BAPENDA BDG' })).toEqual({
      host: 'smsc.example.co.id', port: 2775, tls: false, systemId: SYSTEM_ID, password: PASSWORD, defaultSender: 'BAPENDA BDG',
      sourceTonAlphanumeric: 5, sourceNpiAlphanumeric: 0, sourceTonNumeric: 1, sourceNpiNumeric: 1, sourceTonShortCode: 3, sourceNpiShortCode: 0, destinationTon: 1, destinationNpi: 1,
      enquireLinkIntervalMs: 30_000, responseTimeoutMs: 10_000, windowSize: 10, stayBound: false,
    });
  });
});

describe('sms-smpp plugin over TLS', () => {
  const certificate = selfSignedCertificate();
  let tlsPeer: SmscPeer;
  let provider: ChannelProvider;

  beforeAll(async () => {
    tlsPeer = await startSmscPeer(certificate);
    provider = manifest.create(
      validatePluginConfig(manifest, { host: '127.0.0.1', port: tlsPeer.port, tls: true, ca: certificate.cert, systemId: SYSTEM_ID, password: PASSWORD, defaultSender: 'BAPENDA BDG' }),
      { logger: SILENT_LOGGER },
    );
  });

  afterAll(async () => {
    await provider.close();
    await tlsPeer.close();
  });

  it('binds and submits over TLS, trusting only the given CA', async () => {
    await expect(provider.check()).resolves.toMatchObject({ ok: true });
    await expect(provider.send([sms()])).resolves.toMatchObject([{ status: 'sent' }]);
    expect(tlsPeer.submits).toHaveLength(1);
  });
});
