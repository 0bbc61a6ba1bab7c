import type { Logger } from '@kabar/core';
import { type ChannelProvider, type OutboundMessage, PluginError, type ProviderInbound, type ProviderReceipt, validatePluginConfig } from '@kabar/plugin-sdk';
import { anOutboundMessage } from '@kabar/plugin-sdk/conformance';
import { eventually } from '@kabar/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PASSWORD, type SmscPeer, startSmscPeer, SYSTEM_ID } from '../../sms-smpp/test/smsc-peer.fixture.js';
// The package's own default export (the `grpc` manifest), as in grpc-host.int.test.ts.
import grpcManifest from '../src/index.js';
import { type PluginHostProcess, startPluginHost } from './plugin-host-process.fixture.js';

// Real: the built plugin host as a child process (plugins/grpc-host/dist/main.js) hosting the real sms-smpp plugin
// package, bound as a transceiver to a real SMPP server on loopback (the sms-smpp tests' SMSC peer), which sends
// delivery receipts and mobile-originated messages as deliver_sm PDUs. The hub's side is the `grpc` manifest over real
// gRPC, created with receipt and inbound hooks as the hub creates it. Nothing is mocked.

const CITIZEN = '+6281234567890';
const SHORT_CODE = '1500123';
const REPLY = 'Sudah saya bayar kemarin 🙏';

let smsc: SmscPeer;
let address: string;
let provider: ChannelProvider;
const hosts: PluginHostProcess[] = [];
const receipts: ProviderReceipt[] = [];
const inbound: ProviderInbound[] = [];
const hubLog: { message: string; fields: Readonly<Record<string, unknown>> }[] = [];
/** A reply the hub cannot record on its first try, which also takes until `releaseHeld` (see the crash test). */
const HELD = 'TUNGGU';
let heldTries = 0;
let releaseHeld: () => void = () => undefined;
const held = new Promise<void>((resolve) => (releaseHeld = resolve));

const record = (fields: Readonly<Record<string, unknown>>, message: string): void => void hubLog.push({ message, fields });
const hubLogger: Logger = { debug: record, info: record, warn: record, error: record };
const streamsOpened = (): number => hubLog.filter((e) => e.message === 'events stream open: receipts and replies from the plugin are received').length;

function hostSmsPlugin(listenOn = '127.0.0.1:0'): PluginHostProcess {
  const started = startPluginHost({
    KABAR_PLUGIN_MODULE: '@kabar/plugin-sms-smpp',
    KABAR_PLUGIN_CONFIG: JSON.stringify({ host: '127.0.0.1', port: smsc.port, systemId: SYSTEM_ID, password: PASSWORD, defaultSender: 'BAPENDA BDG', responseTimeoutMs: 2_000 }),
    KABAR_PLUGIN_ADDRESS: listenOn,
  });
  hosts.push(started);
  return started;
}

const sms = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => anOutboundMessage({ channel: 'sms', to: CITIZEN, body: 'Pajak Anda Rp1.250.000 jatuh tempo', ...overrides });

/** Sends one SMS through the plugin process and returns the SMSC's message id, which the plugin reported as sent. */
async function sendOne(): Promise<string> {
  const [outcome] = await provider.send([sms()]);
  const messageId = outcome?.status === 'sent' ? outcome.providerMessageId : undefined;
  if (messageId === undefined) throw new Error(`not sent: ${JSON.stringify(outcome)}`);
  expect(smsc.submits.at(-1)?.messageId).toBe(messageId);
  return messageId;
}

/** A deliver_sm as an Indonesian SMSC writes a final receipt (SMPP 3.4 appendix B), with no TLVs. */
const deliveryReceipt = (messageId: string, stat: string, err: string): Record<string, unknown> => ({
  source_addr_ton: 1, source_addr_npi: 1, source_addr: CITIZEN.slice(1), dest_addr_ton: 5, destination_addr: 'BAPENDA BDG',
  esm_class: 0x04, data_coding: 0,
  short_message: `id:${messageId} sub:001 dlvrd:001 submit date:2612011030 done date:2612011031 stat:${stat} err:${err} text:Pajak Anda`,
});

const until = <T>(value: () => T | undefined): Promise<T> => eventually(() => Promise.resolve(value()), 30_000, 20);

beforeAll(async () => {
  smsc = await startSmscPeer();
  address = await hostSmsPlugin().listening;
  const context = {
    logger: hubLogger,
    onDeliveryReceipt: (receipt: ProviderReceipt) => void receipts.push(receipt),
    onInbound: async (message: ProviderInbound) => {
      if (message.text === HELD && heldTries++ === 0) {
        await held;
        throw new Error('the hub could not record this inbound message');
      }
      inbound.push(message);
    },
  };
  provider = await grpcManifest.create(validatePluginConfig(grpcManifest, { address, channel: 'sms', timeoutMs: 10_000 }), context);
});

afterAll(async () => {
  await provider.close();
  await Promise.all(hosts.map((h) => h.kill9()));
  await smsc.close();
});

describe('receipts and replies from the sms-smpp plugin running out of process (AcknowledgedEvents over gRPC)', () => {
  it('hands the SMSC’s delivery receipt to the hub’s onDeliveryReceipt, with the message id of the sent outcome', async () => {
    const messageId = await sendOne();
    const answer = await smsc.deliver(deliveryReceipt(messageId, 'DELIVRD', '000'));
    expect(answer).toMatchObject({ command: 'deliver_sm_resp', command_status: 0 });
    await until(() => receipts.find((r) => r.messageId === messageId));
    expect(receipts).toEqual([{ messageId, state: 'delivered', stat: 'DELIVRD', error: '000' }]);
  });

  it('hands a failed receipt over as failed, with the SMSC’s error code', async () => {
    const messageId = await sendOne();
    await smsc.deliver(deliveryReceipt(messageId, 'UNDELIV', '034'));
    expect(await until(() => receipts.find((r) => r.messageId === messageId))).toEqual({ messageId, state: 'failed', stat: 'UNDELIV', error: '034' });
  });

  it('hands a citizen’s SMS reply to the hub’s onInbound, decoded, with the sender in E.164', async () => {
    const answer = await smsc.deliver({
      source_addr_ton: 1, source_addr_npi: 1, source_addr: CITIZEN.slice(1), destination_addr: SHORT_CODE,
      esm_class: 0, data_coding: 8, short_message: Buffer.from(REPLY, 'utf16le').swap16(),
    });
    expect(answer).toMatchObject({ command: 'deliver_sm_resp', command_status: 0 });
    await until(() => (inbound.length > 0 ? inbound : undefined));
    expect(inbound).toEqual([{ channel: 'sms', from: CITIZEN, to: SHORT_CODE, text: REPLY }]);
  });

  it('re-opens the stream when the plugin process is killed and restarted, and a later receipt still arrives', async () => {
    expect(streamsOpened()).toBe(1);
    const [first] = hosts;
    expect(await first?.kill9()).toBe('SIGKILL');
    // Systemd or Kubernetes restarts it at the same address; the hub's route object is the same throughout.
    await hostSmsPlugin(address).listening;

    // The hub retries a batch that hits the restart window, as it would any retryable failure.
    const messageId = await eventually(() =>
      sendOne().catch((error: unknown) => {
        if (error instanceof PluginError && error.retryable) return undefined;
        throw error;
      }),
    );
    await smsc.deliver(deliveryReceipt(messageId, 'DELIVRD', '000'));
    expect(await until(() => receipts.find((r) => r.messageId === messageId))).toEqual({ messageId, state: 'delivered', stat: 'DELIVRD', error: '000' });
    expect(streamsOpened()).toBe(2);
    expect(hubLog.map((e) => e.message)).toContain('events stream ended: re-opening it (is the plugin process restarting?)');
  });

  it('answers the SMSC only once the hub recorded the reply: killed before that, the plugin leaves it unanswered, and the SMSC’s retry gets through', async () => {
    const reply = { source_addr_ton: 1, source_addr_npi: 1, source_addr: CITIZEN.slice(1), destination_addr: SHORT_CODE, esm_class: 0, data_coding: 0, short_message: HELD };
    let answered = false;
    void smsc.deliver(reply).then(() => (answered = true));
    await until(() => (heldTries === 1 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);

    // The plugin process dies while the hub holds the reply: the SMSC never got deliver_sm_resp, so it keeps the PDU.
    expect(await hosts.at(-1)?.kill9()).toBe('SIGKILL');
    await hostSmsPlugin(address).listening;
    await eventually(() =>
      sendOne().catch((error: unknown) => {
        if (error instanceof PluginError && error.retryable) return undefined;
        throw error;
      }),
    );
    releaseHeld();
    // The SMSC delivers it again on the new session; this time the hub records it, and only then is it answered.
    expect(await smsc.deliver(reply)).toMatchObject({ command: 'deliver_sm_resp', command_status: 0 });
    expect(inbound.filter((m) => m.text === HELD)).toEqual([{ channel: 'sms', from: CITIZEN, to: SHORT_CODE, text: HELD }]);
    expect(answered).toBe(false);
  });

  it('logs neither the citizen’s number nor what was written, on either side, nor the SMPP password', () => {
    const pluginLog = hosts.map((h) => h.stdout()).join('\n');
    expect(pluginLog).toContain('"msg":"hub subscribed to events"');
    for (const text of [pluginLog, JSON.stringify(hubLog)]) {
      for (const personal of [CITIZEN.slice(3), 'bayar', 'Pajak', PASSWORD]) expect(text, personal).not.toContain(personal);
    }
  });
});
