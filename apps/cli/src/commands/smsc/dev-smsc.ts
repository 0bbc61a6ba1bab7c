import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import { CliError, CliErrorCode } from '../../cli-error.js';
import { receiptFields, wantsReceipt } from './delivery-receipt.js';
import { messageLine } from './message-line.js';
import { numberField, smpp, type SmppPdu, type SmppSession, stringField, TON_INTERNATIONAL } from './smpp-pdu.js';

/** SMPP 3.4 §5.1.3 command_status values this server answers with. */
const STATUS = { invalidCommand: 0x03, invalidBindStatus: 0x04, alreadyBound: 0x05, bindFailed: 0x0d, invalidPassword: 0x0e, invalidSystemId: 0x0f } as const;
const UNBIND_WAIT_MS = 1_000;
const HANDLED = new Set(['bind_transceiver', 'bind_transmitter', 'bind_receiver', 'enquire_link', 'unbind', 'submit_sm']);

export interface DevSmscOptions {
  /** 0 picks a free port; `DevSmsc.port` says which. */
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  readonly systemId: string;
  /** null accepts any password. */
  readonly password: string | null;
  readonly receipts: boolean;
  /** One line per received message (or part). */
  readonly print: (line: string) => void;
  /** What happens besides messages: binds, refusals, receipts, unbinds. */
  readonly note?: (line: string) => void;
  /** How long after the submit_sm the receipt goes out (default 1000 ms). */
  readonly receiptDelayMs?: number;
  readonly now?: () => Date;
}

export interface DevSmsc {
  readonly port: number;
  /**
   * Hands the last-bound client a citizen's SMS from `from` (E.164) to `to` (a short code or number), as an operator's
   * SMSC does with a mobile-originated message: a deliver_sm in UCS-2 (message_payload when over one SMS). Resolves
   * with the client's command_status, or undefined when no client is bound.
   */
  deliver(from: string, to: string, text: string): Promise<number | undefined>;
  /** Unbinds every bound client (waiting up to a second for each), drops the rest and stops listening. */
  close(): Promise<void>;
}

/**
 * A local SMSC that accepts transceiver binds, answers submit_sm with a fresh message id, prints each message and
 * sends a DELIVRD receipt back.
 * @example const smsc = await startDevSmsc({ port: 2775, systemId: 'kabar', password: null, receipts: true, print: console.log })
 */
export async function startDevSmsc(options: DevSmscOptions): Promise<DevSmsc> {
  const note = options.note ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const delay = options.receiptDelayMs ?? 1_000;
  const bound = new Set<SmppSession>();
  const timers = new Set<NodeJS.Timeout>();

  const sendReceipt = (session: SmppSession, submit: SmppPdu, messageId: string, submitted: Date): void => {
    // The session that submitted, else any other still bound (a client that reconnected), as an SMSC would.
    const target = bound.has(session) ? session : [...bound].at(-1);
    if (target === undefined) {
      note(`receipt for ${messageId} dropped: no client is bound`);
      return;
    }
    target.send(new smpp.PDU('deliver_sm', receiptFields(submit, messageId, submitted, now())));
    note(`receipt DELIVRD for ${messageId}`);
  };

  const onSubmit = (session: SmppSession, pdu: SmppPdu): void => {
    if (!bound.has(session)) {
      session.send(pdu.response({ command_status: STATUS.invalidBindStatus }));
      return;
    }
    const messageId = randomBytes(8).toString('hex');
    const submitted = now();
    session.send(pdu.response({ message_id: messageId }));
    options.print(messageLine(pdu, submitted));
    if (!options.receipts || !wantsReceipt(pdu)) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      sendReceipt(session, pdu, messageId, submitted);
    }, delay);
    timers.add(timer);
  };

  const onBind = (session: SmppSession, pdu: SmppPdu): void => {
    const systemId = stringField(pdu, 'system_id');
    const refuse = (status: number, why: string): void => {
      session.send(pdu.response({ command_status: status }));
      note(`refused ${pdu.command} as "${systemId}" from ${peer(session)}: ${why}`);
    };
    if (pdu.command !== 'bind_transceiver') return refuse(STATUS.bindFailed, 'only transceiver binds are served');
    if (bound.has(session)) return refuse(STATUS.alreadyBound, 'already bound');
    if (systemId !== options.systemId) return refuse(STATUS.invalidSystemId, `unknown system_id (expected "${options.systemId}")`);
    if (options.password !== null && stringField(pdu, 'password') !== options.password) return refuse(STATUS.invalidPassword, 'wrong password');
    bound.add(session);
    session.send(pdu.response({ system_id: 'KABAR-DEV' }));
    note(`bound: "${systemId}" from ${peer(session)}`);
  };

  const server = smpp.createServer({}, (session) => {
    session.on('error', (error: Error) => {
      note(`dropped ${peer(session)}: ${error.message}`);
      session.destroy();
    });
    session.on('close', () => bound.delete(session));
    session.on('pdu', (pdu: SmppPdu) => {
      if (pdu.isResponse() || HANDLED.has(pdu.command)) return;
      session.send(pdu.response({ command_status: STATUS.invalidCommand }));
    });
    for (const command of ['bind_transceiver', 'bind_transmitter', 'bind_receiver']) session.on(command, (pdu: SmppPdu) => onBind(session, pdu));
    session.on('enquire_link', (pdu: SmppPdu) => session.send(pdu.response()));
    session.on('submit_sm', (pdu: SmppPdu) => onSubmit(session, pdu));
    session.on('unbind', (pdu: SmppPdu) => {
      bound.delete(session);
      session.send(pdu.response());
      session.close();
      note(`unbound: ${peer(session)}`);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${options.host ?? '127.0.0.1'}:${options.port}`;
      reject(new CliError(CliErrorCode.Failed, error.code === 'EADDRINUSE' ? `${where} is in use; choose another --port` : `cannot listen on ${where}: ${error.message}`));
    });
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    port,
    deliver: (from, to, text) => {
      const target = [...bound].at(-1);
      if (target === undefined) return Promise.resolve(undefined);
      const octets = Buffer.from(text, 'utf16le').swap16();
      const international = from.startsWith('+');
      const fields = {
        source_addr_ton: international ? TON_INTERNATIONAL : 0,
        source_addr_npi: 1,
        source_addr: from.replace(/^\+/, ''),
        dest_addr_ton: 0,
        dest_addr_npi: 1,
        destination_addr: to,
        esm_class: 0,
        data_coding: 8,
        ...(octets.length <= 140 ? { short_message: octets } : { short_message: Buffer.alloc(0), message_payload: octets }),
      };
      return new Promise((resolve) => target.send(new smpp.PDU('deliver_sm', fields), (response: SmppPdu) => resolve(numberField(response, 'command_status'))));
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all([...bound].map(unbind));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of [...server.sessions]) session.destroy();
      await closed;
    },
  };
}

/** Says goodbye as SMPP asks (unbind, then wait for unbind_resp), but not for longer than a second. */
function unbind(session: SmppSession): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      session.destroy();
      resolve();
    };
    const timer = setTimeout(done, UNBIND_WAIT_MS);
    if (!session.send(new smpp.PDU('unbind'), done)) done();
  });
}

const peer = (session: SmppSession): string => `${session.socket.remoteAddress ?? '?'}:${session.socket.remotePort ?? '?'}`;
