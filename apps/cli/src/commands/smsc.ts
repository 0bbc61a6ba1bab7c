import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { parseArgs } from 'node:util';

import { CliError, CliErrorCode } from '../cli-error.js';
import type { Io } from '../output.js';

export const SMSC_HELP = `kabar smsc [--port 2775] [--host 127.0.0.1] [--system-id kabar] [--password PASSWORD] [--no-receipts]

A local SMPP 3.4 server (an SMSC) for trying the SMS plugin without an operator: point the sms-smpp plugin at it and
watch each message arrive. It is a developer tool: it prints the text of the messages it receives, so use it with
test data only. It keeps nothing.
  --port         where to listen (default 2775; 0 picks a free port)
  --host         the address to listen on (default 127.0.0.1; 0.0.0.0 to be reached from a container)
  --system-id    the system_id clients must bind with (default kabar)
  --password     the password they must bind with (at most 8 characters, as in SMPP); without it any is accepted
  --no-receipts  send no delivery receipts

Clients bind as transceivers, as the plugin does. Each submit_sm is accepted with a fresh message id and printed on
stdout as one line: time, sender, recipient and text, decoded as its data_coding says (GSM 7-bit or UCS-2); the parts
of a long message are printed as they arrive, each with its number from the UDH, e.g. [part 2/3, ref 7]. When a
submit_sm asks for a receipt (registered_delivery 1, as the plugin does), a delivery receipt (deliver_sm with
stat:DELIVRD) follows a moment later on a bound session, so the hub marks the message delivered. Binds, refusals,
receipts and unbinds are noted on stderr. Ctrl-C (or SIGTERM) unbinds the clients and stops.

Plugin configuration to match (kabar plugins configure sms-smpp --config-file smpp.json):
  {"host": "127.0.0.1", "port": 2775, "systemId": "kabar", "password": "secret", "defaultSender": "KABAR"}`;

// The `smpp` package ships no types. The sms-smpp plugin declares them for its own build, which this package's build
// does not see, so the little used here is declared here and the module is loaded untyped.
interface SmppPdu {
  readonly command: string;
  readonly sequence_number: number;
  readonly [field: string]: unknown;
  isResponse(): boolean;
  response(fields?: Readonly<Record<string, unknown>>): SmppPdu;
}

interface SmppSession extends EventEmitter {
  readonly socket: Socket;
  send(pdu: SmppPdu, onResponse?: (response: SmppPdu) => void): boolean;
  close(): void;
  destroy(): void;
}

interface SmppServer extends NetServer {
  readonly sessions: SmppSession[];
}

interface SmppLibrary {
  createServer(options: Readonly<Record<string, unknown>>, onSession: (session: SmppSession) => void): SmppServer;
  PDU: new (command: string, fields?: Readonly<Record<string, unknown>>) => SmppPdu;
}

const smpp = createRequire(import.meta.url)('smpp') as SmppLibrary;

/** SMPP 3.4 §5.1.3 command_status values this server answers with. */
const STATUS = { invalidCommand: 0x03, invalidBindStatus: 0x04, alreadyBound: 0x05, bindFailed: 0x0d, invalidPassword: 0x0e, invalidSystemId: 0x0f } as const;
/** esm_class 0b00000100: the deliver_sm is an SMSC delivery receipt. */
const ESM_CLASS_RECEIPT = 0x04;
/** esm_class bit 6: short_message starts with a User Data Header. */
const ESM_CLASS_UDHI = 0x40;
/** message_state 2: DELIVERED. */
const MESSAGE_STATE_DELIVERED = 2;
const DATA_CODING_UCS2 = 0x08;
const TON_INTERNATIONAL = 1;
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
    if (!options.receipts || (numberField(pdu, 'registered_delivery') & 0x03) !== 1) return;
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

/**
 * The de-facto standard receipt (SMPP 3.4 appendix B) with the receipted_message_id and message_state TLVs. The
 * `text:` field, which SMSCs fill with the message's start, is left empty to keep message text out of the hub.
 */
function receiptFields(submit: SmppPdu, messageId: string, submitted: Date, done: Date): Record<string, unknown> {
  const text = `id:${messageId} sub:001 dlvrd:001 submit date:${receiptDate(submitted)} done date:${receiptDate(done)} stat:DELIVRD err:000 text:`;
  return {
    source_addr_ton: numberField(submit, 'dest_addr_ton'),
    source_addr_npi: numberField(submit, 'dest_addr_npi'),
    source_addr: stringField(submit, 'destination_addr'),
    dest_addr_ton: numberField(submit, 'source_addr_ton'),
    dest_addr_npi: numberField(submit, 'source_addr_npi'),
    destination_addr: stringField(submit, 'source_addr'),
    esm_class: ESM_CLASS_RECEIPT,
    data_coding: 0,
    // A Buffer goes out as is; the text is digits, letters, spaces and colons, the same in ASCII and GSM 7-bit.
    short_message: Buffer.from(text, 'ascii'),
    receipted_message_id: messageId,
    message_state: MESSAGE_STATE_DELIVERED,
  };
}

/** `14:03:07  BAPENDA BDG → +6281234567890  [part 1/2, ref 7] (UCS-2) Pajak …`, control characters escaped. */
function messageLine(pdu: SmppPdu, at: Date): string {
  const { text, udh } = decodedMessage(pdu);
  const part = (numberField(pdu, 'esm_class') & ESM_CLASS_UDHI) === 0 ? undefined : concatenation(udh);
  const tags = [
    part === undefined ? '' : `[part ${part.sequence}/${part.total}, ref ${part.reference}] `,
    (numberField(pdu, 'data_coding') & 0x0f) === DATA_CODING_UCS2 ? '(UCS-2) ' : '',
  ].join('');
  const from = address(stringField(pdu, 'source_addr'), numberField(pdu, 'source_addr_ton'));
  const to = address(stringField(pdu, 'destination_addr'), numberField(pdu, 'dest_addr_ton'));
  return `${clock(at)}  ${from} → ${to}  ${tags}${escapeControls(text)}`;
}

/**
 * short_message (or message_payload) as the library decoded it by data_coding: `{ udh?: Buffer[], message }`, the
 * message a string for the alphabets it knows (GSM 7-bit, Latin-1, UCS-2) and the raw octets otherwise.
 */
function decodedMessage(pdu: SmppPdu): { text: string; udh: readonly Buffer[] } {
  const shortMessage = pdu['short_message'] as { message?: unknown; udh?: unknown } | undefined;
  const payload = pdu['message_payload'] as { message?: unknown; udh?: unknown } | undefined;
  const value = isEmpty(shortMessage?.message) && payload !== undefined ? payload : shortMessage;
  const message = value?.message;
  const udh = Array.isArray(value?.udh) ? value.udh.filter((ie): ie is Buffer => Buffer.isBuffer(ie)) : [];
  if (typeof message === 'string') return { text: message, udh };
  if (Buffer.isBuffer(message)) return { text: `<${message.length} octets, data_coding 0x${numberField(pdu, 'data_coding').toString(16).padStart(2, '0')}: ${message.toString('hex')}>`, udh };
  return { text: '', udh };
}

const isEmpty = (message: unknown): boolean => message === undefined || message === '' || (Buffer.isBuffer(message) && message.length === 0);

/** The concatenation information element: IEI 0x00 (8-bit reference) or 0x08 (16-bit), then total and sequence. */
function concatenation(udh: readonly Buffer[]): { reference: number; total: number; sequence: number } | undefined {
  for (const ie of udh) {
    if (ie[0] === 0x00 && ie[1] === 3 && ie.length >= 5) return { reference: ie.readUInt8(2), total: ie.readUInt8(3), sequence: ie.readUInt8(4) };
    if (ie[0] === 0x08 && ie[1] === 4 && ie.length >= 6) return { reference: ie.readUInt16BE(2), total: ie.readUInt8(4), sequence: ie.readUInt8(5) };
  }
  return undefined;
}

const address = (addr: string, ton: number): string => (ton === TON_INTERNATIONAL && /^\d+$/.test(addr) ? `+${addr}` : addr);

const escapeControls = (text: string): string =>
  text.replace(/\p{Cc}/gu, (char) => (char === '\n' ? '\\n' : char === '\r' ? '\\r' : `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`));

const two = (n: number): string => String(n).padStart(2, '0');

/** Local time, `HH:MM:SS`. */
const clock = (at: Date): string => `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;

/** Local time, `YYMMDDhhmm`, as receipts carry it. */
const receiptDate = (at: Date): string => `${two(at.getFullYear() % 100)}${two(at.getMonth() + 1)}${two(at.getDate())}${two(at.getHours())}${two(at.getMinutes())}`;

const peer = (session: SmppSession): string => `${session.socket.remoteAddress ?? '?'}:${session.socket.remotePort ?? '?'}`;

function stringField(pdu: SmppPdu, name: string): string {
  const value = pdu[name];
  return typeof value === 'string' ? value : '';
}

function numberField(pdu: SmppPdu, name: string): number {
  const value = pdu[name];
  return typeof value === 'number' ? value : 0;
}

/** Resolves with the name of the first SIGINT or SIGTERM, after which a second one ends the process as usual. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `stopped` resolves when the server should stop (with why); the command waits for a signal. */
export async function smscCommand(args: readonly string[], io: Io, stopped: () => Promise<string> = untilSignal): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: { port: { type: 'string' }, host: { type: 'string' }, 'system-id': { type: 'string' }, password: { type: 'string' }, 'no-receipts': { type: 'boolean' } },
  });
  if (positionals.length > 0) throw new CliError(CliErrorCode.Usage, `smsc takes no arguments\n\n${SMSC_HELP}`);
  const port = values.port === undefined ? 2775 : /^\d{1,5}$/.test(values.port) ? Number(values.port) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) throw new CliError(CliErrorCode.Usage, `--port must be a port number from 0 to 65535, got "${values.port ?? ''}"`);
  const systemId = values['system-id'] ?? 'kabar';
  // The sizes of the bind_transceiver fields (16 and 9 octets, NUL included): a longer value could never match.
  if (systemId === '' || systemId.length > 15) throw new CliError(CliErrorCode.Usage, '--system-id must be 1 to 15 characters');
  const password = values.password ?? null;
  if (password !== null && (password === '' || password.length > 8)) throw new CliError(CliErrorCode.Usage, '--password must be 1 to 8 characters');
  const receipts = values['no-receipts'] !== true;
  const note = (line: string): void => io.err(`kabar smsc: ${line}`);

  const smsc = await startDevSmsc({ port, host: values.host ?? '127.0.0.1', systemId, password, receipts, print: io.out, note });
  note(
    `listening on ${values.host ?? '127.0.0.1'}:${smsc.port} for system_id "${systemId}" with ${password === null ? 'any password' : 'the given password'}; ` +
      `receipts ${receipts ? 'on' : 'off'}; Ctrl-C stops`,
  );
  const why = await stopped();
  note(`${why}: unbinding and stopping`);
  await smsc.close();
  return 0;
}
