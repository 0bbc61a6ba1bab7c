import { describeError, type Logger, SecretBox, timeOrderedId } from '@kabar/core';
import { type BusRecord, OutboxRelay, type OutboxRow, TOPICS } from '@kabar/messaging';
import { DispatchRepository, InboundRepository, OutboxRepository, ScheduleRepository, type SentNotification } from '@kabar/persistence';
import type { ProviderInbound, ProviderReceipt } from '@kabar/plugin-sdk';
import type { EntityManager } from '@mikro-orm/core';

import { deadLetterRecord } from './dead-letter.js';
import { statusRecord } from './status-event.js';

/**
 * What providers tell the hub after a send: delivery receipts move a `sent` notification to `delivered` (its
 * fallback deadline then passes quietly) or `failed` (the next channel is tried at once); citizens' replies go on
 * `kabar.inbound.v1` for the two-way services. Handed to every plugin in its context. Each resolves once what it was
 * given is recorded, and rejects when the database could not take it, so the plugin can have the provider send it
 * again rather than lose a citizen's reply.
 */
export class ProviderEvents {
  private readonly dispatch: DispatchRepository;
  private readonly outbox: OutboxRepository;
  private readonly schedule: ScheduleRepository;
  private readonly seen = new InboundRepository();

  constructor(
    private readonly em: EntityManager,
    private readonly box: SecretBox,
    private readonly relay: OutboxRelay,
    private readonly logger: Logger,
  ) {
    this.dispatch = new DispatchRepository(em);
    this.outbox = new OutboxRepository(em);
    this.schedule = new ScheduleRepository(em);
  }

  async receipt(plugin: string, receipt: ProviderReceipt): Promise<void> {
    const delivered = receipt.state === 'delivered';
    const reason = delivered ? null : `DLR_${receipt.state.toUpperCase()}`;
    try {
      const n = await this.dispatch.applyReceipt(plugin, receipt.messageId, delivered ? 'delivered' : 'failed', reason);
      if (n === null) return; // unknown id, or the notification already moved on
      const rows = await this.em.fork().transactional(async (tx) => {
        const status = { agency: n.agencyCode, eventId: n.eventId, source: n.source, id: n.ceId, notificationId: n.id, reason, channel: n.channel, at: new Date().toISOString() };
        const records: BusRecord[] = [statusRecord({ ...status, state: delivered ? 'delivered' : 'failed' })];
        if (!delivered) {
          const dead = { notificationId: n.id, eventId: n.eventId, source: n.source, ceId: n.ceId, agencyCode: n.agencyCode, channel: n.channel, plugin, code: reason ?? 'DLR_FAILED' };
          records.push(deadLetterRecord({ ...dead, reason: `${dead.code}: the provider's receipt says ${receipt.stat.slice(0, 32)}` }));
          await this.schedule.schedule(tx, [{ kind: 'fallback', ref: n.id, dueAt: new Date() }]);
        }
        return this.outbox.enqueue(tx, records);
      });
      // Receipts come one per message sent: published from memory, not read back by the relay's drain.
      this.relay.handOff(rows);
    } catch (error) {
      this.logger.warn({ plugin, error: describeError(error) }, 'delivery receipt not applied; the plugin is told, so the provider can send it again');
      throw new ProviderEventNotRecorded('delivery receipt');
    }
  }

  async inbound(plugin: string, message: ProviderInbound): Promise<void> {
    // A reply the provider identifies is published once, however often its peer sends it (a refused webhook comes
    // back whole); one without an id (SMPP) is only re-sent when it was refused, so it needs no key.
    const key = message.providerMessageId === undefined ? null : this.box.lookupHash(`${plugin}\u0000${message.providerMessageId}`);
    try {
      // What it answers, by the provider's id of the message it replies to: the agency and event a two-way service
      // routes it to.
      const inReplyTo = message.replyTo === undefined ? null : await this.dispatch.sentAs(plugin, message.replyTo);
      const record = this.inboundRecord(plugin, message, inReplyTo);
      const rows = await this.em.fork().transactional(async (tx): Promise<OutboxRow[]> => {
        if (key !== null && !(await this.seen.firstSighting(tx, key, new Date()))) return [];
        return this.outbox.enqueue(tx, [record]);
      });
      this.relay.handOff(rows);
    } catch (error) {
      this.logger.warn({ plugin, error: describeError(error) }, 'inbound message not recorded; the plugin is told, so the provider can send it again');
      throw new ProviderEventNotRecorded('inbound message');
    }
  }

  /**
   * The reply on `kabar.inbound.v1`. The sender is sealed on the bus as at rest (consumers find the citizen by the
   * keyed hash); the id of the message it answers stays off it (a WhatsApp id encodes the citizen's number), replaced
   * by the notification, event and agency it names.
   */
  private inboundRecord(plugin: string, message: ProviderInbound, inReplyTo: SentNotification | null): BusRecord {
    return {
      topic: TOPICS.inbound,
      key: this.box.lookupHash(message.from),
      value: Buffer.from(
        JSON.stringify({
          // Fixed here, before the outbox: a redelivered record keeps it, so a callback of it is sent once.
          id: timeOrderedId(),
          plugin,
          channel: message.channel,
          fromHash: this.box.lookupHash(message.from),
          fromSealed: this.box.encrypt(message.from),
          to: message.to,
          kind: message.kind ?? 'text',
          text: message.text,
          payload: message.payload ?? null,
          media: message.media ?? null,
          inReplyTo:
            inReplyTo === null ? null : { notificationId: inReplyTo.notificationId, eventId: inReplyTo.eventId, agency: inReplyTo.agencyCode, source: inReplyTo.source, id: inReplyTo.ceId },
          providerMessageId: message.providerMessageId ?? null,
          receivedAt: new Date().toISOString(),
        }),
      ),
      // As on status messages: the agency a consumer can route by without parsing the value.
      headers: { 'content-type': 'application/json', ...(inReplyTo === null ? {} : { 'kabar-agency': inReplyTo.agencyCode }) },
    };
  }
}

/**
 * What a plugin's hook rejects with when the hub could not record a receipt or a reply. It names no cause: the
 * hub has logged that, and the plugin's logs (or a remote plugin's peer) need only know to have it sent again.
 */
export class ProviderEventNotRecorded extends Error {
  constructor(what: string) {
    super(`the hub could not record this ${what}; it should be sent again`);
    this.name = 'ProviderEventNotRecorded';
  }
}
