import type { KabarConfig } from '@kabar/config';
import { type CloudEvent, CloudEventError, parseKafkaRecord } from '@kabar/contracts';
import { isKeyId, KabarError, type Logger } from '@kabar/core';
import { type Bus, type BusRecord, type ReceivedRecord, type Subscription, TOPICS } from '@kabar/messaging';
import { EntityManager } from '@mikro-orm/core';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';

import { type Refusal, RefusedCredentials } from '../auth/index.js';
import { BUS } from '../bus/bus.module.js';
import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { IngestError, IngestErrorCode } from './ingest.errors.js';
import { type IngestItem, type IngestOutcome, IngestService } from './ingest.service.js';
import { type DailyRequest, quotaExceeded, RateLimiter } from './rate-limiter.js';
import { type RecordPublisher, RecordPublishers } from './record-publishers.js';

/** Headers a dead-lettered record carries, so an operator (or the agency) can see why and where it came from. */
export const DLQ_HEADERS = {
  code: 'kabar-dlq-code',
  reason: 'kabar-dlq-reason',
  topic: 'kabar-dlq-topic',
  partition: 'kabar-dlq-partition',
  offset: 'kabar-dlq-offset',
} as const;

/**
 * Agencies' Kafka producers write `kabar.events.v1`; this consumer feeds the same ingest path as GraphQL and HTTP.
 * Each record's signing key names its agency (RecordPublishers). A record that can never be processed goes to
 * `kabar.events.dlq.v1` with the reason, and the consumer moves on.
 */
@Injectable()
export class IngestConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: Subscription | undefined;

  constructor(
    private readonly ingest: IngestService,
    private readonly publishers: RecordPublishers,
    private readonly limiter: RateLimiter,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly metrics: MetricsService,
    private readonly em: EntityManager,
    private readonly refusedCredentials: RefusedCredentials,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    this.subscription = await this.bus.subscribe({ groupId: 'kabar-ingest', topics: [TOPICS.events], handler: (records) => this.handle(records) });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }

  /** Exposed for tests and the benchmark; throws only when the database is unavailable (the bus then retries). */
  async handle(records: readonly ReceivedRecord[]): Promise<void> {
    // Who wrote a record is settled before anything in it is read.
    const publishers = await this.publishers.of(records);
    const now = new Date();
    const quota = await this.dailyQuota(publishers, now);
    try {
      await this.ingestAdmitted(records, publishers, quota.overQuota);
    } catch (error) {
      // The batch will come again: what it counted against the quotas is taken back so that it is not counted twice.
      await this.limiter.giveBackDaily(quota.counted, now).catch((giveBackError: unknown) => {
        this.logger.warn({ error: giveBackError instanceof Error ? giveBackError.message : 'failed' }, 'could not give back the quota counted by a failed batch');
      });
      throw error;
    }
    this.metrics.busRecordsConsumed.inc({ topic: TOPICS.events }, records.length);
  }

  /**
   * Counts the batch's signed records against their keys' daily quotas, in one statement; the records past a quota
   * are answered QUOTA_EXCEEDED (dead-lettered), in record order, as a request past it is refused with 429.
   */
  private async dailyQuota(publishers: readonly (RecordPublisher | IngestError)[], now: Date): Promise<{ counted: DailyRequest[]; overQuota: (IngestError | undefined)[] }> {
    const perKey = new Map<string, DailyRequest>();
    for (const publisher of publishers) {
      if (publisher instanceof IngestError || publisher.key === undefined) continue;
      const { id, perDay } = publisher.key;
      perKey.set(id, { keyId: id, n: (perKey.get(id)?.n ?? 0) + 1, perDay });
    }
    const counted = [...perKey.values()];
    const left = counted.length === 0 ? new Map<string, number>() : await this.limiter.admitDaily(counted, now);
    const overQuota = publishers.map((publisher) => {
      if (publisher instanceof IngestError || publisher.key === undefined) return undefined;
      const { id, perDay } = publisher.key;
      const room = left.get(id) ?? 0;
      left.set(id, room - 1);
      return room > 0 ? undefined : quotaExceeded(perDay, now);
    });
    return { counted, overQuota };
  }

  /** Ingests the records no check refused, and dead-letters the rest with their reasons, in record order. */
  private async ingestAdmitted(records: readonly ReceivedRecord[], publishers: readonly (RecordPublisher | IngestError)[], overQuota: readonly (IngestError | undefined)[]): Promise<void> {
    const refused = new Map<ReceivedRecord, KabarError>();
    const parsed: { record: ReceivedRecord; publisher: RecordPublisher; event: CloudEvent }[] = [];
    records.forEach((record, i) => {
      const publisher = publishers[i];
      if (publisher === undefined) throw new Error('a record has no publisher answer'); // unreachable: one answer per record
      if (publisher instanceof IngestError) {
        this.metrics.credentialsRefused.inc({ credential: 'kafka', reason: publisher.code });
        this.refusedCredentials.note(kafkaRefusal(publisher));
        refused.set(record, publisher);
        return;
      }
      const over = overQuota[i];
      if (over !== undefined) {
        refused.set(record, over);
        return;
      }
      try {
        parsed.push({ record, publisher, event: parseKafkaRecord({ key: record.key, value: record.value, headers: { ...record.headers } }) });
      } catch (error) {
        if (!(error instanceof CloudEventError)) throw error;
        refused.set(record, error);
      }
    });
    const outcomes = await this.ingestOrIsolate(
      parsed.map((p) => ({ event: p.event, via: 'kafka', agencyId: p.publisher.agencyId, sandbox: p.publisher.sandbox, origin: { partition: p.record.partition, key: p.record.key } })),
    );
    outcomes.forEach((outcome, i) => {
      const item = parsed[i];
      if (!outcome.ok && item !== undefined) refused.set(item.record, outcome.error);
    });
    if (refused.size > 0) {
      // In the order the records came, whichever check refused them.
      const deadLetters = records.flatMap((record) => {
        const error = refused.get(record);
        return error === undefined ? [] : [deadLetter(record, error)];
      });
      await this.bus.publish(deadLetters);
      this.logger.warn({ count: deadLetters.length, codes: [...new Set(deadLetters.map((d) => d.headers[DLQ_HEADERS.code]))] }, 'dead-lettered event records');
    }
  }

  /**
   * The ingest's outcomes for the batch's items. If the ingest fails while the database answers, the failure is in an
   * event that passed every check (a bug the checks did not foresee): retried, the batch would fail for ever and hold
   * its partition. The items are then ingested one by one, and those the database refuses alone are answered
   * NOT_STORED, to be dead-lettered while the partition moves on. While the database does not answer, the error goes
   * up and the bus retries the batch.
   */
  private async ingestOrIsolate(items: readonly IngestItem[]): Promise<IngestOutcome[]> {
    try {
      return await this.ingest.ingest(items);
    } catch (error) {
      if (error instanceof IngestError || !(await this.databaseAnswers())) throw error;
      const outcomes: IngestOutcome[] = [];
      for (const item of items) {
        try {
          outcomes.push(...(await this.ingest.ingest([item])));
        } catch (alone) {
          if (alone instanceof IngestError || !(await this.databaseAnswers())) throw alone;
          // The database's message may quote the event's values: only the error's kind and SQLSTATE are logged.
          this.logger.error({ source: item.event.source, error: errorKind(alone) }, 'the database refused an event that passed every check; dead-lettered');
          outcomes.push({ ok: false, source: item.event.source, id: item.event.id, error: new IngestError(IngestErrorCode.NotStored, 'the database refused to store this event, which passed every check; the hub logged the kind of error') });
        }
      }
      return outcomes;
    }
  }

  private async databaseAnswers(): Promise<boolean> {
    try {
      await this.em.getConnection().execute('select 1');
      return true;
    } catch {
      return false;
    }
  }
}

function deadLetter(record: ReceivedRecord, error: KabarError): BusRecord {
  return {
    topic: TOPICS.eventsDeadLetter,
    key: record.key,
    value: record.value,
    headers: {
      ...record.headers,
      [DLQ_HEADERS.code]: error.code,
      // Messages name attributes, never values, so the reason is safe to keep beside the record.
      [DLQ_HEADERS.reason]: error.message.slice(0, 500),
      [DLQ_HEADERS.topic]: record.topic,
      [DLQ_HEADERS.partition]: String(record.partition),
      [DLQ_HEADERS.offset]: record.offset,
    },
  };
}

/** A record's refused signature for the audit trail: the key it named (when well-formed) and that key's agency. */
function kafkaRefusal(error: IngestError): Refusal {
  const { keyId, agencyId } = error.details;
  return {
    credential: 'kafka',
    reason: error.code,
    keyId: typeof keyId === 'string' && isKeyId(keyId) ? keyId : null,
    agencyId: typeof agencyId === 'string' ? agencyId : null,
    ip: null,
  };
}

/** An error's class and SQLSTATE (or other code), never its message. */
function errorKind(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name} ${code}` : error.name;
}
