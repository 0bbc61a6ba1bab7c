import type { KabarConfig } from '@kabar/config';
import { complaintReference, describeError, type Logger, PollingLoop } from '@kabar/core';
import { CallbackRepository, ComplaintRepository, type OverdueComplaint } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';

import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import { kabarEventJson } from '../delivery/status-event.js';
import { MetricsService } from '../metrics/metrics.service.js';

/** What an agency's callback receives when a complaint's answer time passes without an answer. */
export const COMPLAINT_OVERDUE_TYPE = 'id.kabar.complaint.overdue.v1';
/** What the agency it escalates to receives at the same time. */
export const COMPLAINT_ESCALATED_TYPE = 'id.kabar.complaint.escalated.v1';

const BATCH = 500;
const SWEEP_EVERY_MS = 60_000;

/** The overdue callback's `data`: enough to find the complaint, never the citizen's words or address. */
export interface ComplaintOverdueEvent {
  readonly complaintId: string;
  readonly reference: string;
  readonly channel: string;
  readonly openedAt: string;
  readonly dueAt: string;
}

/** The escalation callback's `data`: the overdue facts and whose complaint it is; the thread stays with that agency. */
export interface ComplaintEscalatedEvent extends ComplaintOverdueEvent {
  /** The code of the agency that let the complaint wait. */
  readonly agency: string;
}

/**
 * Tells an agency, once per wait, that a citizen's complaint has waited past the agency's response target without an
 * answer: a signed callback (`id.kabar.complaint.overdue.v1`) and `kabar_complaints_overdue_total`. The due times are
 * rows (`complaint.due_at`), swept by any worker with SKIP LOCKED, so a restart or a second worker changes nothing.
 */
@Injectable()
export class ComplaintDeadlines implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly store: ComplaintRepository;
  private readonly callbacks: CallbackRepository;
  private readonly loop: PollingLoop;

  constructor(
    private readonly em: EntityManager,
    private readonly metrics: MetricsService,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.store = new ComplaintRepository(em);
    this.callbacks = new CallbackRepository(em);
    this.loop = new PollingLoop(() => this.remindOverdue(), {
      batchSize: BATCH,
      pollIntervalMs: SWEEP_EVERY_MS,
      onError: (error, failures) => logger.warn({ error: describeError(error), failures }, 'complaint deadlines round failed; will retry'),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.role !== 'api') this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One sweep: the complaints overdue at `now` whose agency has not heard yet. Returns how many. */
  async remindOverdue(now: Date = new Date()): Promise<number> {
    const overdue = await this.em.fork().transactional(async (tx) => {
      const due = await this.store.overdue(tx, now, BATCH);
      await this.callbacks.enqueueIn(tx, due.flatMap(callbacksOf), now);
      await this.store.markReminded(
        tx,
        due.map((c) => c.id),
        now,
      );
      return due;
    });
    for (const c of overdue) {
      this.metrics.complaintsOverdue.inc({ agency: c.agencyCode });
      if (c.escalation !== null) this.metrics.complaintsEscalated.inc({ agency: c.agencyCode, to: c.escalation.agencyCode });
    }
    return overdue.length;
  }
}

/** The late agency's reminder and, when it has one, the notice to the agency it escalates to. */
function callbacksOf(complaint: OverdueComplaint): { agencyId: string; webhookId: string; payload: string }[] {
  const data: ComplaintOverdueEvent = {
    complaintId: complaint.id,
    reference: complaintReference(complaint.number),
    channel: complaint.channel,
    openedAt: complaint.openedAt.toISOString(),
    dueAt: complaint.dueAt.toISOString(),
  };
  // One reminder per wait: a later wait of the same complaint has another due time, so another id (base 36 seconds,
  // to stay within the 64 characters a webhook id has).
  const wait = `${complaint.id}.${Math.floor(complaint.dueAt.getTime() / 1000).toString(36)}`;
  const time = complaint.dueAt.toISOString();
  const reminder = {
    agencyId: complaint.agencyId,
    webhookId: `overdue.${wait}`,
    payload: kabarEventJson({ id: `overdue.${wait}`, type: COMPLAINT_OVERDUE_TYPE, subject: complaint.id, time, agency: complaint.agencyCode, data }),
  };
  if (complaint.escalation === null) return [reminder];
  const escalated: ComplaintEscalatedEvent = { ...data, agency: complaint.agencyCode };
  const payload = kabarEventJson({ id: `escalated.${wait}`, type: COMPLAINT_ESCALATED_TYPE, subject: complaint.id, time, agency: complaint.escalation.agencyCode, data: escalated });
  return [reminder, { agencyId: complaint.escalation.agencyId, webhookId: `escalated.${wait}`, payload }];
}
