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

import type { EmailSmtpConfig } from './email-smtp.plugin.js';
import { listUnsubscribeHeaders } from './list-unsubscribe.policy.js';
import { messageIdFor } from './message-id.factory.js';
import type { OutgoingMail, SmtpTransport } from './smtp.transport.js';

// One bare address: a comma or angle bracket in `to` would let one message fan out to several mailboxes.
const ADDRESS = /^[^\s<>,;:"@]+@[^\s<>,;:"@]+\.[^\s<>,;:"@]+$/;
// A sender from a route: a bare address or `Display Name <address>`, one mailbox only.
const MAILBOX = /^(?:[^<>,@\s]+@[^<>,@\s]+|[^<>,@\r\n]*<[^<>,@\s]+@[^<>,@\s]+>)$/;

/** Sends each message as one e-mail through the relay's connection pool; the SMTP reply decides the outcome. */
export class EmailSmtpProvider implements ChannelProvider {
  private closed = false;

  constructor(
    private readonly transport: SmtpTransport,
    private readonly config: Pick<EmailSmtpConfig, 'from' | 'unsubscribeUrl'>,
  ) {}

  send(batch: readonly OutboundMessage[]): Promise<SendOutcome[]> {
    // The pool queues beyond maxConnections, so the whole batch can be handed over at once; order is kept by index.
    return Promise.all(batch.map((message) => this.deliver(message)));
  }

  async check(): Promise<ProviderCheck> {
    const startedAt = Date.now();
    try {
      await this.transport.verify();
      return { ok: true, detail: `SMTP ${this.transport.peer} accepted the handshake in ${Date.now() - startedAt} ms` };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.transport.close();
    }
    return Promise.resolve();
  }

  private async deliver(message: OutboundMessage): Promise<SendOutcome> {
    const mail = this.mailFor(message);
    if (mail instanceof PluginError) return failedOutcome(message, mail);
    try {
      await this.transport.send(mail);
      return sentOutcome(message, mail.messageId);
    } catch (error) {
      if (error instanceof PluginError) return failedOutcome(message, error);
      return failedOutcome(message, new PluginError(PluginErrorCode.ProviderError, `SMTP ${this.transport.peer} failed unexpectedly`));
    }
  }

  private mailFor(message: OutboundMessage): OutgoingMail | PluginError {
    const to = message.to.trim();
    if (!ADDRESS.test(to)) return new PluginError(PluginErrorCode.InvalidRecipient, 'an e-mail message needs one e-mail address in `to`');
    const sender = message.sender?.trim() ?? '';
    const from = sender === '' ? this.config.from : sender;
    // A bad sender is the route's mistake, and every retry would repeat it.
    if (!MAILBOX.test(from)) return new PluginError(PluginErrorCode.Rejected, 'the sender is not one mailbox ("Name <address>" or an address)');
    return {
      from,
      to,
      ...(message.subject === undefined ? {} : { subject: message.subject }),
      text: message.body,
      ...(message.html === undefined ? {} : { html: message.html }),
      messageId: messageIdFor(message.idempotencyKey, from),
      headers: {
        'X-Kabar-Notification': message.notificationId,
        // RFC 3834: tells out-of-office responders not to answer a machine.
        'Auto-Submitted': 'auto-generated',
        ...listUnsubscribeHeaders(this.config.unsubscribeUrl, message),
      },
    };
  }
}
