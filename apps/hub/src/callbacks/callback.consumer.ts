import { CloudEventError, parseKafkaRecord } from '@kabar/contracts';
import { describeError, type Logger } from '@kabar/core';
import { type Bus, type ReceivedRecord, type Subscription, TOPICS } from '@kabar/messaging';
import type { CallbackRepository, ClaimedCallback, NewCallbackDelivery } from '@kabar/persistence';

import type { CallbackHandOff } from './callback.scheduler.js';
import type { Clock } from './clock.type.js';
import { replyCallback } from './reply-event.js';

export const CALLBACKS_GROUP_ID = 'kabar-callbacks';

/** The header `statusRecord` puts on every status record: which agency the status belongs to. */
const AGENCY_HEADER = 'kabar-agency';
/** `callback_delivery.webhook_id` width. */
const MAX_WEBHOOK_ID = 64;

interface StatusToDeliver {
  readonly agencyCode: string;
  readonly webhookId: string;
  readonly payload: string;
}

/**
 * Turns status events on `kabar.status.v1`, and citizens' replies on `kabar.inbound.v1` that answer an agency's
 * notification (as `id.kabar.citizen.reply.v1` events), into callback deliveries for agencies that registered a
 * callback URL.
 * Idempotent on the CloudEvent id, so a redelivered batch adds nothing; a malformed record is logged and skipped,
 * never retried, so it cannot block the partition.
 */
export class CallbackConsumer {
  constructor(
    private readonly repository: CallbackRepository,
    private readonly logger: Logger,
    private readonly clock: Clock,
    /**
     * The local scheduler: new deliveries are leased to it as they are written and sent by it without a claim; while
     * it is behind, the consumer waits for room. Without one (or once it is stopping) they are written due now, for
     * any worker's round to claim.
     */
    private readonly handOff?: CallbackHandOff,
  ) {}

  /** Statuses, and citizens' replies to agencies' notifications (`kabar.inbound.v1` records with an agency header). */
  subscribe(bus: Bus): Promise<Subscription> {
    return bus.subscribe({ groupId: CALLBACKS_GROUP_ID, topics: [TOPICS.status, TOPICS.inbound], handler: (records) => this.handle(records) });
  }

  /**
   * One query for the batch's agencies and one INSERT for its deliveries, whatever the batch size. Records of agencies
   * without a callback URL are skipped by their header before any parsing: most statuses have nobody to call back.
   */
  async handle(records: readonly ReceivedRecord[]): Promise<void> {
    const headerCodes = new Set(records.flatMap((r) => (r.headers[AGENCY_HEADER] ? [r.headers[AGENCY_HEADER]] : [])));
    const agencies = headerCodes.size === 0 ? new Map<string, string>() : await this.repository.agenciesWithCallback([...headerCodes]);
    const byWebhookId = new Map<string, StatusToDeliver>();
    for (const record of records) {
      const code = record.headers[AGENCY_HEADER];
      if (record.topic === TOPICS.inbound) {
        // Only replies that answer a notification name an agency; the rest are for the two-way services alone.
        const reply = code === undefined || !agencies.has(code) ? undefined : replyCallback(record.value);
        if (reply !== undefined) byWebhookId.set(reply.webhookId, reply);
        continue;
      }
      if (code !== undefined && code !== '' && !agencies.has(code)) continue;
      const status = this.parse(record);
      if (status !== undefined) byWebhookId.set(status.webhookId, status);
    }
    if (byWebhookId.size === 0) return;
    const statuses = [...byWebhookId.values()];
    // Records without the header name their agency only inside the event; look those up too.
    const unknown = [...new Set(statuses.map((s) => s.agencyCode).filter((c) => !agencies.has(c)))];
    const more = unknown.length === 0 ? new Map<string, string>() : await this.repository.agenciesWithCallback(unknown);
    const deliveries = statuses.flatMap((s): NewCallbackDelivery[] => {
      const agencyId = agencies.get(s.agencyCode) ?? more.get(s.agencyCode);
      return agencyId === undefined ? [] : [{ agencyId, webhookId: s.webhookId, payload: s.payload }];
    });
    if (deliveries.length === 0) return;
    const ticket = (await this.handOff?.room(deliveries.length)) ?? null;
    const now = this.clock.now();
    if (ticket === null) {
      if ((await this.repository.enqueue(deliveries, now)) > 0) this.handOff?.wake();
      return;
    }
    let written: ClaimedCallback[] = [];
    try {
      written = await this.repository.enqueueLeased(deliveries, now, ticket.leaseUntil);
    } finally {
      ticket.take(written);
    }
  }

  private parse(record: ReceivedRecord): StatusToDeliver | undefined {
    const where = { topic: record.topic, partition: record.partition, offset: record.offset };
    let id: string;
    let extension: unknown;
    try {
      const event = parseKafkaRecord({ key: record.key, value: record.value, headers: record.headers });
      id = event.id;
      extension = event.extensions.kabaragency;
    } catch (error) {
      // CloudEventError messages never echo values, so they are safe to log; anything else is a bug worth seeing.
      const reason = error instanceof CloudEventError ? { reason: error.code, detail: error.message } : { reason: describeError(error) };
      this.logger.warn({ ...where, ...reason }, 'skipped a malformed status record');
      return undefined;
    }
    const agencyCode = record.headers[AGENCY_HEADER] ?? (typeof extension === 'string' ? extension : undefined);
    if (agencyCode === undefined || agencyCode === '') {
      this.logger.warn({ ...where, reason: 'NO_AGENCY' }, 'skipped a status record without an agency');
      return undefined;
    }
    if (id.length > MAX_WEBHOOK_ID) {
      this.logger.warn({ ...where, reason: 'ID_TOO_LONG' }, 'skipped a status record whose id cannot be a webhook id');
      return undefined;
    }
    // The record value is the structured CloudEvent as published; re-serialising the parsed event would add the
    // `partitionkey` extension that the Kafka binding derives from the record key.
    return { agencyCode, webhookId: id, payload: record.value.toString('utf8') };
  }
}
