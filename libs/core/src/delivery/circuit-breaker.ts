/** When a provider counts as down, and how long to leave it alone before probing it again. */
export interface CircuitBreakerPolicy {
  /** Consecutive outage failures (timeouts, refused connections, 5xx) that open the circuit. */
  readonly failureThreshold: number;
  /** How long an open circuit refuses sends before letting one probe batch through. */
  readonly cooldownMs: number;
  /** Each failed probe doubles the cooldown, up to this. */
  readonly maxCooldownMs: number;
}

export const DEFAULT_CIRCUIT_BREAKER: CircuitBreakerPolicy = { failureThreshold: 5, cooldownMs: 30_000, maxCooldownMs: 5 * 60_000 };

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker for one plugin install (ARCHITECTURE §4 step 10). Closed: sends go through, consecutive outage
 * failures are counted. Open: sends are refused until the cooldown ends, so a dead SMSC is not hammered and messages
 * wait (or fail over) instead of each burning a timeout. Half-open: one probe batch goes through; its success closes
 * the circuit, its failure opens it again for twice as long. Outcomes that say nothing about the provider's health
 * (a bad number, a refused message) are not outages and reset nothing.
 * @example const breaker = new CircuitBreaker(); if (breaker.allow(now)) { …send…; breaker.record(ok ? 'success' : 'outage', now) }
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private cooldownMs: number;
  private probing = false;
  private current: CircuitState = 'closed';

  constructor(private readonly policy: CircuitBreakerPolicy = DEFAULT_CIRCUIT_BREAKER) {
    this.cooldownMs = policy.cooldownMs;
  }

  state(now: number): CircuitState {
    if (this.current === 'open' && now >= this.openedAt + this.cooldownMs) return 'half-open';
    return this.current;
  }

  /** Whether a batch may be sent now; in half-open, only the one probe (until its outcome is recorded). */
  allow(now: number): boolean {
    const state = this.state(now);
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.current = 'half-open';
    this.probing = true;
    return true;
  }

  /** When an open circuit will let a probe through (for scheduling retries); `now` when it is not open. */
  reopensAt(now: number): number {
    return this.state(now) === 'open' ? this.openedAt + this.cooldownMs : now;
  }

  /** The outcome of an allowed batch; one success is enough to count the provider as up. */
  record(outcome: 'success' | 'outage' | 'neutral', now: number): void {
    const wasProbe = this.probing;
    this.probing = false;
    if (outcome === 'success') {
      this.failures = 0;
      this.current = 'closed';
      this.cooldownMs = this.policy.cooldownMs;
      return;
    }
    if (outcome === 'neutral') {
      if (wasProbe) this.current = 'closed';
      return;
    }
    if (wasProbe) {
      this.open(now, Math.min(this.policy.maxCooldownMs, this.cooldownMs * 2));
      return;
    }
    this.failures += 1;
    if (this.failures >= this.policy.failureThreshold) this.open(now, this.policy.cooldownMs);
  }

  private open(now: number, cooldownMs: number): void {
    this.current = 'open';
    this.openedAt = now;
    this.cooldownMs = cooldownMs;
    this.failures = 0;
  }
}
