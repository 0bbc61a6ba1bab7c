import 'reflect-metadata';

import { randomBytes, randomUUID } from 'node:crypto';
import { Agent as HttpAgent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

import { generateWebhookSecret, type Logger, SecretBox } from '@kabar/core';
import type { Bus, ReceivedRecord } from '@kabar/messaging';
import { AgencyRepository, CallbackRepository, migrate, openDatabase } from '@kabar/persistence';
import { aConfig, closeNow, createTestDatabase, eventually, queryDatabase, selfSignedCertificate, type TestDatabase } from '@kabar/testing';
import type { MikroORM } from '@mikro-orm/core';
import { Test } from '@nestjs/testing';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

import { BUS, BusModule } from '../src/bus/bus.module.js';
import {
  CallbackConsumer,
  CallbackScheduler,
  type CallbackSchedulerOptions,
  CallbackSender,
  CallbacksModule,
  type Clock,
  DEFAULT_CALLBACK_OPTIONS,
  GAVE_UP,
} from '../src/callbacks/index.js';
import { ConfigModule } from '../src/config/config.module.js';
import { DatabaseModule } from '../src/database/database.module.js';
import { type DeliveryStatus, statusRecord } from '../src/delivery/status-event.js';
import { MetricsModule } from '../src/metrics/metrics.module.js';
import { MetricsService } from '../src/metrics/metrics.service.js';
import { SecurityModule } from '../src/security/security.module.js';

const HOUR = 60 * 60_000;

/** Real components: PostgreSQL, HTTP over loopback, Standard Webhooks verification by its reference library. Mocked: time. */
class TestClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return this.current;
  }
  set(at: Date): void {
    this.current = at;
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

interface Request {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly verified: boolean;
}

/** The agency's side: verifies every request with the `standardwebhooks` package and answers from a script. */
class Receiver {
  readonly requests: Request[] = [];
  /** Statuses for the next requests, in order; then `otherwise`. */
  answers: number[] = [];
  otherwise = 200;
  delayMs = 0;
  private readonly server: Server;

  constructor(private readonly secret: string) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset(): void {
    this.requests.length = 0;
    this.answers = [];
    this.otherwise = 200;
    this.delayMs = 0;
  }

  async close(): Promise<void> {
    await closeNow(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
    let verified = true;
    try {
      new Webhook(this.secret).verify(body, headers);
    } catch {
      verified = false;
    }
    const path = req.url ?? '';
    this.requests.push({ path, headers, body, verified });
    if (path.startsWith('/slow')) return; // never answers: the sender's timeout must end the exchange
    const status = verified ? (this.answers.shift() ?? this.otherwise) : 401;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    res.writeHead(status).end();
  }
}

interface LogLine {
  readonly level: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly message: string;
}

function aLogger(lines: LogLine[]): Logger {
  const at =
    (level: string) =>
    (fields: Readonly<Record<string, unknown>>, message: string): void =>
      void lines.push({ level, fields, message });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function aStatus(overrides: Partial<DeliveryStatus> = {}): DeliveryStatus {
  return {
    agency: 'bapenda',
    eventId: randomUUID(),
    source: 'urn:kabar:test:bapenda',
    id: `evt-${randomUUID()}`,
    notificationId: randomUUID(),
    state: 'delivered',
    reason: null,
    channel: 'sms',
    at: '2026-11-24T08:00:00.000Z',
    ...overrides,
  };
}

let offset = 0;
const consumed = (status: DeliveryStatus): ReceivedRecord => ({ ...statusRecord(status), partition: 0, offset: String(offset++), timestamp: Date.now() });
const webhookIdOf = (status: DeliveryStatus): string => `${status.notificationId}.${status.state}`;

interface DeliveryRow {
  readonly id: string;
  readonly payload: string;
  readonly attempts: number;
  readonly next_attempt_at: Date | null;
  readonly last_status: number | null;
  readonly last_error: string | null;
  readonly delivered_at: Date | null;
}

interface AttemptRow {
  readonly attempt_no: number;
  readonly status: number | null;
  readonly error: string | null;
  readonly latency_ms: number;
  readonly created_at: Date;
}

describe('status callbacks', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let box: SecretBox;
  let secret: string;
  let receiver: Receiver;
  let base: string;
  let closedPort: number;
  let logs: LogLine[];
  let clock: TestClock;
  let consumer: CallbackConsumer;
  let agencies: AgencyRepository;

  const delivery = async (webhookId: string): Promise<DeliveryRow> => {
    const [row] = await queryDatabase<DeliveryRow>(
      database.url,
      'select "id", "payload", "attempts", "next_attempt_at", "last_status", "last_error", "delivered_at" from "callback_delivery" where "webhook_id" = $1',
      [webhookId],
    );
    if (row === undefined) throw new Error(`no delivery ${webhookId}`);
    return row;
  };

  const attemptsOf = (webhookId: string): Promise<AttemptRow[]> =>
    queryDatabase<AttemptRow>(
      database.url,
      `select a."attempt_no", a."status", a."error", a."latency_ms", a."created_at" from "callback_attempt" a
       join "callback_delivery" d on d."id" = a."delivery_id" where d."webhook_id" = $1 order by a."attempt_no"`,
      [webhookId],
    );

  const countOf = async (table: 'callback_delivery' | 'callback_attempt'): Promise<number> => {
    const [row] = await queryDatabase<{ n: string }>(database.url, `select count(*) as n from "${table}"`);
    return Number(row?.n);
  };

  /** A scheduler as the module builds it, on this file's clock; `webhook-timestamp` steps a second per request. */
  const aScheduler = (options: Partial<CallbackSchedulerOptions> = {}, sender?: CallbackSender, on: MikroORM = orm): CallbackScheduler => {
    let wall = Date.now();
    const resolved = { ...DEFAULT_CALLBACK_OPTIONS, ...options };
    return new CallbackScheduler(new CallbackRepository(on.em), sender ?? new CallbackSender(resolved.timeoutMs, () => (wall += 1_000)), box, aLogger(logs), resolved, clock);
  };

  /** Moves the clock to when the delivery is next due, and runs one round. */
  const retryWhenDue = async (scheduler: CallbackScheduler, webhookId: string): Promise<number> => {
    const { next_attempt_at: due } = await delivery(webhookId);
    if (due === null) throw new Error(`${webhookId} is not scheduled`);
    clock.set(due);
    return scheduler.runOnce();
  };

  beforeAll(async () => {
    database = await createTestDatabase(inject('services').databaseUrl);
    orm = await openDatabase({ kind: 'postgres', url: database.url }, 10_000, pino({ level: 'silent' }));
    await migrate(orm);
    box = new SecretBox({ k1: randomBytes(32) }, 'k1');
    secret = generateWebhookSecret();
    receiver = new Receiver(secret);
    base = await receiver.start();
    // A port that was just free: nothing listens there, so connections are refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));

    agencies = new AgencyRepository(orm.em);
    const anAgency = async (code: string, callbackUrl: string | null): Promise<void> => {
      await agencies.create({
        code,
        name: code,
        defaultLocale: 'id',
        senderIds: {},
        sources: [`urn:kabar:test:${code}`],
        ratePerMinute: 60,
        dailyQuota: 1_000,
        callbackUrl,
        callbackSecretSealed: callbackUrl === null ? null : box.encrypt(secret),
      }, () => null);
    };
    // The query string stands for a token some receivers put in their URL: it must reach neither logs nor the database.
    await anAgency('bapenda', `${base}/hooks/kabar?token=s3cr3t-query`);
    await anAgency('dukcapil', null);
    await anAgency('dinkes', `http://127.0.0.1:${closedPort}/hooks?token=s3cr3t-query`);
    await anAgency('lambat', `${base}/slow?token=s3cr3t-query`);
  });

  afterAll(async () => {
    await receiver.close();
    await orm.close();
    await database.drop();
  });

  beforeEach(async () => {
    await queryDatabase(database.url, 'truncate "callback_attempt", "callback_delivery"');
    receiver.reset();
    logs = [];
    clock = new TestClock(new Date());
    consumer = new CallbackConsumer(new CallbackRepository(orm.em), aLogger(logs), clock);
  });

  it('delivers a status once, signed, as the exact structured CloudEvent', async () => {
    const status = aStatus();
    const record = consumed(status);
    await consumer.handle([record]);
    const scheduler = aScheduler();
    expect(await scheduler.runOnce()).toBe(1);

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request?.verified).toBe(true);
    expect(request?.path).toBe('/hooks/kabar?token=s3cr3t-query');
    expect(request?.headers['content-type']).toBe('application/cloudevents+json');
    expect(request?.headers['webhook-id']).toBe(webhookIdOf(status));
    expect(request?.body).toBe(record.value.toString('utf8'));
    expect(JSON.parse(request?.body ?? '')).toMatchObject({ specversion: '1.0', id: webhookIdOf(status), data: status });

    const row = await delivery(webhookIdOf(status));
    expect(row).toMatchObject({ attempts: 1, last_status: 200, last_error: null, next_attempt_at: null });
    expect(row.delivered_at).toEqual(clock.now());
    expect(await attemptsOf(webhookIdOf(status))).toEqual([expect.objectContaining({ attempt_no: 1, status: 200, error: null })]);

    clock.advance(30 * HOUR);
    expect(await scheduler.runOnce()).toBe(0);
    expect(receiver.requests).toHaveLength(1);
  });

  it("delivers a citizen's reply to the agency whose notification it answers, once, signed, as an id.kabar.citizen.reply.v1 CloudEvent", async () => {
    const id = randomUUID();
    const notificationId = randomUUID();
    const eventId = randomUUID();
    const inbound = (value: Record<string, unknown>, agency?: string): ReceivedRecord => ({
      topic: 'kabar.inbound.v1',
      key: 'citizen-hash',
      value: Buffer.from(JSON.stringify(value)),
      headers: { 'content-type': 'application/json', ...(agency === undefined ? {} : { 'kabar-agency': agency }) },
      partition: 0,
      offset: String(offset++),
      timestamp: Date.now(),
    });
    const reply = {
      id,
      plugin: 'chat-whatsapp',
      channel: 'whatsapp',
      fromHash: 'citizen-hash',
      fromSealed: box.encrypt('+6281234567890'),
      to: '106540352242922',
      kind: 'button',
      text: 'Puas',
      payload: 'survey-q1-yes',
      media: null,
      inReplyTo: { notificationId, eventId, agency: 'bapenda', source: 'urn:kabar:test:bapenda', id: 'tax-due-7' },
      providerMessageId: 'wamid.answer',
      receivedAt: '2026-12-02T05:00:00.000Z',
    };
    await consumer.handle([
      inbound(reply, 'bapenda'),
      // Kafka's redelivery of the same record.
      inbound(reply, 'bapenda'),
      // A reply that answers no notification, and one to an agency without a callback URL.
      inbound({ ...reply, id: randomUUID(), inReplyTo: null }),
      inbound({ ...reply, id: randomUUID(), inReplyTo: { ...reply.inReplyTo, agency: 'dukcapil' } }, 'dukcapil'),
    ]);
    expect(await aScheduler().runOnce()).toBe(1);
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request?.verified).toBe(true);
    expect(request?.headers['webhook-id']).toBe(`reply.${id}`);
    expect(JSON.parse(request?.body ?? '')).toEqual({
      specversion: '1.0',
      id: `reply.${id}`,
      source: 'urn:kabar:hub',
      type: 'id.kabar.citizen.reply.v1',
      subject: notificationId,
      time: '2026-12-02T05:00:00.000Z',
      datacontenttype: 'application/json',
      kabaragency: 'bapenda',
      data: { notificationId, eventId, source: 'urn:kabar:test:bapenda', id: 'tax-due-7', channel: 'whatsapp', kind: 'button', text: 'Puas', payload: 'survey-q1-yes', media: null, receivedAt: '2026-12-02T05:00:00.000Z' },
    });
    // Neither the citizen's number nor its sealed or hashed form goes to the agency.
    expect(request?.body).not.toMatch(/6281234567890|citizen-hash|wamid/);
  });

  it('retries 500, 500, then delivers on 200, waiting longer each time and signing each attempt afresh', async () => {
    receiver.answers = [500, 500];
    const status = aStatus({ state: 'failed', reason: 'PROVIDER_REJECTED' });
    await consumer.handle([consumed(status)]);
    const scheduler = aScheduler();
    expect(await scheduler.runOnce()).toBe(1);

    const afterFirst = await delivery(webhookIdOf(status));
    expect(afterFirst).toMatchObject({ attempts: 1, last_status: 500, delivered_at: null });
    // Not a moment early.
    clock.set(new Date((afterFirst.next_attempt_at?.getTime() ?? 0) - 1));
    expect(await scheduler.runOnce()).toBe(0);

    expect(await retryWhenDue(scheduler, webhookIdOf(status))).toBe(1);
    expect(await retryWhenDue(scheduler, webhookIdOf(status))).toBe(1);

    const attempts = await attemptsOf(webhookIdOf(status));
    expect(attempts.map((a) => [a.attempt_no, a.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    const [first, second, third] = attempts.map((a) => a.created_at.getTime());
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThan((second ?? 0) - (first ?? 0));
    expect(await delivery(webhookIdOf(status))).toMatchObject({ attempts: 3, last_status: 200, next_attempt_at: null });

    expect(receiver.requests.map((r) => [r.verified, r.headers['webhook-id']])).toEqual(Array.from({ length: 3 }, () => [true, webhookIdOf(status)]));
    const timestamps = receiver.requests.map((r) => Number(r.headers['webhook-timestamp']));
    expect(new Set(timestamps).size).toBe(3);
    expect(receiver.requests.filter((r) => r.body === receiver.requests[0]?.body)).toHaveLength(3);

    clock.advance(30 * HOUR);
    expect(await scheduler.runOnce()).toBe(0);
    expect(receiver.requests).toHaveLength(3);
  });

  it('keeps retrying for at least 24 h and gives up once the first attempt is more than 25 h old', async () => {
    receiver.otherwise = 503;
    const status = aStatus();
    await consumer.handle([consumed(status)]);
    const scheduler = aScheduler();
    await scheduler.runOnce();
    for (let round = 0; round < 100 && (await delivery(webhookIdOf(status))).next_attempt_at !== null; round++) {
      await retryWhenDue(scheduler, webhookIdOf(status));
    }

    const row = await delivery(webhookIdOf(status));
    expect(row).toMatchObject({ last_status: 503, last_error: GAVE_UP, next_attempt_at: null, delivered_at: null });
    const times = (await attemptsOf(webhookIdOf(status))).map((a) => a.created_at.getTime());
    expect(times).toHaveLength(row.attempts);
    expect(receiver.requests).toHaveLength(row.attempts);
    const first = times[0] ?? 0;
    expect((times[times.length - 1] ?? 0) - first).toBeGreaterThan(25 * HOUR);
    expect((times[times.length - 2] ?? 0) - first).toBeLessThanOrEqual(25 * HOUR);
    expect(logs.filter((l) => l.message === 'gave up on a status callback')).toHaveLength(1);

    clock.advance(48 * HOUR);
    expect(await scheduler.runOnce()).toBe(0);
  });

  it('has two schedulers running side by side deliver every row exactly once', async () => {
    const secondOrm = await openDatabase({ kind: 'postgres', url: database.url }, 10_000, pino({ level: 'silent' }));
    try {
      class CountingSender extends CallbackSender {
        sent = 0;
        override send(...args: Parameters<CallbackSender['send']>): ReturnType<CallbackSender['send']> {
          this.sent++;
          return super.send(...args);
        }
      }
      receiver.delayMs = 5; // long enough for the two instances' rounds to overlap
      const statuses = Array.from({ length: 40 }, () => aStatus());
      await consumer.handle(statuses.map(consumed));
      const options = { batchSize: 4, concurrency: 2, pollIntervalMs: 10 };
      const [senderA, senderB] = [new CountingSender(10_000), new CountingSender(10_000)];
      const [a, b] = [aScheduler(options, senderA), aScheduler(options, senderB, secondOrm)];
      a.start();
      b.start();
      try {
        await eventually(async () => ((await queryDatabase(database.url, 'select 1 from "callback_delivery" where "delivered_at" is null')).length === 0 ? true : undefined), 20_000, 20);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }

      expect(receiver.requests).toHaveLength(40);
      expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set(statuses.map(webhookIdOf)));
      expect(receiver.requests.every((r) => r.verified)).toBe(true);
      expect(senderA.sent + senderB.sent).toBe(40);
      expect(senderA.sent).toBeGreaterThan(0);
      expect(senderB.sent).toBeGreaterThan(0);
      expect(await countOf('callback_attempt')).toBe(40);
    } finally {
      await secondOrm.close();
    }
  });

  it('adds no second delivery for a replayed status record', async () => {
    const status = aStatus();
    await consumer.handle([consumed(status), consumed(status)]);
    await consumer.handle([consumed(status)]);
    expect(await countOf('callback_delivery')).toBe(1);

    const scheduler = aScheduler();
    expect(await scheduler.runOnce()).toBe(1);
    await consumer.handle([consumed(status)]);
    clock.advance(HOUR);
    expect(await scheduler.runOnce()).toBe(0);
    expect(await countOf('callback_delivery')).toBe(1);
    expect(receiver.requests).toHaveLength(1);
  });

  it('skips malformed records and agencies without a callback without failing the batch', async () => {
    const good = aStatus();
    const fromExtension = aStatus();
    // Without the header, the agency comes from the event's `kabaragency` extension.
    const withoutAgencyHeader = Object.fromEntries(Object.entries(statusRecord(fromExtension).headers).filter(([name]) => name !== 'kabar-agency'));
    const records: ReceivedRecord[] = [
      { topic: 'kabar.status.v1', key: null, value: Buffer.from('{"not": "a cloudevent"'), headers: { 'content-type': 'application/cloudevents+json' }, partition: 0, offset: '1', timestamp: 0 },
      consumed(aStatus({ agency: 'dukcapil' })),
      consumed(aStatus({ agency: 'unknown-agency' })),
      { ...consumed(fromExtension), headers: withoutAgencyHeader },
      consumed(good),
    ];
    await consumer.handle(records);

    const rows = await queryDatabase<{ webhook_id: string }>(database.url, 'select "webhook_id" from "callback_delivery"');
    expect(rows.map((r) => r.webhook_id).sort()).toEqual([webhookIdOf(good), webhookIdOf(fromExtension)].sort());
    expect(logs.map((l) => [l.level, l.message, l.fields.offset, l.fields.reason])).toEqual([['warn', 'skipped a malformed status record', '1', 'MALFORMED_JSON']]);
  });

  it('sends what the consumer hands off without a claim, and leaves what a stopped scheduler held to a claim once its lease ends', async () => {
    const repository = new CallbackRepository(orm.em);
    const leaseMs = DEFAULT_CALLBACK_OPTIONS.leaseMs;
    const first = aScheduler();
    consumer = new CallbackConsumer(repository, aLogger(logs), clock, first);
    const [a, b] = [aStatus(), aStatus()];
    await consumer.handle([consumed(a), consumed(b)]);
    // Leased to this scheduler as they were written: no round can claim them meanwhile.
    expect(await repository.claimDue(clock.now(), 10, new Date(clock.now().getTime() + leaseMs))).toEqual([]);
    expect(await first.runOnce()).toBe(2);
    expect(receiver.requests.map((r) => [r.headers['webhook-id'], r.verified]).sort()).toEqual([[webhookIdOf(a), true], [webhookIdOf(b), true]].sort());
    for (const status of [a, b]) expect(await delivery(webhookIdOf(status))).toMatchObject({ attempts: 1, last_status: 200, next_attempt_at: null });

    // Handed to a scheduler that never runs it (its hub died): once the lease has ended, another worker's round
    // claims and sends it, and the first, should it run after all, does not send it again.
    const c = aStatus();
    await consumer.handle([consumed(c)]);
    clock.advance(leaseMs);
    expect(await aScheduler().runOnce()).toBe(1);
    expect(await first.runOnce()).toBe(0);
    expect(receiver.requests.filter((r) => r.headers['webhook-id'] === webhookIdOf(c))).toHaveLength(1);
    expect(await attemptsOf(webhookIdOf(c))).toHaveLength(1);
  });

  it('makes the consumer wait while its scheduler holds as many as it should, and write them due now once it stops', async () => {
    const repository = new CallbackRepository(orm.em);
    const dueNow = async (): Promise<string[]> => (await repository.claimDue(clock.now(), 100, new Date(clock.now().getTime() + 60_000))).map((d) => d.webhookId).sort();
    const scheduler = aScheduler({ batchSize: 1, concurrency: 1 });
    consumer = new CallbackConsumer(repository, aLogger(logs), clock, scheduler);
    // Room for 64 rounds of one: the first 63 and then 1 fill it; the next two wait until rounds have sent two.
    await consumer.handle(Array.from({ length: 63 }, () => consumed(aStatus())));
    await consumer.handle([consumed(aStatus())]);
    const waiting = [aStatus(), aStatus()];
    let written = false;
    const handled = consumer.handle(waiting.map((st) => consumed(st))).then(() => (written = true));
    expect(await scheduler.runOnce()).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toBe(false);
    expect(await scheduler.runOnce()).toBe(1);
    await handled;
    // Written leased to the scheduler, as the first were: nothing is due for a claim.
    expect(await dueNow()).toEqual([]);
    expect(await countOf('callback_delivery')).toBe(66);

    // Full again: a stopping scheduler lets the waiting consumer go on, writing its deliveries due now.
    const late = [aStatus()];
    const lateHandled = consumer.handle(late.map((st) => consumed(st)));
    await scheduler.stop();
    await lateHandled;
    expect(await dueNow()).toEqual(late.map((st) => webhookIdOf(st)));
    expect(receiver.requests).toHaveLength(2);
  });

  it('claims deliveries that come due while the hand-off never runs dry, within ten rounds', async () => {
    const repository = new CallbackRepository(orm.em);
    // Written due now (as after a failed attempt or by another hub), before the hand-off fills up.
    const due = aStatus();
    await consumer.handle([consumed(due)]);
    const scheduler = aScheduler({ batchSize: 1, concurrency: 1 });
    consumer = new CallbackConsumer(repository, aLogger(logs), clock, scheduler);
    await consumer.handle(Array.from({ length: 20 }, () => consumed(aStatus())));
    const rounds: string[] = [];
    for (let i = 0; i < 10; i++) {
      await scheduler.runOnce();
      rounds.push(receiver.requests.at(-1)?.headers['webhook-id'] ?? '');
    }
    // Nine rounds from the hand-off, the tenth a claim.
    expect(rounds.indexOf(webhookIdOf(due))).toBe(9);
    expect(receiver.requests).toHaveLength(10);
  });

  it('records refused connections and timeouts as attempts to retry, without the URL query in errors or logs', async () => {
    const refused = aStatus({ agency: 'dinkes' });
    const slow = aStatus({ agency: 'lambat' });
    await consumer.handle([consumed(refused), consumed(slow)]);
    expect(await aScheduler({ timeoutMs: 200 }).runOnce()).toBe(2);

    const [refusedAttempt] = await attemptsOf(webhookIdOf(refused));
    expect(refusedAttempt).toMatchObject({ attempt_no: 1, status: null });
    expect(refusedAttempt?.error).toMatch(/ECONNREFUSED/);
    const [slowAttempt] = await attemptsOf(webhookIdOf(slow));
    expect(slowAttempt).toMatchObject({ attempt_no: 1, status: null, error: 'TIMEOUT: no answer within 200 ms' });
    for (const status of [refused, slow]) {
      const row = await delivery(webhookIdOf(status));
      expect(row).toMatchObject({ attempts: 1, last_status: null, delivered_at: null });
      expect(row.next_attempt_at?.getTime()).toBeGreaterThan(clock.now().getTime());
    }
    const stored = await queryDatabase(database.url, 'select "error" from "callback_attempt" union all select "last_error" from "callback_delivery"');
    expect(JSON.stringify(stored)).not.toContain('s3cr3t');
    expect(JSON.stringify(logs)).not.toContain('s3cr3t');
  });

  it('posts over TLS on kept-alive connections, and does not follow a redirect', async () => {
    const certificate = selfSignedCertificate('kabar-test-callbacks');
    const seen: { path: string; verified: boolean }[] = [];
    let connections = 0;
    const server = createHttpsServer({ key: certificate.key, cert: certificate.cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
        let verified = true;
        try {
          new Webhook(secret).verify(Buffer.concat(chunks).toString('utf8'), headers);
        } catch {
          verified = false;
        }
        seen.push({ path: req.url ?? '', verified });
        if (req.url?.startsWith('/moved') === true) res.writeHead(302, { location: '/hooks/elsewhere' }).end();
        else res.writeHead(204).end();
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    try {
      const sender = new CallbackSender(5_000, Date.now, { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true, ca: certificate.cert }) });
      const send = (path: string, n: number) => sender.send({ url: `${url}${path}`, secret, webhookId: `msg_${String(n)}`, payload: JSON.stringify({ n }) });
      expect(await send('/hooks/kabar?token=s3cr3t-query', 1)).toMatchObject({ status: 204, error: null });
      expect(await send('/hooks/kabar?token=s3cr3t-query', 2)).toMatchObject({ status: 204, error: null });
      // A 3xx is an answer that is not delivery: the signed status goes nowhere else.
      expect(await send('/moved', 3)).toMatchObject({ status: 302, error: null });
      expect(seen).toEqual([
        { path: '/hooks/kabar?token=s3cr3t-query', verified: true },
        { path: '/hooks/kabar?token=s3cr3t-query', verified: true },
        { path: '/moved', verified: true },
      ]);
      expect(connections).toBe(1);
      // Without the test authority, the self-signed receiver is refused, and the error names no path or token.
      const untrusted = await new CallbackSender(5_000).send({ url: `${url}/hooks/kabar?token=s3cr3t-query`, secret, webhookId: 'msg_4', payload: '{}' });
      expect(untrusted.status).toBeNull();
      expect(untrusted.error).toMatch(/certificate/i);
      expect(untrusted.error).not.toContain('s3cr3t');
    } finally {
      await closeNow(server);
    }
  });

  it('refuses options under which a round could outlast its lease', () => {
    expect(() => aScheduler({ batchSize: 64, concurrency: 8, timeoutMs: 10_000, leaseMs: 60_000 })).toThrow(/lease/);
    expect(() => aScheduler({ concurrency: 0 })).toThrow(/concurrency/);
  });

  it('is wired by CallbacksModule: a status published on the bus reaches the callback URL', async () => {
    const config = aConfig().withPostgres(database.url).build();
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.register(config, pino({ level: 'silent' })), DatabaseModule.register(config), SecurityModule, MetricsModule, BusModule, CallbacksModule.register({ pollIntervalMs: 50 })],
    }).compile();
    await moduleRef.init();
    try {
      // The application's own SecretBox (from the config's key) must be able to unseal the agency's secret.
      const created = await agencies.create({
        code: `wired-${randomBytes(3).toString('hex')}`,
        name: 'wired',
        defaultLocale: 'id',
        senderIds: {},
        sources: [`urn:kabar:test:wired:${randomUUID()}`],
        ratePerMinute: 60,
        dailyQuota: 1_000,
        callbackUrl: `${base}/hooks/wired`,
        callbackSecretSealed: moduleRef.get(SecretBox).encrypt(secret),
      }, () => null);
      const status = aStatus({ agency: created?.code ?? '' });
      await moduleRef.get<Bus>(BUS).publish([statusRecord(status)]);
      const request = await eventually(() => Promise.resolve(receiver.requests.find((r) => r.headers['webhook-id'] === webhookIdOf(status))), 20_000, 20);
      expect(request).toMatchObject({ path: '/hooks/wired', verified: true });
      await eventually(async () => ((await delivery(webhookIdOf(status))).delivered_at === null ? undefined : true), 20_000, 20);

      // /metrics shows what waits per agency: dinkes' endpoint refuses connections, so its callbacks stay pending.
      await consumer.handle([consumed(aStatus({ agency: 'dinkes' })), consumed(aStatus({ agency: 'dinkes' }))]);
      const registry = moduleRef.get(MetricsService).registry;
      expect(await registry.getSingleMetricAsString('kabar_callbacks_pending')).toContain('kabar_callbacks_pending{agency="dinkes"} 2');
      expect(await registry.getSingleMetricAsString('kabar_callbacks_pending')).not.toContain(`agency="${created?.code ?? ''}"`);
      expect(await registry.getSingleMetricAsString('kabar_callbacks_oldest_seconds')).toMatch(/kabar_callbacks_oldest_seconds\{agency="dinkes"\} \d/);
    } finally {
      await moduleRef.close();
    }
  });
});
