import { describeError } from '@kabar/core';
import { PluginError, PluginErrorCode } from '@kabar/plugin-sdk';
import smpp from 'smpp';

import { RequestWindow } from './request-window.js';
import { bindError } from './smpp-command-status.mapping.js';

// The only file that touches the `smpp` package: everything else sees the typed surface below.

export interface SmppSessionOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** PEM; replaces the public roots for this SMSC. */
  readonly ca?: string;
  readonly systemId: string;
  readonly password: string;
  readonly systemType?: string;
  /** For connect + bind, and for each request's response. */
  readonly responseTimeoutMs: number;
  /** 0 = no keep-alive (check() sessions). */
  readonly enquireLinkIntervalMs: number;
  readonly windowSize: number;
}

export interface SubmitFields {
  readonly sourceAddr: string;
  readonly sourceTon: number;
  readonly sourceNpi: number;
  readonly destinationAddr: string;
  readonly destinationTon: number;
  readonly destinationNpi: number;
  readonly esmClass: number;
  readonly dataCoding: number;
  readonly registeredDelivery: number;
  /** Complete, UDH included; sent as is. */
  readonly shortMessage: Buffer;
}

export interface SubmitAnswer {
  readonly status: number;
  readonly messageId: string;
}

/** A deliver_sm from the SMSC: a delivery receipt or a mobile-originated message. */
export interface IncomingDeliverSm {
  readonly esmClass: number;
  readonly sourceAddr: string;
  readonly sourceTon: number;
  readonly destinationAddr: string;
  /** short_message (or message_payload) decoded per data_coding, UDH left out. */
  readonly text: string;
  readonly receiptedMessageId?: string;
  readonly messageState?: number;
}

export interface SmppSessionEvents {
  /**
   * Resolves once the PDU is taken (handed to the hub, or nothing to hand), rejects when the hub could not record it:
   * the SMSC is then answered with a temporary error and delivers it again.
   */
  onDeliverSm(deliver: IncomingDeliverSm): Promise<void>;
  /** The connection is gone, whoever ended it; not called for `unbind()`/`destroy()` we asked for. */
  onLost(reason: string): void;
}

interface Pending {
  readonly fail: (error: PluginError) => void;
}

/** One bound SMPP transceiver session with per-request timeouts and a window of outstanding requests. */
export class SmppSession {
  private closed = false;
  private closing = false;
  private corked = false;
  private keepAlive: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Pending>();
  private readonly window: RequestWindow;
  private readonly ended: Promise<void>;
  private lastError: string | undefined;

  private constructor(
    private readonly session: smpp.Session,
    private readonly options: SmppSessionOptions,
    private readonly events: SmppSessionEvents,
  ) {
    this.window = new RequestWindow(options.windowSize);
    // The library emits 'error' then 'close'; without a listener an 'error' would crash the hub.
    session.on('error', (error: Error) => (this.lastError = describeError(error)));
    this.ended = new Promise((resolve) => session.on('close', resolve));
    void this.ended.then(() => this.onClosed());
    session.on('deliver_sm', (pdu: smpp.SmppPdu) => this.onDeliverSm(pdu));
    session.on('enquire_link', (pdu: smpp.SmppPdu) => session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.SmppPdu) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('unknown', (pdu: smpp.SmppPdu) => session.send(pdu.response()));
  }

  /** Connects and binds as a transceiver; rejects with CONNECTION_FAILED, TIMEOUT or UNAUTHORIZED. */
  static async open(options: SmppSessionOptions, events: SmppSessionEvents): Promise<SmppSession> {
    const where = `${options.host}:${options.port}`;
    const raw = smpp.connect({ host: options.host, port: options.port, tls: options.tls, ...(options.ca === undefined ? {} : { ca: options.ca }) });
    const client = new SmppSession(raw, options, events);
    try {
      await client.connected(where);
      const response = await client.request('bind_transceiver', {
        system_id: options.systemId,
        password: options.password,
        system_type: options.systemType ?? '',
        interface_version: 0x34,
      });
      if (response.command_status !== 0) throw bindError(response.command_status, where);
    } catch (error) {
      client.destroy();
      throw error;
    }
    client.startKeepAlive();
    return client;
  }

  get isOpen(): boolean {
    return !this.closed && !this.closing;
  }

  async submit(fields: SubmitFields): Promise<SubmitAnswer> {
    const release = await this.window.acquire();
    try {
      const response = await this.request('submit_sm', {
        source_addr_ton: fields.sourceTon,
        source_addr_npi: fields.sourceNpi,
        source_addr: fields.sourceAddr,
        dest_addr_ton: fields.destinationTon,
        dest_addr_npi: fields.destinationNpi,
        destination_addr: fields.destinationAddr,
        esm_class: fields.esmClass,
        registered_delivery: fields.registeredDelivery,
        data_coding: fields.dataCoding,
        short_message: fields.shortMessage,
      });
      const messageId = response['message_id'];
      return { status: response.command_status, messageId: typeof messageId === 'string' ? messageId : '' };
    } finally {
      release();
    }
  }

  async enquireLink(): Promise<void> {
    await this.request('enquire_link', {});
  }

  /** Says goodbye (unbind) and closes; never rejects, since the session is given up either way. */
  async unbind(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    this.stopKeepAlive();
    await this.request('unbind', {}).catch(() => undefined);
    this.destroy();
    await this.ended;
  }

  destroy(): void {
    this.closing = true;
    this.stopKeepAlive();
    this.session.destroy();
  }

  private request(command: string, fields: Readonly<Record<string, unknown>>): Promise<smpp.SmppPdu> {
    const where = `${this.options.host}:${this.options.port}`;
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(this.lostError(`${command} to ${where}`));
        return;
      }
      const entry: Pending = {
        fail: (error) => {
          clearTimeout(timer);
          this.pending.delete(entry);
          reject(error);
        },
      };
      const timer = setTimeout(
        () => entry.fail(new PluginError(PluginErrorCode.Timeout, `${command} to ${where}: no answer within ${this.options.responseTimeoutMs} ms`)),
        this.options.responseTimeoutMs,
      );
      this.pending.add(entry);
      this.gatherWrites();
      const written = this.session.send(new smpp.PDU(command, fields), (response) => {
        clearTimeout(timer);
        this.pending.delete(entry);
        resolve(response);
      });
      if (!written) entry.fail(this.lostError(`${command} to ${where}`));
    });
  }

  /**
   * The PDUs sent in one turn of the event loop (a window of submit_sm, the answers to a burst of receipts) go out in
   * one socket write instead of one each: the library writes every PDU on its own.
   */
  private gatherWrites(): void {
    if (this.corked) return;
    const socket = this.session.socket;
    socket.cork();
    this.corked = true;
    setImmediate(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  private connected(where: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new PluginError(PluginErrorCode.Timeout, `connecting to ${where}: no answer within ${this.options.responseTimeoutMs} ms`));
      }, this.options.responseTimeoutMs);
      // For TLS, 'connect' is only TCP; the session is usable once the handshake (and certificate check) passed.
      this.session.once(this.options.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve();
      });
      void this.ended.then(() => {
        clearTimeout(timer);
        reject(new PluginError(PluginErrorCode.ConnectionFailed, `connecting to ${where} failed: ${this.lastError ?? 'connection closed'}`));
      });
    });
  }

  private startKeepAlive(): void {
    if (this.options.enquireLinkIntervalMs <= 0) return;
    this.keepAlive = setInterval(() => {
      // An SMSC that stops answering enquire_link is gone even if TCP still looks open; drop it so the next send redials.
      this.enquireLink().catch(() => this.session.destroy());
    }, this.options.enquireLinkIntervalMs);
    this.keepAlive.unref();
  }

  private stopKeepAlive(): void {
    if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }

  private onClosed(): void {
    this.closed = true;
    this.stopKeepAlive();
    const error = this.lostError('the SMSC session');
    for (const entry of [...this.pending]) entry.fail(error);
    if (!this.closing) this.events.onLost(this.lastError ?? 'closed by the SMSC');
  }

  private lostError(what: string): PluginError {
    return new PluginError(PluginErrorCode.ConnectionFailed, `${what}: connection to ${this.options.host}:${this.options.port} lost (${this.lastError ?? 'closed'})`);
  }

  private onDeliverSm(pdu: smpp.SmppPdu): void {
    const receipted = pdu['receipted_message_id'];
    const state = pdu['message_state'];
    const taken = this.events.onDeliverSm({
      esmClass: numberField(pdu, 'esm_class'),
      sourceAddr: stringField(pdu, 'source_addr'),
      sourceTon: numberField(pdu, 'source_addr_ton'),
      destinationAddr: stringField(pdu, 'destination_addr'),
      text: textOf(pdu['message_payload'] ?? pdu['short_message']),
      ...(typeof receipted === 'string' && receipted !== '' ? { receiptedMessageId: receipted } : {}),
      ...(typeof state === 'number' ? { messageState: state } : {}),
    });
    // Answered once the hub has recorded it, so a receipt or a citizen's reply the hub could not take is delivered
    // again (ESME_RX_T_APPN asks the SMSC to retry). Never later than DELIVER_ANSWER_MS: an SMSC left waiting re-sends
    // and eventually stops delivering to us, so a slow hook is answered OK and goes on.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(ESME_ROK), DELIVER_ANSWER_MS)));
    void Promise.race([taken.then(() => ESME_ROK, () => ESME_RX_T_APPN), late]).then((status) => {
      clearTimeout(timer);
      if (this.closed) return;
      this.gatherWrites();
      this.session.send(pdu.response(status === ESME_ROK ? { message_id: '' } : { message_id: '', command_status: status }));
    });
  }
}

const ESME_ROK = 0x00;
/** "ESME receiver temporary application error": the SMSC keeps the PDU and delivers it again later. */
const ESME_RX_T_APPN = 0x64;
/** How long a deliver_sm waits for the hub before it is answered anyway (SMSCs commonly give up after 10 to 30 s). */
const DELIVER_ANSWER_MS = 5_000;

function numberField(pdu: smpp.SmppPdu, name: string): number {
  const value = pdu[name];
  return typeof value === 'number' ? value : 0;
}

function stringField(pdu: smpp.SmppPdu, name: string): string {
  const value = pdu[name];
  return typeof value === 'string' ? value : '';
}

/** The library decodes short_message to `{ udh?, message }` by data_coding (GSM 03.38, Latin-1, UCS-2). */
function textOf(value: unknown): string {
  const message: unknown = typeof value === 'object' && value !== null && 'message' in value ? value.message : value;
  if (typeof message === 'string') return message;
  // An encoding the library does not know arrives as bytes; Latin-1 keeps every byte visible.
  return Buffer.isBuffer(message) ? message.toString('latin1') : '';
}
