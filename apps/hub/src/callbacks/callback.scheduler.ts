import { describeError, type Logger, PollingLoop, type SecretBox } from '@kabar/core';
import type { CallbackOutcome, CallbackRepository, ClaimedCallback } from '@kabar/persistence';

import type { CallbackAnswer, CallbackSender } from './callback.sender.js';
import { isDelivered, nextCallbackAttempt } from './callback-retry.policy.js';
import { type Clock, SYSTEM_CLOCK } from './clock.type.js';
import { mapConcurrent } from './map-concurrent.util.js';

export interface CallbackSchedulerOptions {
  /** Safety-net poll for retries coming due and rows written by other instances; local inserts call `wake()`. */
  readonly pollIntervalMs: number;
  /** Deliveries claimed per round. */
  readonly batchSize: number;
  /** HTTP calls in flight per instance. */
  readonly concurrency: number;
  /** Per request, up to the response headers. */
  readonly timeoutMs: number;
  /** How long a claim lasts; a crashed worker's rows come back after it. */
  readonly leaseMs: number;
}

export const DEFAULT_CALLBACK_OPTIONS: CallbackSchedulerOptions = { pollIntervalMs: 1_000, batchSize: 256, concurrency: 32, timeoutMs: 10_000, leaseMs: 120_000 };

/**
 * Where the consumer puts new deliveries: leased to this instance as they are written, sent in its next rounds
 * without a claim.
 */
export interface CallbackHandOff {
  /**
   * Resolves with the lease for `count` more deliveries once this instance has room for them: while its rounds are
   * behind, the consumer waits, and the backlog stays on the status topic rather than in the table, where claiming it
   * back costs a scan per round. Null once the scheduler is stopping: they are then written due now, for any worker.
   */
  room(count: number): Promise<HandOffTicket | null>;
  /** New deliveries were written due now: a round should claim them. */
  wake(): void;
}

/** Room for some deliveries: write them leased until `leaseUntil`, then `take` those written (none if it failed). */
export interface HandOffTicket {
  readonly leaseUntil: Date;
  take(callbacks: readonly ClaimedCallback[]): void;
}

/** Deliveries handed off and waiting in memory at most, in rounds' worth. */
const HANDED_OFF_ROUNDS = 64;
/** How often a round claims beside a full hand-off. */
const CLAIM_EVERY_ROUNDS = 10;

export const GAVE_UP = 'GAVE_UP';
const NO_CALLBACK_URL = 'NO_CALLBACK_URL';
const SECRET_UNREADABLE = 'SECRET_UNREADABLE';

/**
 * Delivers due callbacks: takes a batch (handed off by the consumer as it wrote them, else claimed), POSTs it (bounded
 * concurrency), records every attempt and reschedules failures with backoff. Any number of instances may run; each
 * row is leased to one of them.
 *
 * Rounds of 256 at 32 in flight: with rounds of 32 at 8, the benchmark with callbacks spent most of PostgreSQL's time
 * claiming (each claim walks the index entries earlier claims left behind), 4.7 ms a claim.
 *
 * Why a lease rather than one transaction around the calls: a round can take up to
 * ceil(batchSize / concurrency) × timeoutMs (80 s by default) of waiting on receivers; holding row locks, an open
 * transaction and a pooled connection that long would starve the pool and stall vacuum. The claim commits at once and
 * pushes `next_attempt_at` past the lease, so other workers skip the rows and a crashed worker's rows come due again by
 * themselves. The constructor refuses options where a round could outlast its lease, which would let a second worker
 * send the same row (harmless to receivers, which de-duplicate on `webhook-id`, but not what we promise).
 */
export class CallbackScheduler implements CallbackHandOff {
  private readonly loop: PollingLoop;
  private readonly worstRoundMs: number;
  /** Handed off by the consumer, oldest first, each with the end of its lease. */
  private handedOff: { readonly callback: ClaimedCallback; readonly leaseUntil: number }[] = [];
  /** Consumers waiting for room in `handedOff`, in arrival order. */
  private waiting: { readonly count: number; readonly resolve: (ticket: HandOffTicket | null) => void }[] = [];
  /** Room given to consumers whose deliveries have not arrived yet. */
  private reserved = 0;
  private stopping = false;
  private rounds = 0;

  constructor(
    private readonly repository: CallbackRepository,
    private readonly sender: CallbackSender,
    private readonly box: SecretBox,
    private readonly logger: Logger,
    private readonly options: CallbackSchedulerOptions = DEFAULT_CALLBACK_OPTIONS,
    private readonly clock: Clock = SYSTEM_CLOCK,
    private readonly random: () => number = Math.random,
  ) {
    for (const [name, value] of Object.entries(options)) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`callback scheduler option ${name} must be a positive integer`);
    }
    const worstRoundMs = Math.ceil(options.batchSize / options.concurrency) * options.timeoutMs;
    this.worstRoundMs = worstRoundMs;
    if (worstRoundMs >= options.leaseMs) {
      throw new RangeError(`callback lease (${options.leaseMs} ms) must outlast a round (up to ${worstRoundMs} ms): raise leaseMs or concurrency, or lower batchSize`);
    }
    // More handed off than a round took means more work now, whatever the round's size: no sleep in between.
    this.loop = new PollingLoop(async () => Math.max(await this.runOnce(), this.handedOff.length > 0 ? options.batchSize : 0), {
      batchSize: options.batchSize,
      pollIntervalMs: options.pollIntervalMs,
      onError: (error, failures) => logger.warn({ error: describeError(error), failures }, 'callback round failed; will retry'),
    });
  }

  start(): void {
    this.loop.start();
  }

  /**
   * Lets a round in progress finish (its outcomes are recorded), then returns. Consumers waiting for room are
   * answered at once (null); deliveries still handed off are claimed by any worker once their lease ends.
   */
  stop(): Promise<void> {
    this.stopping = true;
    for (const w of this.waiting) w.resolve(null);
    this.waiting = [];
    return this.loop.stop();
  }

  /** Tells the scheduler that deliveries were just written, so it need not wait for the next poll. */
  wake(): void {
    this.loop.wake();
  }

  room(count: number): Promise<HandOffTicket | null> {
    if (this.stopping) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiting.push({ count, resolve });
      this.admitWaiting();
    });
  }

  /** Answers waiting consumers, in order, while there is room (a batch larger than the whole room waits for an empty queue). */
  private admitWaiting(): void {
    const capacity = this.options.batchSize * HANDED_OFF_ROUNDS;
    let next = this.waiting[0];
    while (next !== undefined) {
      const held = this.handedOff.length + this.reserved;
      if (held > 0 && held + next.count > capacity) return;
      this.waiting.shift();
      const { count } = next;
      this.reserved += count;
      // The lease starts now, when the rows are about to be written, not when the consumer started waiting.
      const leaseUntil = new Date(this.clock.now().getTime() + this.options.leaseMs);
      let taken = false;
      next.resolve({
        leaseUntil,
        take: (callbacks) => {
          if (taken) return;
          taken = true;
          this.reserved -= count;
          this.take(callbacks, leaseUntil);
          this.admitWaiting();
        },
      });
      next = this.waiting[0];
    }
  }

  private take(callbacks: readonly ClaimedCallback[], leaseUntil: Date): void {
    if (callbacks.length === 0) return;
    for (const callback of callbacks) this.handedOff.push({ callback, leaseUntil: leaseUntil.getTime() });
    this.loop.wake();
  }

  /**
   * One round: the deliveries handed off if any, else those due now, claimed; delivers them and records the outcomes.
   * Returns how many deliveries it took.
   */
  async runOnce(): Promise<number> {
    const now = this.clock.now();
    // A round claims when the hand-off is empty; every tenth round also keeps an eighth of itself for claims, so
    // retries coming due (and other workers' leftovers) are not starved by a hand-off that never runs dry. Not every
    // round: each claim scans, and what the hand-off carries needs none.
    this.rounds++;
    const kept = this.rounds % CLAIM_EVERY_ROUNDS === 0 ? Math.ceil(this.options.batchSize / 8) : 0;
    const handedOff = this.fromHandOff(now, this.options.batchSize - kept);
    const room = handedOff.length === 0 ? this.options.batchSize : kept;
    const claimed = [...handedOff, ...(room === 0 ? [] : await this.repository.claimDue(now, room, new Date(now.getTime() + this.options.leaseMs)))];
    if (claimed.length === 0) return 0;
    const secrets = new Map<string, string | null>();
    const outcomes = await mapConcurrent(claimed, this.options.concurrency, (delivery) => this.attempt(delivery, secrets));
    const recorded = await this.repository.record(outcomes);
    if (recorded < outcomes.length) {
      this.logger.warn({ claimed: outcomes.length, recorded }, 'callback outcomes dropped: their lease ran out and another worker took the rows');
    }
    for (const outcome of outcomes) {
      if (outcome.lastError === GAVE_UP) this.logger.warn({ deliveryId: outcome.deliveryId, attempts: outcome.previousAttempts + 1 }, 'gave up on a status callback');
    }
    return claimed.length;
  }

  private async attempt(delivery: ClaimedCallback, secrets: Map<string, string | null>): Promise<CallbackOutcome> {
    const attemptedAt = this.clock.now();
    const secret = this.secretOf(delivery, secrets);
    let answer: CallbackAnswer;
    if (delivery.url === null) answer = { status: null, error: NO_CALLBACK_URL, latencyMs: 0 };
    else if (secret === null) answer = { status: null, error: SECRET_UNREADABLE, latencyMs: 0 };
    else answer = await this.sender.send({ url: delivery.url, secret, webhookId: delivery.webhookId, payload: delivery.payload });

    const base = { deliveryId: delivery.id, previousAttempts: delivery.attempts, attemptedAt, status: answer.status, error: answer.error, latencyMs: answer.latencyMs };
    if (answer.status !== null && isDelivered(answer.status)) return { ...base, deliveredAt: attemptedAt, nextAttemptAt: null, lastError: null };
    const decision = nextCallbackAttempt(
      { attemptNo: delivery.attempts + 1, attemptedAt, firstAttemptAt: delivery.firstAttemptAt ?? attemptedAt },
      this.random,
    );
    switch (decision.kind) {
      case 'retry':
        return { ...base, deliveredAt: null, nextAttemptAt: decision.at, lastError: answer.error };
      case 'give-up':
        return { ...base, deliveredAt: null, nextAttemptAt: null, lastError: GAVE_UP };
    }
  }

  /**
   * Up to `limit` handed-off deliveries. Those whose lease would end before a round could finish are left to the
   * rounds that claim them once it has (as a crashed worker's are), so no delivery is ever sent by two workers.
   */
  private fromHandOff(now: Date, limit: number): ClaimedCallback[] {
    const deadline = now.getTime() + this.worstRoundMs;
    const stale = this.handedOff.findIndex((h) => h.leaseUntil > deadline);
    this.handedOff = stale === -1 ? [] : this.handedOff.slice(stale);
    const round = this.handedOff.slice(0, limit);
    this.handedOff = this.handedOff.slice(round.length);
    this.admitWaiting();
    return round.map((h) => h.callback);
  }

  /** Unseals each agency's secret once per round; an unreadable one is retried like a failed call (a key may be restored). */
  private secretOf(delivery: ClaimedCallback, secrets: Map<string, string | null>): string | null {
    const known = secrets.get(delivery.agencyId);
    if (known !== undefined) return known;
    let secret: string | null = null;
    if (delivery.secretSealed !== null) {
      try {
        secret = this.box.decrypt(delivery.secretSealed);
      } catch (error) {
        this.logger.error({ agencyId: delivery.agencyId, reason: describeError(error) }, 'cannot unseal an agency callback secret');
      }
    }
    secrets.set(delivery.agencyId, secret);
    return secret;
  }


}
