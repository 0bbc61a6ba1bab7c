import { once } from 'node:events';
import { PassThrough } from 'node:stream';

import { SILENT_LOGGER } from '@kabar/core';
import { type ProviderInbound, type ProviderReceipt, validatePluginConfig } from '@kabar/plugin-sdk';
import { anOutboundMessage } from '@kabar/plugin-sdk/conformance';
import manifest, { parseDeliveryReceipt } from '@kabar/plugin-sms-smpp';
import smpp from 'smpp';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { CliErrorCode } from '../src/cli-error.js';
import { type DevSmsc, type DevSmscOptions, smscCommand, startDevSmsc } from '../src/commands/smsc.js';

// Real: the dev SMSC on 127.0.0.1, and a client built with the `smpp` package, as the sms-smpp plugin uses it. The
// short messages are written as bytes here, so the tests show exactly what crosses the wire.

const SYSTEM_ID = 'kabar';
const PASSWORD = 'rahasia1';
const AT = new Date(2025, 0, 2, 14, 3, 7); // local time, as the SMSC prints it
const TON_ALPHANUMERIC = 5;
const TON_INTERNATIONAL = 1;

/** GSM 7-bit septets (one per octet, as SMPP carries them) for text in the characters these tests use. */
function gsm7(text: string): Buffer {
  const septets = Array.from(text).flatMap((char) => {
    if (char === '€') return [0x1b, 0x65];
    if (char === '@') return [0x00];
    if (!/^[A-Za-z0-9 .,:!?]$/.test(char)) throw new Error(`no septet for "${char}" in this test helper`);
    return [char.charCodeAt(0)];
  });
  return Buffer.from(septets);
}

const ucs2 = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16();

/** A submit_sm as the sms-smpp plugin sends it: alphanumeric sender, international number, receipt requested. */
const aSubmit = (shortMessage: Buffer, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  source_addr_ton: TON_ALPHANUMERIC,
  source_addr_npi: 0,
  source_addr: 'BAPENDA BDG',
  dest_addr_ton: TON_INTERNATIONAL,
  dest_addr_npi: 1,
  destination_addr: '6281234567890',
  esm_class: 0,
  registered_delivery: 1,
  data_coding: 0,
  short_message: shortMessage,
  ...overrides,
});

interface Client {
  request(command: string, fields?: Record<string, unknown>): Promise<smpp.SmppPdu>;
  /** deliver_sm received (and answered), in order. */
  readonly deliveries: smpp.SmppPdu[];
  nextDelivery(): Promise<smpp.SmppPdu>;
  /** Unbinds the SMSC asked for (each answered). */
  readonly unbinds: smpp.SmppPdu[];
  readonly closed: Promise<unknown>;
  destroy(): void;
}

async function aClient(port: number): Promise<Client> {
  const session = smpp.connect({ host: '127.0.0.1', port });
  session.on('error', () => undefined);
  const closed = once(session, 'close');
  await once(session, 'connect');
  const deliveries: smpp.SmppPdu[] = [];
  const unbinds: smpp.SmppPdu[] = [];
  const waiting: ((pdu: smpp.SmppPdu) => void)[] = [];
  session.on('deliver_sm', (pdu: smpp.SmppPdu) => {
    session.send(pdu.response({ message_id: '' }));
    deliveries.push(pdu);
    waiting.shift()?.(pdu);
  });
  session.on('unbind', (pdu: smpp.SmppPdu) => {
    unbinds.push(pdu);
    session.send(pdu.response());
  });
  return {
    request: (command, fields = {}) => new Promise((resolve) => session.send(new smpp.PDU(command, fields), resolve)),
    deliveries,
    nextDelivery: () => new Promise((resolve) => waiting.push(resolve)),
    unbinds,
    closed,
    destroy: () => session.destroy(),
  };
}

const bind = (client: Client, password = PASSWORD): Promise<smpp.SmppPdu> =>
  client.request('bind_transceiver', { system_id: SYSTEM_ID, password, system_type: '', interface_version: 0x34 });

describe('kabar smsc (startDevSmsc)', () => {
  let smsc: DevSmsc | undefined;
  const clients: Client[] = [];

  afterEach(async () => {
    // Closing first lets the clients answer the SMSC's unbind, so that it need not wait for them.
    await smsc?.close();
    smsc = undefined;
    for (const client of clients.splice(0)) client.destroy();
  });

  async function start(overrides: Partial<DevSmscOptions> = {}): Promise<{ port: number; printed: string[]; notes: string[]; connect: () => Promise<Client> }> {
    const printed: string[] = [];
    const notes: string[] = [];
    smsc = await startDevSmsc({
      port: 0,
      systemId: SYSTEM_ID,
      password: PASSWORD,
      receipts: true,
      print: (line) => printed.push(line),
      note: (line) => notes.push(line),
      receiptDelayMs: 5,
      now: () => AT,
      ...overrides,
    });
    const { port } = smsc;
    return {
      port,
      printed,
      notes,
      connect: async () => {
        const client = await aClient(port);
        clients.push(client);
        return client;
      },
    };
  }

  it('accepts a bind, prints a GSM 7-bit and a UCS-2 message, and sends a DELIVRD receipt for each', async () => {
    const { printed, connect } = await start();
    const client = await connect();
    expect(await bind(client)).toMatchObject({ command: 'bind_transceiver_resp', command_status: 0, system_id: 'KABAR-DEV' });

    const gsm = await client.request('submit_sm', aSubmit(gsm7('Pajak Rp1.250.000 jatuh tempo, denda 10 @ kantor, biaya 5€')));
    expect(gsm).toMatchObject({ command: 'submit_sm_resp', command_status: 0 });
    const gsmId = gsm['message_id'];
    expect(gsmId).toMatch(/^[0-9a-f]{16}$/);
    const firstReceipt = await client.nextDelivery();

    const unicode = await client.request('submit_sm', aSubmit(ucs2('Halo Bu Sari 👋 tagihan lunas'), { data_coding: 8 }));
    expect(unicode['message_id']).not.toBe(gsmId);
    const secondReceipt = await client.nextDelivery();

    expect(printed).toEqual([
      '14:03:07  BAPENDA BDG → +6281234567890  Pajak Rp1.250.000 jatuh tempo, denda 10 @ kantor, biaya 5€',
      '14:03:07  BAPENDA BDG → +6281234567890  (UCS-2) Halo Bu Sari 👋 tagihan lunas',
    ]);
    expect(firstReceipt).toMatchObject({
      command: 'deliver_sm',
      esm_class: 0x04,
      source_addr_ton: TON_INTERNATIONAL,
      source_addr: '6281234567890',
      dest_addr_ton: TON_ALPHANUMERIC,
      destination_addr: 'BAPENDA BDG',
      receipted_message_id: gsmId,
      message_state: 2,
      short_message: { message: `id:${String(gsmId)} sub:001 dlvrd:001 submit date:2501021403 done date:2501021403 stat:DELIVRD err:000 text:` },
    });
    expect(secondReceipt['receipted_message_id']).toBe(unicode['message_id']);
    // The hub reads receipts with the plugin's parser: this one says delivered, for the id the SMSC issued.
    const text = (firstReceipt['short_message'] as { message: string }).message;
    expect(parseDeliveryReceipt(text)).toEqual({ messageId: gsmId, state: 'delivered', stat: 'DELIVRD', error: '000' });
  });

  it('serves the sms-smpp plugin: its messages are printed and their receipts reach the hub as delivered', async () => {
    const { port, printed } = await start();
    const receipts: ProviderReceipt[] = [];
    const config = { host: '127.0.0.1', port, systemId: SYSTEM_ID, password: PASSWORD, defaultSender: 'KABAR', responseTimeoutMs: 2_000 };
    const provider = manifest.create(validatePluginConfig(manifest, config), { logger: SILENT_LOGGER, onDeliveryReceipt: (receipt) => void receipts.push(receipt) });
    try {
      const long = `Yth. Wajib Pajak, PBB-P2 tahun 2025 sebesar Rp1.250.000 jatuh tempo 31 Agustus. ${'Bayar di bank atau kantor pos. '.repeat(4)}`.slice(0, 200);
      const outcomes = await provider.send([
        anOutboundMessage({ channel: 'sms', to: '+6281234567890', agencyCode: 'BAPENDA', sender: 'BAPENDA BDG', body: 'Pajak Anda jatuh tempo 🙏' }),
        anOutboundMessage({ channel: 'sms', to: '+6281234567891', agencyCode: 'BAPENDA', sender: 'BAPENDA BDG', body: long }),
      ]);
      const ids = outcomes.map((o) => (o.status === 'sent' ? o.providerMessageId : o.status));
      expect(printed).toEqual([
        '14:03:07  BAPENDA BDG → +6281234567890  (UCS-2) Pajak Anda jatuh tempo 🙏',
        expect.stringMatching(/^14:03:07 {2}BAPENDA BDG → \+6281234567891 {2}\[part 1\/2, ref \d+\] Yth\. Wajib Pajak/),
        expect.stringMatching(/^14:03:07 {2}BAPENDA BDG → \+6281234567891 {2}\[part 2\/2, ref \d+\] /),
      ]);
      // One receipt per part, as operators send them; the hub tracks a long message by its last part's id.
      await vi.waitFor(() => expect(receipts).toHaveLength(3));
      expect(receipts).toEqual(expect.arrayContaining(ids.map((messageId) => ({ messageId, state: 'delivered', stat: 'DELIVRD', error: '000' }))));
    } finally {
      await provider.close();
    }
  });

  it("hands the sms-smpp plugin a citizen's SMS to a short code, as an operator's SMSC does, short or long", async () => {
    const { port, connect } = await start();
    const inbound: ProviderInbound[] = [];
    const config = { host: '127.0.0.1', port, systemId: SYSTEM_ID, password: PASSWORD, defaultSender: 'KABAR', responseTimeoutMs: 2_000, stayBound: true };
    const provider = manifest.create(validatePluginConfig(manifest, config), { logger: SILENT_LOGGER, onInbound: (message) => void inbound.push(message) });
    try {
      await vi.waitFor(async () => expect(await smsc?.deliver('+6281234567890', '1708', 'Jalan rusak di Jl. Dago 👎')).toBe(0));
      const long = `Lampu jalan mati ${'di depan rumah nomor 12 '.repeat(5)}`.trim();
      expect(await smsc?.deliver('+6281234567890', '1708', long)).toBe(0);
      expect(inbound).toEqual([
        { channel: 'sms', from: '+6281234567890', to: '1708', text: 'Jalan rusak di Jl. Dago 👎' },
        { channel: 'sms', from: '+6281234567890', to: '1708', text: long },
      ]);
    } finally {
      await provider.close();
    }
    // With no client bound there is no one to hand it to.
    await vi.waitFor(async () => expect(await smsc?.deliver('+6281234567890', '1708', 'Halo')).toBeUndefined());
    const client = await connect();
    await bind(client);
    expect(await smsc?.deliver('6281234567890', '1500123', 'Halo')).toBe(0);
    expect(client.deliveries.at(-1)).toMatchObject({ source_addr_ton: 0, source_addr: '6281234567890', destination_addr: '1500123', data_coding: 8, esm_class: 0 });
  });

  it('prints the parts of a long message as they arrive, with their number and reference from the UDH', async () => {
    const { printed, connect } = await start();
    const client = await connect();
    await bind(client);
    const udh = (sequence: number): Buffer => Buffer.from([0x05, 0x00, 0x03, 0x07, 0x02, sequence]);
    const sixteenBit = Buffer.from([0x06, 0x08, 0x04, 0x01, 0x2c, 0x02, 0x02]);
    await client.request('submit_sm', aSubmit(Buffer.concat([udh(2), gsm7('bagian kedua')]), { esm_class: 0x40 }));
    await client.request('submit_sm', aSubmit(Buffer.concat([udh(1), gsm7('Bagian pertama, ')]), { esm_class: 0x40 }));
    await client.request('submit_sm', aSubmit(Buffer.concat([sixteenBit, ucs2('Selesai ✓')]), { esm_class: 0x40, data_coding: 8 }));
    expect(printed).toEqual([
      '14:03:07  BAPENDA BDG → +6281234567890  [part 2/2, ref 7] bagian kedua',
      '14:03:07  BAPENDA BDG → +6281234567890  [part 1/2, ref 7] Bagian pertama, ',
      '14:03:07  BAPENDA BDG → +6281234567890  [part 2/2, ref 300] (UCS-2) Selesai ✓',
    ]);
  });

  it('prints control characters escaped, so that a message stays on one line', async () => {
    const { printed, connect } = await start();
    const client = await connect();
    await bind(client);
    await client.request('submit_sm', aSubmit(Buffer.from([0x48, 0x69, 0x0a, 0x0d, 0x6f, 0x6b]), { source_addr_ton: TON_INTERNATIONAL, source_addr: '628111' }));
    expect(printed).toEqual(['14:03:07  +628111 → +6281234567890  Hi\\n\\rok']);
  });

  it('sends a receipt only when the submit_sm asks for one', async () => {
    const { connect } = await start();
    const client = await connect();
    await bind(client);
    await client.request('submit_sm', aSubmit(gsm7('no receipt'), { registered_delivery: 0 }));
    const wanted = await client.request('submit_sm', aSubmit(gsm7('receipt')));
    // Receipts go out in the order of their submits, so by the second one the first would have come.
    await client.nextDelivery();
    expect(client.deliveries.map((d) => d['receipted_message_id'])).toEqual([wanted['message_id']]);
  });

  it('sends no receipts when told not to', async () => {
    const { connect, notes } = await start({ receipts: false, receiptDelayMs: 0 });
    const client = await connect();
    await bind(client);
    await client.request('submit_sm', aSubmit(gsm7('Halo')));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await client.request('enquire_link');
    expect(client.deliveries).toEqual([]);
    expect(notes.filter((n) => n.startsWith('receipt'))).toEqual([]);
  });

  it('refuses a wrong password, a wrong system_id and other binds, and submits before a bind', async () => {
    const { printed, notes, connect } = await start();
    const client = await connect();
    expect(await bind(client, 'salah')).toMatchObject({ command: 'bind_transceiver_resp', command_status: 0x0e });
    expect(await client.request('bind_transceiver', { system_id: 'other', password: PASSWORD })).toMatchObject({ command_status: 0x0f });
    expect(await client.request('bind_transmitter', { system_id: SYSTEM_ID, password: PASSWORD })).toMatchObject({ command: 'bind_transmitter_resp', command_status: 0x0d });
    expect(await client.request('submit_sm', aSubmit(gsm7('Halo')))).toMatchObject({ command: 'submit_sm_resp', command_status: 0x04 });
    expect(printed).toEqual([]);
    expect(notes).toEqual([
      expect.stringMatching(/^refused bind_transceiver as "kabar" from 127\.0\.0\.1:\d+: wrong password$/),
      expect.stringMatching(/^refused bind_transceiver as "other" from .*: unknown system_id \(expected "kabar"\)$/),
      expect.stringMatching(/^refused bind_transmitter as "kabar" from .*: only transceiver binds are served$/),
    ]);
    expect(await bind(client)).toMatchObject({ command_status: 0 });
    expect(await bind(client)).toMatchObject({ command_status: 0x05 });
  });

  it('accepts any password when none is set', async () => {
    const { connect } = await start({ password: null });
    expect(await bind(await connect(), 'apa saja')).toMatchObject({ command_status: 0 });
  });

  it('answers enquire_link, refuses commands it does not serve, and answers an unbind before closing', async () => {
    const { connect, notes } = await start();
    const client = await connect();
    await bind(client);
    expect(await client.request('enquire_link')).toMatchObject({ command: 'enquire_link_resp', command_status: 0 });
    expect(await client.request('query_sm', { message_id: 'x', source_addr: 'BAPENDA BDG' })).toMatchObject({ command: 'query_sm_resp', command_status: 0x03 });
    expect(await client.request('unbind')).toMatchObject({ command: 'unbind_resp', command_status: 0 });
    await client.closed;
    expect(notes.at(-1)).toMatch(/^unbound: 127\.0\.0\.1:\d+$/);
  });

  it('unbinds its clients when it stops', async () => {
    const { connect } = await start();
    const client = await connect();
    await bind(client);
    await smsc?.close();
    smsc = undefined;
    await client.closed;
    expect(client.unbinds.map((pdu) => pdu.command)).toEqual(['unbind']);
  });
});

describe('kabar smsc (command)', () => {
  it('listens until it is stopped, with the options given', async () => {
    const out: string[] = [];
    const err: string[] = [];
    let stop: (why: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => (stop = resolve));
    const result = smscCommand(['--port', '0', '--password', PASSWORD, '--no-receipts'], { out: (l) => out.push(l), err: (l) => err.push(l) }, () => stopped);
    await expect.poll(() => err.length).toBeGreaterThan(0);
    const match = /^kabar smsc: listening on 127\.0\.0\.1:(\d+) for system_id "kabar" with the given password; receipts off; Ctrl-C stops$/.exec(err[0] ?? '');
    expect(match, err[0]).not.toBeNull();
    const client = await aClient(Number(match?.[1]));
    expect(await bind(client)).toMatchObject({ command_status: 0 });
    await client.request('submit_sm', aSubmit(gsm7('Halo')));
    stop('SIGINT');
    await expect(result).resolves.toBe(0);
    await client.closed;
    expect(out).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d {2}BAPENDA BDG → \+6281234567890 {2}Halo$/)]);
    expect(client.unbinds).toHaveLength(1);
    expect(err.at(-1)).toBe('kabar smsc: SIGINT: unbinding and stopping');
  });

  it('with --mo, hands each typed line "FROM TO TEXT" to the bound client as a citizen\'s SMS, and explains a line it cannot read', async () => {
    const err: string[] = [];
    const input = new PassThrough();
    let stop: (why: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => (stop = resolve));
    const result = smscCommand(['--port', '0', '--mo'], { out: () => undefined, err: (l) => err.push(l) }, () => stopped, input);
    await expect.poll(() => err.length).toBeGreaterThan(0);
    const client = await aClient(Number(/:(\d+) for/.exec(err[0] ?? '')?.[1]));
    await bind(client);
    input.write('+6281234567890 1708 Jalan rusak di Jl. Dago\n');
    const mo = await client.nextDelivery();
    expect(mo).toMatchObject({ source_addr_ton: TON_INTERNATIONAL, source_addr: '6281234567890', destination_addr: '1708', data_coding: 8 });
    expect(mo['short_message']).toEqual({ message: 'Jalan rusak di Jl. Dago' });
    await expect.poll(() => err.at(-1)).toBe('kabar smsc: handed +6281234567890 → 1708 to the client');
    input.write('halo\n');
    await expect.poll(() => err.at(-1)).toBe("kabar smsc: to send a citizen's SMS, type: FROM TO TEXT (e.g. +6281234567890 1708 Jalan rusak)");
    stop('SIGTERM');
    await expect(result).resolves.toBe(0);
  });

  it('fails clearly when the port is taken', async () => {
    const taken = await startDevSmsc({ port: 0, systemId: SYSTEM_ID, password: null, receipts: false, print: () => undefined });
    try {
      const result = smscCommand(['--port', String(taken.port)], { out: () => undefined, err: () => undefined }, () => new Promise(() => undefined));
      await expect(result).rejects.toMatchObject({ code: CliErrorCode.Failed, message: `127.0.0.1:${taken.port} is in use; choose another --port` });
    } finally {
      await taken.close();
    }
  });

  it.each([
    [['extra'], 'smsc takes no arguments'],
    [['--port', '65536'], '--port must be a port number from 0 to 65535, got "65536"'],
    [['--port', 'smpp'], '--port must be a port number from 0 to 65535, got "smpp"'],
    [['--system-id', 'a-system-id-too-long'], '--system-id must be 1 to 15 characters'],
    [['--password', 'ninechars'], '--password must be 1 to 8 characters'],
  ])('is a usage error: %j', async (args, message) => {
    const result = smscCommand(args, { out: () => undefined, err: () => undefined }, () => Promise.resolve('test'));
    await expect(result).rejects.toThrow(message);
    await expect(result).rejects.toMatchObject({ code: CliErrorCode.Usage });
  });
});
