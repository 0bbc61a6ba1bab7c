import {
  type ChannelProvider,
  failedOutcome,
  type OutboundMessage,
  PluginError,
  PluginErrorCode,
  type ProviderCheck,
  type SendOutcome,
  sentOutcome,
} from '@kabar/plugin-sdk';

import { submitError } from './smpp-command-status.mapping.js';
import type { SmppConnection } from './smpp-connection.js';
import type { SmppSession } from './smpp-session.client.js';
import { type AddressPlan, destinationAddress, sourceAddress } from './sms-address.js';
import { encodeSms, MessageTooLongError } from './sms-message.encoder.js';

/** registered_delivery 1: a receipt for the final outcome, success or failure. */
const REGISTERED_DELIVERY_FINAL = 1;

export interface SmsSmppProviderOptions {
  readonly connection: SmppConnection;
  readonly plan: AddressPlan;
  readonly defaultSender: string;
  /** A fresh session for check(): bind, enquire_link, unbind, never the one sends share. */
  readonly probe: () => Promise<SmppSession>;
  readonly where: string;
}

/** Sends each message as submit_sm (one per part) over one long-lived transceiver session. */
export class SmsSmppProvider implements ChannelProvider {
  private closed = false;
  private reference = Math.floor(Math.random() * 256);

  constructor(private readonly options: SmsSmppProviderOptions) {}

  async send(batch: readonly OutboundMessage[]): Promise<SendOutcome[]> {
    if (batch.length === 0) return [];
    let session: SmppSession;
    try {
      session = await this.options.connection.acquire();
    } catch (error) {
      // No session, so nothing of the batch left: each message carries the reason (CONNECTION_FAILED, UNAUTHORIZED, TIMEOUT).
      if (error instanceof PluginError) return batch.map((message) => failedOutcome(message, error));
      throw error;
    }
    // All messages start at once; the session's window keeps at most windowSize submit_sm unanswered.
    return Promise.all(batch.map((message) => this.deliver(session, message)));
  }

  async check(): Promise<ProviderCheck> {
    const startedAt = Date.now();
    try {
      const session = await this.options.probe();
      try {
        await session.enquireLink();
      } finally {
        await session.unbind();
      }
      return { ok: true, detail: `bound to ${this.options.where}, enquire_link answered, unbound in ${Date.now() - startedAt} ms` };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.options.connection.close();
  }

  private async deliver(session: SmppSession, message: OutboundMessage): Promise<SendOutcome> {
    const { plan } = this.options;
    const destination = destinationAddress(message.to, plan);
    if (destination === undefined) {
      return failedOutcome(message, new PluginError(PluginErrorCode.InvalidRecipient, 'the recipient is not an international (E.164) phone number'));
    }
    const sender = message.sender ?? this.options.defaultSender;
    const source = sourceAddress(sender, plan);
    if (source === undefined) {
      return failedOutcome(message, new PluginError(PluginErrorCode.Rejected, `sender id "${sender}" is neither alphanumeric (1–11 characters) nor a number`));
    }
    this.reference = (this.reference + 1) % 256;
    let encoded;
    try {
      encoded = encodeSms(message.body, this.reference);
    } catch (error) {
      if (error instanceof MessageTooLongError) return failedOutcome(message, new PluginError(PluginErrorCode.Rejected, error.message));
      throw error;
    }
    const ids: string[] = [];
    // Parts go one after another so the SMSC sees them in order; a refused part ends the message there.
    for (const shortMessage of encoded.parts) {
      try {
        const answer = await session.submit({
          sourceAddr: source.addr,
          sourceTon: source.ton,
          sourceNpi: source.npi,
          destinationAddr: destination.addr,
          destinationTon: destination.ton,
          destinationNpi: destination.npi,
          esmClass: encoded.esmClass,
          dataCoding: encoded.dataCoding,
          registeredDelivery: REGISTERED_DELIVERY_FINAL,
          shortMessage,
        });
        if (answer.status !== 0) return failedOutcome(message, withProgress(submitError(answer.status), ids.length, encoded.parts.length));
        ids.push(answer.messageId);
      } catch (error) {
        if (error instanceof PluginError) return failedOutcome(message, withProgress(error, ids.length, encoded.parts.length));
        throw error;
      }
    }
    // Receipts come per part; the last part's id is the one the hub tracks, as the message is complete only then.
    return sentOutcome(message, ids.at(-1));
  }
}

/** Says how many parts of a long message already went out, since a retry sends them again. */
function withProgress(error: PluginError, sent: number, total: number): PluginError {
  if (total === 1) return error;
  return new PluginError(error.code, `${error.message} (after ${sent} of ${total} parts)`, error.details);
}
