import { randomBytes } from 'node:crypto';

import { signKafkaRecord } from '@kabar/contracts';
import { hashSecret, newCredential, SecretBox, SILENT_LOGGER } from '@kabar/core';
import { TOPICS } from '@kabar/messaging';
import { AgencyRepository, CatalogRepository, CitizenRepository, migrate, openDatabase } from '@kabar/persistence';
import { createTestDatabase, eventually, queryDatabase, startHubProcess, type TestDatabase, uniqueNamespace } from '@kabar/testing';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const EVENTS = 3_000;
const SOURCE = '/id/go/bandung/bapenda';
const TYPE = 'id.go.bapenda.tax-due.v1';

// ARCHITECTURE §3: offsets after commit, idempotent stages, outbox. A hub killed with SIGKILL in the middle of a
// backlog loses no event and delivers no notification twice once it is started again.
describe('crash safety', () => {
  const services = inject('services');
  const masterKey = randomBytes(32);
  const namespace = uniqueNamespace();
  let database: TestDatabase;
  let env: Record<string, string>;

  const count = async (sql: string): Promise<number> => Number((await queryDatabase<{ n: string }>(database.url, sql))[0]?.n ?? 0);

  beforeAll(async () => {
    database = await createTestDatabase(services.databaseUrl);
    const orm = await openDatabase({ kind: 'postgres', url: database.url }, 10_000, SILENT_LOGGER);
    await migrate(orm);
    const box = new SecretBox({ k1: masterKey }, 'k1');
    const agency = await new AgencyRepository(orm.em).create({
      code: 'bapenda',
      name: 'Bapenda',
      defaultLocale: 'id',
      senderIds: {},
      sources: [SOURCE],
      ratePerMinute: 3000,
      dailyQuota: 100_000,
      callbackUrl: null,
      callbackSecretSealed: null,
    }, () => null);
    // The agency's producer signs each record with its key, as KABAR_KAFKA_EVENT_AUTH=signed (the default) requires.
    const credential = newCredential('live');
    await new AgencyRepository(orm.em).addKey(
      { id: credential.id, agencyId: agency?.id ?? '', name: 'backend', kind: 'live', secretHash: hashSecret(credential.secret), secretSealed: box.encrypt(credential.secret) },
      () => null,
    );
    const catalog = new CatalogRepository(orm.em);
    const type = await catalog.upsertEventType(agency?.id ?? '', {
      type: TYPE,
      description: null,
      messageClass: 'reminder',
      dataSchema: { type: 'object', properties: { n: { type: 'integer' } } },
      allowedChannels: ['inbox'],
      defaultExpirySeconds: 86_400,
      requiredLocales: ['id', 'en'],
    }, () => null);
    await catalog.addTemplateVersions(type?.id ?? '', [
      { channel: 'inbox', locale: 'id', subject: null, body: 'Tagihan {{n}}', html: null },
      { channel: 'inbox', locale: 'en', subject: null, body: 'Bill {{n}}', html: null },
    ], () => null);
    // Ten citizens, so the backlog spreads over partitions and batches.
    for (let c = 0; c < 10; c++) await new CitizenRepository(orm.em).create(box.lookupHash(`32730101019000${String(c).padStart(2, '0')}`), 'id', []);
    await orm.close();

    const kafka = new Kafka({ brokers: services.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: Object.values(TOPICS).map((topic) => ({ topic: `${namespace}${topic}`, numPartitions: 2 })) });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    for (let start = 0; start < EVENTS; start += 500) {
      await producer.send({
        topic: `${namespace}${TOPICS.events}`,
        messages: Array.from({ length: 500 }, (_, i) => {
          const n = start + i;
          const subject = `32730101019000${String(n % 10).padStart(2, '0')}`;
          const value = JSON.stringify({ specversion: '1.0', id: `e-${n}`, source: SOURCE, type: TYPE, subject, data: { n } });
          return { key: subject, value, headers: signKafkaRecord(credential.id, credential.secret, { value, headers: { 'content-type': 'application/cloudevents+json' } }) };
        }),
      });
    }
    await producer.disconnect();
    env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: services.kafkaBrokers,
      KAFKA_NAMESPACE: namespace,
      KAFKA_PARTITIONS: '2',
      KABAR_SECRET_KEY: masterKey.toString('base64'),
      KABAR_SECRET_KEY_ID: 'k1',
    };
  });

  afterAll(async () => {
    await database.drop();
  });

  it('loses nothing and delivers nothing twice after kill -9 mid-backlog', async () => {
    const first = startHubProcess(env);
    await first.listening;
    // Kill as soon as delivery has started, while most of the backlog is still in flight.
    const atKill = await eventually(async () => {
      const delivered = await count('select count(*) as n from inbox_item');
      return delivered > 0 ? delivered : undefined;
    }, 60_000, 20);
    await first.kill9();
    expect(atKill).toBeLessThan(EVENTS);

    const second = startHubProcess(env);
    await second.listening;
    await eventually(async () => ((await count('select count(*) as n from inbox_item')) === EVENTS ? true : undefined), 120_000, 250);
    // Quiet period (whatever is still queued would show up now as extra rows or states).
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await second.stop()).toBe(0);

    expect(await count('select count(*) as n from event')).toBe(EVENTS);
    expect(await count('select count(distinct ce_id) as n from event')).toBe(EVENTS);
    expect(await count('select count(*) as n from notification')).toBe(EVENTS);
    expect(await count("select count(*) as n from notification where state = 'delivered'")).toBe(EVENTS);
    expect(await count('select count(*) as n from inbox_item')).toBe(EVENTS);
    expect(await count('select count(*) as n from outbox')).toBe(0);
    // Every notification was attempted at least once; a crash between attempt and outcome shows as a second attempt.
    expect(await count('select count(distinct notification_id) as n from delivery_attempt')).toBe(EVENTS);
  }, 300_000);
});
