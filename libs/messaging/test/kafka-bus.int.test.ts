import { type Logger, RetryExhaustedError, SILENT_LOGGER } from '@kabar/core';
import { type BusRecord, KafkaBus, type KafkaBusOptions, type ReceivedRecord } from '@kabar/messaging';
import { eventually, uniqueNamespace } from '@kabar/testing';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// Real Apache Kafka broker (scripts/services.sh). Each test file gets its own namespace: topics and groups are its own.
const { kafkaBrokers } = inject('services');
const brokers = kafkaBrokers.split(',');

function options(namespace: string, topics: string[]): KafkaBusOptions {
  return { brokers, clientId: 'kabar-test', namespace, topics, partitions: 3, replicationFactor: 1, connectTimeoutMs: 20_000 };
}

const record = (topic: string, key: string, n: number): BusRecord => ({
  topic,
  key,
  value: Buffer.from(JSON.stringify({ n })),
  headers: { 'ce-id': `id-${n}` },
});

describe('KafkaBus against a real broker', () => {
  const namespace = uniqueNamespace();
  let bus: KafkaBus;

  /** Process warnings from the start of this suite's first bus on (see the last test but one). */
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);

  beforeAll(async () => {
    process.on('warning', onWarning);
    bus = new KafkaBus(options(namespace, ['orders', 'flaky']), SILENT_LOGGER);
    await bus.start();
  });

  afterAll(async () => {
    process.off('warning', onWarning);
    await bus.close();
  });

  it('creates missing topics at start with the configured partitions, under its namespace', async () => {
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [`${namespace}orders`, `${namespace}flaky`] });
    await admin.disconnect();
    const partitions = Object.fromEntries(metadata.topics.map((t) => [t.name, t.partitions.length]));
    expect(partitions).toEqual({ [`${namespace}orders`]: 3, [`${namespace}flaky`]: 3 });
  });

  it('delivers what it publishes with key, headers and per-key order, under canonical topic names', async () => {
    const seen: ReceivedRecord[] = [];
    const subscription = await bus.subscribe({ groupId: 'g-order', topics: ['orders'], handler: (r) => Promise.resolve(void seen.push(...r)) });
    await bus.publish([1, 2, 3, 4, 5, 6].map((n) => record('orders', n % 2 === 0 ? 'even' : 'odd', n)));
    await eventually(() => Promise.resolve(seen.length === 6 ? true : undefined));
    await subscription.close();
    expect(seen.every((r) => r.topic === 'orders')).toBe(true);
    const ns = (key: string): number[] => seen.filter((r) => r.key === key).map((r) => (JSON.parse(r.value.toString()) as { n: number }).n);
    expect(ns('odd')).toEqual([1, 3, 5]);
    expect(ns('even')).toEqual([2, 4, 6]);
    expect(seen.find((r) => r.key === 'odd')?.headers).toEqual({ 'ce-id': 'id-1' });
  });

  it('redelivers a batch whose handler failed and commits only after success', async () => {
    let failFirst = true;
    const handled: number[] = [];
    const subscription = await bus.subscribe({
      groupId: 'g-flaky',
      topics: ['flaky'],
      handler: (records) => {
        if (failFirst) {
          failFirst = false;
          return Promise.reject(new Error('transaction rolled back'));
        }
        handled.push(...records.map((r) => (JSON.parse(r.value.toString()) as { n: number }).n));
        return Promise.resolve();
      },
    });
    await bus.publish([record('flaky', 'k', 1)]);
    await eventually(() => Promise.resolve(handled.length === 1 ? true : undefined));
    await subscription.close();

    // A new consumer in the same group starts after the committed offset: nothing is handled twice.
    const again: number[] = [];
    const second = await bus.subscribe({
      groupId: 'g-flaky',
      topics: ['flaky'],
      handler: (records) => Promise.resolve(void again.push(...records.map((r) => (JSON.parse(r.value.toString()) as { n: number }).n))),
    });
    await bus.publish([record('flaky', 'k', 2)]);
    await eventually(() => Promise.resolve(again.length >= 1 ? true : undefined));
    await second.close();
    expect(handled).toEqual([1]);
    expect(again).toEqual([2]);
  });

  it('keeps its partitions through a handler that runs longer than the session, and handles the batch once', async () => {
    const slowNamespace = uniqueNamespace();
    // The broker's shortest session: a handler of 10 s outlives it unless the consumer heartbeats while it runs.
    const slow = new KafkaBus({ ...options(slowNamespace, ['slow']), sessionTimeoutMs: 6_000 }, SILENT_LOGGER);
    await slow.start();
    const calls: number[] = [];
    const subscription = await slow.subscribe({
      groupId: 'g-slow',
      topics: ['slow'],
      waitUntilAssigned: true,
      handler: async (records) => {
        calls.push(...records.map((r) => (JSON.parse(r.value.toString()) as { n: number }).n));
        await new Promise((resolve) => setTimeout(resolve, 10_000));
      },
    });
    await slow.publish([record('slow', 'k', 1)]);
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      // Committed after the handler: the member was still the partition's owner when it finished.
      const committed = async (): Promise<true | undefined> => {
        const [topic] = await admin.fetchOffsets({ groupId: `${slowNamespace}g-slow`, topics: [`${slowNamespace}slow`] });
        return topic?.partitions.some((p) => p.offset === '1') === true ? true : undefined;
      };
      await eventually(committed, 30_000);
      expect(calls).toEqual([1]);
    } finally {
      await admin.disconnect();
      await subscription.close();
      await slow.close();
    }
  }, 60_000);

  it('runs without process warnings: the patched kafkajs never asks Node for a negative timer', async () => {
    const other = new KafkaBus(options(uniqueNamespace(), ['quiet']), SILENT_LOGGER);
    await other.start();
    const seen: ReceivedRecord[] = [];
    const subscription = await other.subscribe({ groupId: 'g-quiet', topics: ['quiet'], handler: (r) => Promise.resolve(void seen.push(...r)) });
    await other.publish([record('quiet', 'k', 1)]);
    await eventually(() => Promise.resolve(seen.length === 1 ? true : undefined));
    await subscription.close();
    await other.close();
    // Warnings are emitted on a later tick than the call that caused them.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([]);
  });

  it('reports its health from the cluster', async () => {
    expect(await bus.health()).toEqual({ kind: 'kafka', up: true, detail: '1 broker(s)' });
  });
});

describe('KafkaBus with no broker', () => {
  it('retries with one readable warning per attempt, then gives up', async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...SILENT_LOGGER, warn: (_fields, message) => warnings.push(message) };
    // Port 9 (discard) is closed on this machine: a refused connection, quickly.
    const bus = new KafkaBus({ ...options(uniqueNamespace(), ['x']), brokers: ['127.0.0.1:9'], connectTimeoutMs: 2_500 }, logger);
    const error = await bus.start().catch((e: unknown) => e);
    await bus.close();
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings[0]).toMatch(/^Kafka at 127\.0\.0\.1:9 is not reachable yet \(.+\); retrying in \d+ s$/);
  });
});
