import { describeError } from '@kabar/core';
import {
  type ChannelProvider,
  failedOutcome,
  type InboxItem,
  type InboxWriter,
  type OutboundMessage,
  PluginError,
  PluginErrorCode,
  type ProviderCheck,
  type SendOutcome,
  sentOutcome,
} from '@kabar/plugin-sdk';

/** Delivers to citizens' in-app inboxes through the hub's own writer; `to` is the citizen id. */
export class InboxProvider implements ChannelProvider {
  /** The writer stores each notification id once. */
  readonly deduplicates = true;

  constructor(private readonly writer: InboxWriter) {}

  async send(batch: readonly OutboundMessage[]): Promise<SendOutcome[]> {
    const createdAt = new Date();
    const items: InboxItem[] = [];
    const outcomes = batch.map((message): SendOutcome => {
      const citizenId = message.to.trim();
      if (citizenId === '') {
        return failedOutcome(message, new PluginError(PluginErrorCode.InvalidRecipient, 'an inbox message needs a citizen id in `to`'));
      }
      items.push(itemFor(message, citizenId, createdAt));
      return sentOutcome(message);
    });
    if (items.length === 0) return outcomes;
    try {
      // One call for the batch: the writer stores it in one transaction, idempotent on notificationId.
      await this.writer.put(items);
    } catch (error) {
      throw new PluginError(PluginErrorCode.ProviderError, `the inbox store failed: ${describeError(error)}`);
    }
    return outcomes;
  }

  check(): Promise<ProviderCheck> {
    // The writer is the hub's own database, whose health the hub reports itself; there is no separate peer to greet.
    return Promise.resolve({ ok: true, detail: "storing in the hub's inbox" });
  }

  close(): Promise<void> {
    // The writer belongs to the hub, which closes its database itself.
    return Promise.resolve();
  }
}

function itemFor(message: OutboundMessage, citizenId: string, createdAt: Date): InboxItem {
  const item: InboxItem = {
    notificationId: message.notificationId,
    citizenId,
    agencyCode: message.agencyCode,
    eventType: message.eventType,
    body: message.body,
    locale: message.locale,
    createdAt,
  };
  return message.subject === undefined ? item : { ...item, subject: message.subject };
}
