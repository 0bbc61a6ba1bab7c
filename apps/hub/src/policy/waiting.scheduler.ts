import type { KabarConfig } from '@kabar/config';
import { describeError, isLocale, type Logger, PollingLoop } from '@kabar/core';
import { OutboxRelay, type OutboxRow } from '@kabar/messaging';
import {
  CatalogRepository,
  type ClaimedJob,
  EventRepository,
  insertColumns,
  NOTIFICATION_COLUMNS,
  notificationRow,
  OutboxRepository,
  type ReleasedNotification,
  ScheduleRepository,
  type SourceOwner,
  WaitingRepository,
} from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';

import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import { type DeliveryStatus, statusRecord } from '../delivery/status-event.js';
import { dispatchMessages, dispatchRecord } from '../ingest/ingest.service.js';
import { holdPlan, MAX_PLANS, NotificationPlanner, type Plan, StalePlan } from './notification-planner.js';

/** Jobs claimed per round; a broadcast job handles one page of `KABAR_BROADCAST_PAGE` citizens. */
const BATCH = 50;
/** A claimed job comes due again after this if its worker died. */
const LEASE_MS = 5 * 60_000;
/** Pages of a broadcast done per claim of its job (each committed on its own), before other due jobs get a turn. */
const BROADCAST_PAGES_PER_ROUND = 10;
/** Notifications per dispatch message for a broadcast page: order between citizens does not matter there. */
const BROADCAST_DISPATCH_CHUNK = 250;
const PURGE_EVERY_MS = 60 * 60_000;

const DIGEST_TEXT = {
  id: { subject: (n: number) => `Ringkasan pesan (${String(n)})`, intro: (n: number) => `Ringkasan ${String(n)} pesan untuk Anda:` },
  en: { subject: (n: number) => `Your message digest (${String(n)})`, intro: (n: number) => `A digest of ${String(n)} messages for you:` },
} as const;

/**
 * Does the waiting of ARCHITECTURE §3 from `scheduled_job` rows, on any worker: releases notifications held for quiet
 * hours or a scheduled time, sends each citizen's digest, moves undelivered notifications to their next channel at the
 * fallback deadline, pages through broadcast audiences and purges content past its retention. Every job's effect and
 * its removal commit together, so a crash repeats a job at worst, and each step is idempotent on the notification's state.
 */
@Injectable()
export class WaitingScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: PollingLoop;
  private readonly schedule: ScheduleRepository;
  private readonly waiting: WaitingRepository;
  private readonly outbox: OutboxRepository;
  private readonly catalog: CatalogRepository;
  private readonly events: EventRepository;

  constructor(
    private readonly em: EntityManager,
    private readonly planner: NotificationPlanner,
    private readonly relay: OutboxRelay,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.schedule = new ScheduleRepository(em);
    this.waiting = new WaitingRepository(em);
    this.outbox = new OutboxRepository(em);
    this.catalog = new CatalogRepository(em);
    this.events = new EventRepository(em);
    this.loop = new PollingLoop(() => this.runOnce(), {
      batchSize: BATCH,
      pollIntervalMs: 1_000,
      onError: (error, failures) => logger.warn({ error: describeError(error), failures }, 'waiting round failed; will retry'),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    await this.schedule.schedule(null, [{ kind: 'purge', ref: 'retention', dueAt: new Date() }]);
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One round: claims due jobs and does them. Returns how many were claimed. */
  async runOnce(now = new Date()): Promise<number> {
    const jobs = await this.schedule.claim(['release', 'digest', 'fallback', 'broadcast', 'purge', 'retry'], BATCH, LEASE_MS, now);
    let more = false;
    for (const job of jobs) {
      try {
        more = (await this.run(job, now)) || more;
      } catch (error) {
        // One bad job must not stop the others; its lease brings it back later.
        this.logger.warn({ kind: job.kind, jobId: job.id, error: describeError(error) }, 'scheduled job failed; it will come due again');
      }
    }
    // A broadcast with more pages is due again at once: report a full round so the loop does not sleep in between.
    return more ? BATCH : jobs.length;
  }

  /** Does one job; true when it left more work due now (the next page of a broadcast). */
  private async run(job: ClaimedJob, now: Date): Promise<boolean> {
    switch (job.kind) {
      case 'release':
        await this.release(job, now);
        return false;
      case 'digest':
        await this.digest(job, now);
        return false;
      case 'fallback':
        await this.fallback(job, now);
        return false;
      case 'broadcast':
        return this.broadcast(job, now);
      case 'retry':
        this.relay.handOff(
          await this.em.fork().transactional(async (tx) => {
            // No new fallback deadline: the first one still stands for this channel.
            const rows = await this.sendOn(tx, await this.waiting.resume(tx, [job.ref]), now, []);
            await this.schedule.done(tx, [job.id]);
            return rows;
          }),
        );
        return false;
      case 'survey-expiry':
        return false; // claimed by the survey stage (SurveyRunner), never here
      case 'receipt':
        return false; // claimed by EarlyReceipts (delivery), never here
      case 'purge': {
        const purged = await this.waiting.purge(this.config.policy.retentionDays, now);
        if (purged > 0) this.logger.info({ purged }, 'purged notification content past its retention');
        await this.schedule.reschedule(null, job.id, new Date(now.getTime() + PURGE_EVERY_MS), {});
        return false;
      }
    }
  }

  private async release(job: ClaimedJob, now: Date): Promise<void> {
    const rows = await this.em.fork().transactional(async (tx) => {
      const released = await this.waiting.release(tx, [job.ref], now);
      const written = await this.sendOn(tx, released, now, null);
      await this.schedule.done(tx, [job.id]);
      return written;
    });
    this.relay.handOff(rows);
  }

  private async digest(job: ClaimedJob, now: Date): Promise<void> {
    const rows = await this.em.fork().transactional(async (tx): Promise<OutboxRow[]> => {
      let written: OutboxRow[] = [];
      const due = await this.waiting.deferred(tx, job.ref, now);
      const [carrier, ...others] = due;
      if (carrier !== undefined) {
        const locale = isLocale(carrier.locale ?? '') && carrier.locale === 'en' ? 'en' : 'id';
        const text = DIGEST_TEXT[locale];
        const lines = due.map((n, i) => `${String(i + 1)}. ${n.agencyName}: ${n.subject === null ? '' : `${n.subject} - `}${n.body ?? ''}`);
        const decision = { step: 'digest', code: 'DIGEST_SENT', params: { count: due.length, at: now.toISOString() } };
        const sent = await this.waiting.digest(tx, carrier.id, others.map((o) => o.id), text.subject(due.length), [text.intro(due.length), ...lines].join('\n'), decision);
        written = await this.sendOn(tx, sent === null ? [] : [sent], now, null);
      }
      await this.schedule.done(tx, [job.id]);
      return written;
    });
    this.relay.handOff(rows);
  }

  private async fallback(job: ClaimedJob, now: Date): Promise<void> {
    const rows = await this.em.fork().transactional(async (tx): Promise<OutboxRow[]> => {
      const candidate = await this.waiting.fallbackCandidate(tx, job.ref);
      const [next, ...rest] = candidate?.fallback ?? [];
      // Delivered (or read) in time, cancelled, or nothing left to try: the deadline passes quietly.
      if (candidate === null || next === undefined || !['sent', 'failed', 'retrying', 'dispatching', 'accepted'].includes(candidate.state)) {
        await this.schedule.done(tx, [job.id]);
        return [];
      }
      const templates = await this.catalog.latestTemplates([candidate.eventTypeId], tx);
      const survey = (await this.planner.surveysFor([candidate.eventTypeId], tx)).get(candidate.eventTypeId);
      const rendered = this.planner.render(candidate.eventTypeId, next.channel, candidate.citizenLocale, candidate.agencyLocale, candidate.data, templates, survey);
      const decision = {
        step: 'channel',
        code: 'FALLBACK',
        params: { from: candidate.channel ?? '', to: next.channel, afterSeconds: candidate.fallbackAfterSeconds ?? 0, at: now.toISOString() },
      };
      const moved = rendered === null ? null : await this.waiting.retarget(tx, candidate.id, next, rest, rendered, rendered.asked === null ? [decision] : [decision, rendered.asked]);
      if (moved === null) this.logger.warn({ notificationId: candidate.id, channel: next.channel }, 'fallback channel has no renderable template; staying on the first channel');
      const written = await this.sendOn(tx, moved === null ? [] : [moved], now, rest);
      await this.schedule.done(tx, [job.id]);
      return written;
    });
    this.relay.handOff(rows);
  }

  /**
   * Pages of a broadcast's audience through the same policy as every event, up to BROADCAST_PAGES_PER_ROUND per
   * round. Each page commits with the cursor after it, so a crash repeats one page at worst; the next page is read
   * and planned while the current one is written. Returns true when pages remain.
   */
  private async broadcast(job: ClaimedJob, now: Date): Promise<boolean> {
    const audience = typeof job.payload.audience === 'string' ? job.payload.audience : '';
    const event = await this.events.findById(job.ref);
    const [type] = event === null ? [] : [...(await this.catalog.findEventTypes([event.type])).values()];
    const owner = event === null ? null : await this.ownerOf(event.agencyId);
    if (event === null || type === undefined || owner === null) {
      await this.schedule.done(null, [job.id]);
      return false;
    }
    const pageSize = this.config.policy.broadcastPage;
    const planned = async (from: string | null): Promise<{ from: string | null; page: string[]; plan: Plan | null }> => {
      const page = await this.waiting.audiencePage(audience, from, pageSize);
      const input = { eventId: event.id, source: event.source, ceId: event.ceId, type, owner, subject: audience, subjectHash: null, data: event.data };
      const times = { receivedAt: event.createdAt, expiresAt: event.expiresAt, notBefore: null };
      return { from, page, plan: page.length === 0 ? null : await this.planner.plan([{ ...input, ...times, audience: page }], now) };
    };
    let current = await planned(typeof job.payload.cursor === 'string' ? job.payload.cursor : null);
    let plans = 1;
    for (let round = 1; ; round++) {
      const { from, page, plan } = current;
      const finished = page.length < pageSize;
      const cursor = page.at(-1) ?? null;
      // Read and plan the next page while this one is written: different citizens, so neither changes the other.
      const next = finished || round >= BROADCAST_PAGES_PER_ROUND ? null : planned(cursor);
      try {
        const written = await this.em.fork().transactional(async (tx): Promise<OutboxRow[]> => {
          let rows: OutboxRow[] = [];
          if (plan !== null) {
            // Like a published batch: a page whose caps or dedup keys met a reminder written meanwhile is planned again.
            await holdPlan(tx, plan);
            await insertColumns(tx, 'notification', NOTIFICATION_COLUMNS, plan.notifications.map((n) => notificationRow(n, now)));
            const accepted = plan.notifications.filter((n) => n.state === 'accepted').map((n) => n.id);
            const dispatch = [];
            for (let i = 0; i < accepted.length; i += BROADCAST_DISPATCH_CHUNK) dispatch.push(dispatchRecord(`${event.id}:${String(i)}`, accepted.slice(i, i + BROADCAST_DISPATCH_CHUNK)));
            rows = await this.outbox.enqueue(tx, [...dispatch, ...plan.statuses.map(statusRecord)]);
            await this.schedule.schedule(tx, plan.jobs);
          }
          if (finished) {
            await this.events.setStatus(tx, event.id, 'broadcast');
            await this.schedule.done(tx, [job.id]);
          } else {
            await this.schedule.reschedule(tx, job.id, now, { audience, cursor });
          }
          return rows;
        });
        this.relay.handOff(written);
      } catch (error) {
        // The page ahead is dropped with this one: the job comes back at the committed cursor.
        await next?.catch(() => undefined);
        if (!(error instanceof StalePlan) || plans >= MAX_PLANS) throw error;
        plans++;
        current = await planned(from);
        continue;
      }
      plans = 1;
      if (next === null) return !finished;
      current = await next;
    }
  }

  private ownerOf(agencyId: string): Promise<SourceOwner | null> {
    return this.events.ownerOf(agencyId);
  }

  /**
   * Hands released notifications to dispatch with their status, and arms the next fallback deadline. Returns the
   * outbox rows written, for the caller to hand off once its transaction commits.
   */
  private async sendOn(tx: EntityManager, released: readonly ReleasedNotification[], now: Date, restOverride: readonly { channel: string; contactPointId: string | null }[] | null): Promise<OutboxRow[]> {
    if (released.length === 0) return [];
    const statuses: DeliveryStatus[] = released.map((n) => ({
      agency: n.agencyCode,
      eventId: n.eventId,
      source: n.source,
      id: n.ceId,
      notificationId: n.id,
      state: 'accepted',
      reason: null,
      channel: n.channel,
      at: now.toISOString(),
    }));
    const dispatch = dispatchMessages(
      released.map((n) => ({ id: n.id, eventId: n.eventId, citizenId: n.citizenId, state: 'accepted' })),
      () => undefined,
    );
    const rows = await this.outbox.enqueue(tx, [...dispatch, ...statuses.map(statusRecord)]);
    await this.schedule.schedule(
      tx,
      released.flatMap((n) => {
        const rest = restOverride ?? n.fallback;
        return rest.length > 0 && n.fallbackAfterSeconds !== null ? [{ kind: 'fallback' as const, ref: n.id, dueAt: new Date(now.getTime() + n.fallbackAfterSeconds * 1000) }] : [];
      }),
    );
    return rows;
  }
}
