import { describeError, GroupCommit, type Logger, SecretBox, storableJson, timeOrderedId } from '@kabar/core';
import { type BusRecord, OutboxRelay, type OutboxRow, TOPICS } from '@kabar/messaging';
import { type ClaimedJob, DispatchRepository, InboundRepository, type NewJob, OutboxRepository, ScheduleRepository, type SentNotification } from '@kabar/persistence';
import type { ProviderInbound, ProviderReceipt } from '@kabar/plugin-sdk';
import type { EntityManager } from '@mikro-orm/core';

import { deadLetterRecord } from './dead-letter.js';
import { statusRecord } from './status-event.js';

/** Receipts written together at most (one statement each for the notifications, the outbox and the waiting ones). */
const RECEIPT_BATCH = 1_000;
/**
 * How long a receipt that came before its attempt was written is kept for it. An attempt is written once its plugin
 * call returns, seconds later at most; a receipt still unmatched after a day is for a message Kabar did not send.
 */
const EARLY_RECEIPT_KEEP_MS = 24 * 3600_000;
/** An early receipt is tried again after 1 s, then twice as long each time, up to a minute. */
const EARLY_RECEIPT_FIRST_WAIT_MS = 1_000;
const EARLY_RECEIPT_MAX_WAIT_MS = 60_000;
/** Early receipts claimed per round, and how long a claim holds them from other hubs. */
export const EARLY_RECEIPT_BATCH = 500;
const EARLY_RECEIPT_LEASE_MS = 60_000;

/** A receipt as the hub records it: the plugin it came through, and when it first came (for early receipts). */
interface Receipt {
  readonly plugin: string;
  readonly messageId: string;
  readonly state: ProviderReceipt['state'];
  readonly stat: string;
  readonly firstSeen: Date;
  /** How often it was tried again while its attempt was unknown. */
  readonly tries: number;
}

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
  /**
   * Receipts come one per message sent, thousands a second from a busy SMSC: those that arrive while a batch is being
   * written go together in the next, so the database sees a few statements per batch, not per receipt.
   */
  private readonly receipts = new GroupCommit<Receipt>((batch) => this.writeReceipts(batch).then(() => batch.map(() => undefined)), { maxBatch: RECEIPT_BATCH });

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

  /** Resolves once the receipt is recorded (applied, or kept for the attempt it overtook); see `writeReceipts`. */
  receipt(plugin: string, receipt: ProviderReceipt): Promise<void> {
    return this.receipts.submit({ plugin, messageId: receipt.messageId, state: receipt.state, stat: receipt.stat, firstSeen: new Date(), tries: 0 });
  }

  /**
   * Records a batch of receipts in one transaction: the notifications they move, their status messages (and, for a
   * failure, the dead letter and the move to the next channel) in the outbox, and the receipts that came before their
   * attempt was written, kept as `receipt` jobs to be applied when it is (`retryEarlyReceipts`).
   */
  private async writeReceipts(batch: readonly Receipt[]): Promise<void> {
    try {
      const now = new Date();
      const rows = await this.em.fork().transactional(async (tx) => {
        const { rows, unknown } = await this.apply(tx, batch);
        await this.schedule.schedule(tx, unknown.map((r) => this.earlyReceiptJob(r, now)));
        return rows;
      });
      // Published from memory, not read back by the relay's drain.
      this.relay.handOff(rows);
    } catch (error) {
      this.logger.warn({ receipts: batch.length, error: describeError(error) }, 'delivery receipts not applied; the plugin is told, so the provider can send them again');
      throw new ProviderEventNotRecorded('delivery receipt');
    }
  }

  /**
   * One round of early receipts: those due are applied if their attempt is written by now, kept for another try if
   * not (for a day), in one transaction. Returns how many were claimed.
   */
  async retryEarlyReceipts(now = new Date()): Promise<number> {
    const jobs = await this.schedule.claim(['receipt'], EARLY_RECEIPT_BATCH, EARLY_RECEIPT_LEASE_MS, now);
    if (jobs.length === 0) return 0;
    const receipts = jobs.flatMap((job) => receiptOf(job));
    let dropped = jobs.length - receipts.length;
    const rows = await this.em.fork().transactional(async (tx) => {
      const { rows, unknown } = await this.apply(tx, receipts);
      await this.schedule.done(tx, jobs.map((j) => j.id));
      const kept = unknown.filter((r) => now.getTime() - r.firstSeen.getTime() < EARLY_RECEIPT_KEEP_MS);
      dropped += unknown.length - kept.length;
      await this.schedule.schedule(tx, kept.map((r) => this.earlyReceiptJob({ ...r, tries: r.tries + 1 }, now)));
      return rows;
    });
    this.relay.handOff(rows);
    if (dropped > 0) this.logger.warn({ receipts: dropped }, 'delivery receipts for messages no attempt ever got were dropped after a day');
    return jobs.length;
  }

  private async apply(tx: EntityManager, receipts: readonly Receipt[]): Promise<{ rows: OutboxRow[]; unknown: Receipt[] }> {
    const reasonOf = (r: Receipt): string | null => (r.state === 'delivered' ? null : `DLR_${r.state.toUpperCase()}`);
    const { applied, unknown } = await this.dispatch.applyReceipts(
      tx,
      receipts.map((r) => ({ plugin: r.plugin, providerMessageId: r.messageId, state: r.state === 'delivered' ? 'delivered' : 'failed', reason: reasonOf(r) })),
    );
    const records: BusRecord[] = [];
    const fallbacks: NewJob[] = [];
    const at = new Date().toISOString();
    for (const [index, n] of applied) {
      const r = receipts[index];
      if (r === undefined) continue;
      const reason = reasonOf(r);
      const status = { agency: n.agencyCode, eventId: n.eventId, source: n.source, id: n.ceId, notificationId: n.id, reason, channel: n.channel, at };
      records.push(statusRecord({ ...status, state: reason === null ? 'delivered' : 'failed' }));
      if (reason !== null) {
        const dead = { notificationId: n.id, eventId: n.eventId, source: n.source, ceId: n.ceId, agencyCode: n.agencyCode, channel: n.channel, plugin: r.plugin, code: reason };
        records.push(deadLetterRecord({ ...dead, reason: `${reason}: the provider's receipt says ${r.stat.slice(0, 32)}` }));
        fallbacks.push({ kind: 'fallback', ref: n.id, dueAt: new Date() });
      }
    }
    await this.schedule.schedule(tx, fallbacks);
    return { rows: await this.outbox.enqueue(tx, records), unknown: unknown.flatMap((i) => receipts[i] ?? []) };
  }

  /** A receipt kept for its attempt: keyed by a hash of its plugin and message id, so a repeated receipt is kept once. */
  private earlyReceiptJob(r: Receipt, now: Date): NewJob {
    const wait = Math.min(EARLY_RECEIPT_MAX_WAIT_MS, EARLY_RECEIPT_FIRST_WAIT_MS * 2 ** r.tries);
    return {
      kind: 'receipt',
      ref: this.box.lookupHash(`${r.plugin}\u0000${r.messageId}`),
      dueAt: new Date(now.getTime() + wait),
      payload: { plugin: r.plugin, messageId: r.messageId, state: r.state, stat: r.stat, firstSeen: r.firstSeen.toISOString(), tries: r.tries },
    };
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
      // What the citizen's phone or the provider sent that no column can hold (U+0000, half an emoji cut at a
      // segment's end) becomes U+FFFD here, once for every stage that stores the reply (a complaint, a survey answer).
      value: Buffer.from(
        storableJson({
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

const RECEIPT_STATES: readonly ProviderReceipt['state'][] = ['delivered', 'failed', 'expired', 'rejected'];
const isReceiptState = (state: unknown): state is ProviderReceipt['state'] => RECEIPT_STATES.some((s) => s === state);

/** The receipt a `receipt` job keeps; none when its payload is not one (written by hand, or by another version). */
function receiptOf(job: ClaimedJob): Receipt[] {
  const { plugin, messageId, state, stat, firstSeen, tries } = job.payload;
  if (typeof plugin !== 'string' || typeof messageId !== 'string' || !isReceiptState(state)) return [];
  const seen = typeof firstSeen === 'string' ? new Date(firstSeen) : new Date(Number.NaN);
  if (Number.isNaN(seen.getTime())) return [];
  return [{ plugin, messageId, state, stat: typeof stat === 'string' ? stat : '', firstSeen: seen, tries: typeof tries === 'number' ? tries : 0 }];
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
