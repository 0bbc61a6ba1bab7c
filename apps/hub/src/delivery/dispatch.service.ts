import { setTimeout as sleep } from 'node:timers/promises';

import { appendTo, CircuitBreaker, type CircuitBreakerPolicy, type CircuitState, type DeliveryRetryPolicy, GroupCommit, type Logger, nextDeliveryAttempt, sandboxOutcome, SecretBox, SendRateLimiter } from '@kabar/core';
import type { BusRecord, ReceivedRecord } from '@kabar/messaging';
import { OutboxRelay } from '@kabar/messaging';
import { type AttemptOutcome, DispatchRepository, type DispatchRow, type NewJob } from '@kabar/persistence';
import { type Channel, type OutboundMessage, PLUGIN_ERROR_RETRYABLE, PluginError, PluginErrorCode, type SendOutcome } from '@kabar/plugin-sdk';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';

import { ROOT_LOGGER } from '../config/config.module.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { deadLetterRecord } from './dead-letter.js';
import { DELIVERY_RESILIENCE, type DeliveryResilience, PLUGIN_REGISTRY } from './delivery.tokens.js';
import type { PluginRegistry, Route } from './plugin-registry.js';
import { type DeliveryStatus, statusRecord } from './status-event.js';

/**
 * The dispatch stage: a batch of notification ids from `kabar.dispatch.v1` becomes one plugin call per channel.
 * Notifications bound for peers that may show a message twice are claimed (committed) before the call; outcomes are
 * written after it, so a crash in between is visible and the redelivered batch re-sends with the same idempotency key
 * (the notification id), which the inbox and webhook receivers honour.
 */
@Injectable()
export class DispatchService {
  private readonly repository: DispatchRepository;
  /** One breaker per plugin install, per hub process: each instance judges the provider from its own calls. */
  private readonly breakers = new Map<string, CircuitBreaker>();
  /** One send-rate limiter per rate-limited install, per hub process (a limit is per worker: see setPluginRateLimit). */
  private readonly limiters = new Map<string, SendRateLimiter>();
  /**
   * Dispatch rounds. The batches of one Kafka fetch (one per partition) arrive together; small ones (traffic that
   * trickles in, such as agencies publishing an event per HTTP request) go as one round of up to a chunk, where each
   * would pay a round's queries and transaction for a notification or two. Big ones (a backlog) go alone, as before.
   */
  private readonly rounds = new GroupCommit<readonly string[]>((lists) => this.dispatchAll(lists.flat()).then(() => lists.map(() => undefined)), {
    maxBatch: DISPATCH_CHUNK,
    weigh: (ids) => ids.length,
    concurrency: ROUNDS_AT_ONCE,
    gatherTurn: true,
  });

  constructor(
    em: EntityManager,
    private readonly box: SecretBox,
    private readonly relay: OutboxRelay,
    @Inject(PLUGIN_REGISTRY) private readonly plugins: PluginRegistry,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly metrics: MetricsService,
    @Inject(DELIVERY_RESILIENCE) private readonly resilience: DeliveryResilience,
  ) {
    this.repository = new DispatchRepository(em);
  }

  private get retry(): DeliveryRetryPolicy {
    return this.resilience.retry;
  }

  private get breakerPolicy(): CircuitBreakerPolicy {
    return this.resilience.breaker;
  }

  async handle(records: readonly ReceivedRecord[]): Promise<void> {
    const ids = records.flatMap((r) => this.notificationIds(r));
    if (ids.length > 0) await this.rounds.submit(ids);
  }

  private async dispatchAll(ids: readonly string[]): Promise<void> {
    // Bounded chunks keep plugin batches reasonable; a few run side by side, so a large batch does not hold up the
    // partitions fetched after it (the Kafka consumer fetches again only when every batch of a round is done).
    const chunks: string[][] = [];
    for (let start = 0; start < ids.length; start += DISPATCH_CHUNK) chunks.push(ids.slice(start, start + DISPATCH_CHUNK));
    for (let i = 0; i < chunks.length; i += CHUNKS_AT_ONCE) await Promise.all(chunks.slice(i, i + CHUNKS_AT_ONCE).map((chunk) => this.dispatch(chunk)));
  }

  private async dispatch(ids: readonly string[]): Promise<void> {
    const groups = await this.claimed(await this.repository.load(ids));
    if (groups.size === 0) return;
    const outcomes: AttemptOutcome[] = [];
    /** Status messages for the agency, and dead letters for operators, written with the outcomes. */
    const messages: BusRecord[] = [];
    const dead: string[] = [];
    const jobs: NewJob[] = [];
    for (const group of groups.values()) {
      const first = group[0];
      if (first === undefined) continue;
      const live = group.filter((row) => row.sandboxTo === null);
      const sandboxed = group.filter((row) => row.sandboxTo !== null).map(sandboxSend);
      for (const sent of [...sandboxed, ...(live.length === 0 ? [] : await this.sendWithFailover(first.channel, first.agencyId, live))]) {
        const { row, result, pluginId, refused, latencyMs, reopensAt } = sent;
        const now = new Date();
        if (sent.heldUntil !== undefined) {
          // Held back by rate limits: it waits for its slot, which is not an attempt and not a failure.
          jobs.push({ kind: 'retry', ref: row.notificationId, dueAt: sent.heldUntil });
          outcomes.push({ notificationId: row.notificationId, plugin: pluginId, attemptNo: row.attemptNo, status: 'failed', providerMessageId: null, errorCode: THROTTLED, latencyMs: 0, state: 'retrying', reason: THROTTLED, held: true });
          messages.push(statusRecord(this.status(row, 'retrying', THROTTLED)));
          continue;
        }
        const ok = result.status === 'sent';
        // A refusal by an open circuit is recorded as such: the provider was not called.
        const errorCode = ok ? null : refused ? CIRCUIT_OPEN : result.error.code;
        // Retryable failures wait with backoff and jitter (longer while circuits are open); the rest are final.
        const retryAt = ok ? null : nextDeliveryAttempt(this.retry, row.attemptNo, result.error.retryable, now, reopensAt);
        // The inbox is the citizen's own store: handing it over is delivery. Other channels wait for a receipt.
        const handedToInbox = row.channel === 'inbox' && row.sandboxTo === null;
        const state = ok ? (handedToInbox || sent.delivered === true ? 'delivered' : 'sent') : retryAt === null ? 'failed' : 'retrying';
        if (retryAt !== null) jobs.push({ kind: 'retry', ref: row.notificationId, dueAt: retryAt });
        // A final failure moves on to the citizen's next channel now rather than at the fallback deadline.
        if (state === 'failed') jobs.push({ kind: 'fallback', ref: row.notificationId, dueAt: now });
        // The provider says this address will never work (unregistered token, unknown number): stop choosing it.
        if (!ok && result.error.code === PluginErrorCode.InvalidRecipient && row.contactPointId !== null) dead.push(row.contactPointId);
        outcomes.push({
          notificationId: row.notificationId,
          plugin: pluginId,
          attemptNo: row.attemptNo,
          status: ok ? 'sent' : 'failed',
          providerMessageId: ok ? (result.providerMessageId ?? null) : null,
          errorCode,
          latencyMs,
          state,
          reason: errorCode,
        });
        messages.push(statusRecord(this.status(row, state, errorCode)));
        if (state === 'failed') {
          const code = errorCode ?? PluginErrorCode.ProviderError;
          const reason = result.status === 'failed' && result.error.retryable ? `${code}: retries spent after ${String(row.attemptNo)} attempts` : `${code}: refused for good`;
          messages.push(deadLetterRecord({ ...row, plugin: pluginId, code, reason }));
        }
      }
      this.metrics.busRecordsConsumed.inc({ topic: 'kabar.dispatch.v1' }, group.length);
    }
    this.relay.handOff(await this.repository.finish(outcomes, messages, dead, jobs));
    this.count(outcomes);
  }

  /**
   * The loaded notifications in groups per channel and agency (an agency may have its own routes, e.g. its SMS
   * sender-ID contract), claimed first where a route's peer could show a re-sent message twice. Where every route
   * deduplicates (the inbox) or no peer is called (the sandbox), a crash before the outcome is safe to repeat, so the
   * claim's write is skipped: it is a third of dispatch's database work.
   */
  private async claimed(rows: readonly DispatchRow[]): Promise<Map<string, DispatchRow[]>> {
    const groups = new Map<string, DispatchRow[]>();
    for (const row of rows) appendTo(groups, `${row.channel} ${row.agencyId}`, row);
    const toClaim: string[] = [];
    for (const group of groups.values()) {
      const first = group[0];
      if (first === undefined || this.plugins.candidates(first.channel, first.agencyId).every((route) => route.provider.deduplicates === true)) continue;
      toClaim.push(...group.filter((row) => row.sandboxTo === null).map((row) => row.notificationId));
    }
    if (toClaim.length === 0) return groups;
    const attempts = await this.repository.claim(toClaim);
    const claimable = new Set(toClaim);
    for (const [key, group] of groups) {
      const kept = group.flatMap((row) => {
        if (!claimable.has(row.notificationId)) return [row];
        const attemptNo = attempts.get(row.notificationId);
        // Not claimed: another worker finished it between the read and the claim.
        return attemptNo === undefined ? [] : [{ ...row, attemptNo }];
      });
      if (kept.length === 0) groups.delete(key);
      else groups.set(key, kept);
    }
    return groups;
  }

  /**
   * Sends a group down its routes: the first route whose circuit allows it gets the batch; messages that failed
   * with an outage (timeout, refused connection, 5xx) go to the next route at once. Messages no route would take
   * come back refused by the open circuits, with the earliest reopening for their retry.
   */
  private async sendWithFailover(channel: string, agencyId: string, group: readonly DispatchRow[]): Promise<SentRow[]> {
    const candidates = this.plugins.candidates(channel, agencyId);
    if (candidates.length === 0) return group.map((row) => ({ row, result: noRoute(row), pluginId: 'none', refused: false, latencyMs: 0, reopensAt: undefined }));
    const done: SentRow[] = [];
    let pending = [...group];
    /** The last outage each message met, by notification id: what it reports when no route takes it. */
    const outages = new Map<string, SentRow>();
    /** The first rate limit that held messages back, and by which route: held messages wait for its next slots. */
    let holder: { limiter: SendRateLimiter; pluginId: string } | undefined;
    for (const route of candidates) {
      if (pending.length === 0) break;
      const breaker = this.breakerOf(route.pluginId);
      if (!breaker.allow(Date.now())) continue;
      const limiter = this.limiterOf(route);
      const { admitted, readyAt } = limiter === undefined ? { admitted: pending.length, readyAt: 0 } : limiter.admit(pending.length, Date.now(), MAX_RATE_WAIT_MS);
      const batch = pending.slice(0, admitted);
      // What the limit holds back tries the next route (overflow), else waits for this one's slots.
      const held = pending.slice(admitted);
      if (limiter !== undefined && held.length > 0) holder ??= { limiter, pluginId: route.pluginId };
      if (batch.length === 0) continue;
      if (readyAt > Date.now()) await sleep(readyAt - Date.now());
      const started = Date.now();
      const results = await this.send(route.provider.send.bind(route.provider), batch);
      breaker.record(healthOf(results), Date.now());
      const latencyMs = Date.now() - started;
      const sent = batch.map((row, i): SentRow => ({ row, result: results[i] ?? noOutcome(row), pluginId: route.pluginId, refused: false, latencyMs, reopensAt: undefined }));
      const outage = (s: SentRow): boolean => s.result.status === 'failed' && OUTAGES.has(s.result.error.code);
      done.push(...sent.filter((s) => !outage(s)));
      for (const s of sent.filter(outage)) outages.set(s.row.notificationId, s);
      pending = [...sent.filter(outage).map((s) => s.row), ...held];
    }
    if (pending.length === 0) return done;
    // Every route was tried, refused or full: a message that met an outage reports it; one only held back by a
    // rate limit waits for that limit's next slots, spread in order; the rest report the circuits' refusal.
    const now = Date.now();
    const reopensAt = new Date(Math.min(...candidates.map((route) => this.breakerOf(route.pluginId).reopensAt(now))));
    const pluginId = candidates[0]?.pluginId ?? 'none';
    let waiting = 0;
    return [
      ...done,
      ...pending.map((row): SentRow => {
        const outage = outages.get(row.notificationId);
        if (outage !== undefined) return { ...outage, reopensAt };
        if (holder !== undefined) {
          const heldUntil = new Date(holder.limiter.slotAfter(waiting++, now));
          return { row, result: circuitOpen(row, holder.pluginId), pluginId: holder.pluginId, refused: false, latencyMs: 0, reopensAt: undefined, heldUntil };
        }
        return { row, result: circuitOpen(row, pluginId), pluginId, refused: true, latencyMs: 0, reopensAt };
      }),
    ];
  }

  /** The install's send-rate limiter, following the admin's current limit (a changed limit starts afresh). */
  private limiterOf(route: Route): SendRateLimiter | undefined {
    if (route.ratePerSecond === undefined) return undefined;
    let limiter = this.limiters.get(route.pluginId);
    if (limiter?.perSecond !== route.ratePerSecond) {
      limiter = new SendRateLimiter(route.ratePerSecond);
      this.limiters.set(route.pluginId, limiter);
    }
    return limiter;
  }

  /** The install's circuit as this instance sees it (closed until it has failed here). */
  circuitOf(name: string): CircuitState {
    return this.breakers.get(name)?.state(Date.now()) ?? 'closed';
  }

  /** Per install and outcome, one increment each per batch. */
  private count(outcomes: readonly AttemptOutcome[]): void {
    const counts = new Map<string, { plugin: string; outcome: string; n: number }>();
    for (const o of outcomes) {
      const outcome = o.held === true ? 'throttled' : o.errorCode === CIRCUIT_OPEN ? 'refused' : o.status;
      const key = `${o.plugin} ${outcome}`;
      const entry = counts.get(key) ?? { plugin: o.plugin, outcome, n: 0 };
      entry.n++;
      counts.set(key, entry);
    }
    for (const { plugin, outcome, n } of counts.values()) this.metrics.deliveries.inc({ plugin, outcome }, n);
  }

  private breakerOf(pluginId: string): CircuitBreaker {
    let breaker = this.breakers.get(pluginId);
    if (breaker === undefined) {
      breaker = new CircuitBreaker(this.breakerPolicy);
      this.breakers.set(pluginId, breaker);
    }
    return breaker;
  }

  private async send(send: (batch: readonly OutboundMessage[]) => Promise<SendOutcome[]>, group: readonly DispatchRow[]): Promise<SendOutcome[]> {
    const messages = group.map((row) => this.message(row));
    try {
      return await send(messages);
    } catch (error) {
      // A whole-batch failure (connection refused, bad credentials) fails every message of the batch with its code.
      const failure = error instanceof PluginError ? error : new PluginError(PluginErrorCode.ProviderError, error instanceof Error ? error.message : 'plugin failed');
      this.logger.warn({ channel: group[0]?.channel, code: failure.code }, 'plugin failed a whole batch');
      return messages.map((m) => ({ notificationId: m.notificationId, status: 'failed', error: { code: failure.code, retryable: failure.retryable, message: failure.message } }));
    }
  }

  private message(row: DispatchRow): OutboundMessage {
    const sender = row.sender ?? row.senderIds[row.channel];
    const to = row.channel === 'inbox' ? (row.citizenId ?? '') : row.contactSealed === null ? '' : this.box.decrypt(row.contactSealed);
    return {
      notificationId: row.notificationId,
      idempotencyKey: row.notificationId,
      channel: row.channel as Channel,
      to,
      ...(sender === undefined ? {} : { sender }),
      locale: row.locale,
      ...(row.subject === null ? {} : { subject: row.subject }),
      body: row.body,
      ...(row.html === null ? {} : { html: row.html }),
      agencyCode: row.agencyCode,
      eventType: row.eventType,
      eventId: row.eventId,
      metadata: { messageClass: row.messageClass },
      ...(row.replyOptions === null ? {} : { replyOptions: row.replyOptions }),
    };
  }

  private status(row: DispatchRow, state: DeliveryStatus['state'], reason: string | null): DeliveryStatus {
    return {
      agency: row.agencyCode,
      eventId: row.eventId,
      source: row.source,
      id: row.ceId,
      notificationId: row.notificationId,
      state,
      reason,
      channel: row.channel,
      at: new Date().toISOString(),
    };
  }

  private notificationIds(record: ReceivedRecord): string[] {
    try {
      const { notificationIds } = JSON.parse(record.value.toString('utf8')) as { notificationIds?: unknown };
      if (Array.isArray(notificationIds) && notificationIds.every((id) => typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id))) {
        return notificationIds as string[];
      }
    } catch {
      // fall through: only Kabar writes this topic, so a bad record is a bug to log, not a reason to stall
    }
    this.logger.error({ partition: record.partition, offset: record.offset }, 'skipped a malformed dispatch record');
    return [];
  }
}

const DISPATCH_CHUNK = 1_000;
/** Rounds at once: no fewer than the partitions a consumer handles side by side, which bound them. */
const ROUNDS_AT_ONCE = 16;
/** Chunks of one batch dispatched at once: each holds a database connection for its claim and its outcome. */
const CHUNKS_AT_ONCE = 3;

/** Outages say the provider is down; refusals and bad addresses say it is up and answering. */
const OUTAGES: ReadonlySet<PluginErrorCode> = new Set([PluginErrorCode.Timeout, PluginErrorCode.ConnectionFailed, PluginErrorCode.ProviderError]);

function healthOf(results: readonly SendOutcome[]): 'success' | 'outage' | 'neutral' {
  if (results.some((r) => r.status === 'sent')) return 'success';
  return results.some((r) => r.status === 'failed' && OUTAGES.has(r.error.code)) ? 'outage' : 'neutral';
}

const CIRCUIT_OPEN = 'CIRCUIT_OPEN';
/** Reason of a message waiting for its slot under an install's rate limit. */
const THROTTLED = 'THROTTLED';
/**
 * How long dispatch waits in place for rate-limit slots before holding messages back as scheduled retries: short, so
 * a throttled route never holds up a partition (or a Kafka consumer's session) for long.
 */
const MAX_RATE_WAIT_MS = 1_000;


/** One message's fate in a dispatch round, with the route that gave it. */
interface SentRow {
  /** Delivery known at once (the sandbox's delivered address). */
  readonly delivered?: boolean;
  readonly row: DispatchRow;
  readonly result: SendOutcome;
  readonly pluginId: string;
  readonly refused: boolean;
  readonly latencyMs: number;
  readonly reopensAt: Date | undefined;
  /** Held back by a rate limit, not sent: waits for its slot then. */
  readonly heldUntil?: Date;
}

/** Test mode: the magic address decides; no provider is called. */
function sandboxSend(row: DispatchRow): SentRow {
  const outcome = sandboxOutcome(row.sandboxTo ?? '');
  const failed = (code: PluginErrorCode, message: string): SendOutcome => ({ notificationId: row.notificationId, status: 'failed', error: { code, retryable: PLUGIN_ERROR_RETRYABLE[code], message } });
  const result: SendOutcome =
    outcome === 'temporary-failure'
      ? failed(PluginErrorCode.ProviderError, 'sandbox: a temporary failure, as this address asks')
      : outcome === 'permanent-failure'
        ? failed(PluginErrorCode.Rejected, 'sandbox: a permanent failure, as this address asks')
        : { notificationId: row.notificationId, status: 'sent', providerMessageId: `sandbox-${row.notificationId}` };
  return { row, result, pluginId: 'sandbox', refused: false, latencyMs: 0, reopensAt: undefined, delivered: outcome === 'delivered' };
}

function noOutcome(row: DispatchRow): SendOutcome {
  return { notificationId: row.notificationId, status: 'failed', error: { code: PluginErrorCode.ProviderError, retryable: true, message: 'the plugin gave no outcome for this message' } };
}

function circuitOpen(row: DispatchRow, pluginId: string): SendOutcome {
  return {
    notificationId: row.notificationId,
    status: 'failed',
    error: { code: PluginErrorCode.ConnectionFailed, retryable: true, message: `circuit open for ${pluginId}: the provider failed repeatedly; not called` },
  };
}

function noRoute(row: DispatchRow): SendOutcome {
  return { notificationId: row.notificationId, status: 'failed', error: { code: PluginErrorCode.Rejected, retryable: false, message: `no plugin is routed for ${row.channel}` } };
}
