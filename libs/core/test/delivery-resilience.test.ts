import { CircuitBreaker, DEFAULT_DELIVERY_RETRY, nextDeliveryAttempt, orderRoutes, sandboxChannel, sandboxOutcome } from '@kabar/core';
import { describe, expect, it } from 'vitest';

const policy = { failureThreshold: 3, cooldownMs: 1_000, maxCooldownMs: 4_000 };

describe('CircuitBreaker', () => {
  it('stays closed below the threshold and opens at it', () => {
    const breaker = new CircuitBreaker(policy);
    breaker.record('outage', 0);
    breaker.record('outage', 1);
    expect(breaker.state(2)).toBe('closed');
    expect(breaker.allow(2)).toBe(true);
    breaker.record('outage', 2);
    expect(breaker.state(2)).toBe('open');
    expect(breaker.allow(500)).toBe(false);
    expect(breaker.reopensAt(500)).toBe(1_002);
  });

  it('counts only consecutive outages: a success in between starts over, a neutral outcome changes nothing', () => {
    const breaker = new CircuitBreaker(policy);
    breaker.record('outage', 0);
    breaker.record('outage', 0);
    breaker.record('success', 0);
    breaker.record('outage', 0);
    breaker.record('neutral', 0);
    breaker.record('outage', 0);
    expect(breaker.state(0)).toBe('closed');
    breaker.record('outage', 0);
    expect(breaker.state(0)).toBe('open');
  });

  it.each([
    ['a successful probe closes it', 'success', 'closed', true],
    ['a neutral probe (the provider answered) closes it', 'neutral', 'closed', true],
    ['a failed probe opens it for twice as long', 'outage', 'open', false],
  ] as const)('lets one probe through after the cooldown: %s', (_name, outcome, after, allowedAfter) => {
    const breaker = new CircuitBreaker(policy);
    for (let i = 0; i < 3; i++) breaker.record('outage', 0);
    expect(breaker.state(1_000)).toBe('half-open');
    expect(breaker.allow(1_000)).toBe(true);
    expect(breaker.allow(1_001)).toBe(false); // only one probe in flight
    breaker.record(outcome, 1_100);
    expect(breaker.state(1_100)).toBe(after);
    expect(breaker.allow(1_200)).toBe(allowedAfter);
  });

  it('after a failed probe, reopens for a probe only after the doubled cooldown', () => {
    const breaker = new CircuitBreaker(policy);
    for (let i = 0; i < 3; i++) breaker.record('outage', 0);
    breaker.allow(1_000);
    breaker.record('outage', 1_100);
    expect(breaker.reopensAt(1_200)).toBe(3_100);
    expect(breaker.state(3_099)).toBe('open');
    expect(breaker.state(3_100)).toBe('half-open');
  });

  it('caps the growing cooldown', () => {
    const breaker = new CircuitBreaker(policy);
    for (let i = 0; i < 3; i++) breaker.record('outage', 0);
    let now = 0;
    for (const expected of [2_000, 4_000, 4_000]) {
      now = breaker.reopensAt(now);
      expect(breaker.allow(now)).toBe(true);
      breaker.record('outage', now);
      expect(breaker.reopensAt(now) - now).toBe(expected);
    }
  });
});

describe('nextDeliveryAttempt', () => {
  const now = new Date('2026-12-01T03:00:00Z');
  const noJitter = { ...DEFAULT_DELIVERY_RETRY, backoff: { ...DEFAULT_DELIVERY_RETRY.backoff, jitter: 0 } };

  it.each([
    [1, 30_000],
    [2, 60_000],
    [3, 120_000],
    [5, 480_000],
  ])('waits exponentially after attempt %i (%i ms without jitter)', (attemptNo, delay) => {
    expect(nextDeliveryAttempt(noJitter, attemptNo, true, now)?.getTime()).toBe(now.getTime() + delay);
  });

  it('gives up after the last attempt and on permanent errors', () => {
    expect(nextDeliveryAttempt(noJitter, DEFAULT_DELIVERY_RETRY.maxAttempts, true, now)).toBeNull();
    expect(nextDeliveryAttempt(noJitter, 1, false, now)).toBeNull();
  });

  it('spreads retries with jitter, never sooner than half the delay', () => {
    expect(nextDeliveryAttempt(DEFAULT_DELIVERY_RETRY, 1, true, now, undefined, () => 1)?.getTime()).toBe(now.getTime() + 15_000);
    expect(nextDeliveryAttempt(DEFAULT_DELIVERY_RETRY, 1, true, now, undefined, () => 0)?.getTime()).toBe(now.getTime() + 30_000);
  });

  it('waits for an open circuit to reopen', () => {
    const reopen = new Date(now.getTime() + 120_000);
    expect(nextDeliveryAttempt(noJitter, 1, true, now, reopen)).toEqual(reopen);
  });
});

describe('orderRoutes', () => {
  const routes = [
    { value: 'backup', priority: 1, weight: 100 },
    { value: 'aggregator-a', priority: 0, weight: 70 },
    { value: 'aggregator-b', priority: 0, weight: 30 },
  ];

  it('puts lower priorities first and keeps every route as a failover target', () => {
    const order = orderRoutes(routes);
    expect(order.slice(0, 2).sort()).toEqual(['aggregator-a', 'aggregator-b']);
    expect(order[2]).toBe('backup');
  });

  it('splits traffic within a priority by weight', () => {
    let seed = 42;
    // A fixed linear congruential sequence: the split is reproducible and still close to 70/30.
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const firsts = Array.from({ length: 10_000 }, () => orderRoutes(routes, random)[0]);
    const share = firsts.filter((f) => f === 'aggregator-a').length / firsts.length;
    expect(share).toBeGreaterThan(0.65);
    expect(share).toBeLessThan(0.75);
  });

  it('never picks a weight-0 route before a weighted one of its priority', () => {
    expect(orderRoutes([{ value: 'off', priority: 0, weight: 0 }, { value: 'on', priority: 0, weight: 1 }], () => 0.5)).toEqual(['on', 'off']);
  });
});

describe('sandbox', () => {
  it.each([
    ['+6280000000001', 'delivered', 'sms'],
    ['Delivered@Sandbox.Kabar.id', 'delivered', 'email'],
    ['+6280000000002', 'temporary-failure', 'sms'],
    ['temporary-failure@sandbox.kabar.id', 'temporary-failure', 'email'],
    ['+6280000000003', 'permanent-failure', 'sms'],
    ['permanent-failure@sandbox.kabar.id', 'permanent-failure', 'email'],
    ['+6281234567890', 'sent', 'sms'],
    ['budi@example.com', 'sent', 'email'],
    ['3273010101900001', 'sent', 'inbox'],
  ] as const)('%s -> %s on %s', (address, outcome, channel) => {
    expect(sandboxOutcome(address)).toBe(outcome);
    expect(sandboxChannel(address)).toBe(channel);
  });
});
