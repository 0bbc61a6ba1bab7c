import { randomUUID } from 'node:crypto';

import { SILENT_LOGGER } from '@kabar/core';
import { AgencyRepository, CatalogRepository, DISPATCH_CLAIM_LEASE_MS, DispatchRepository, EventRepository, migrate, type NewNotification, openDatabase } from '@kabar/persistence';
import { createTestDatabase, queryDatabase, type TestDatabase } from '@kabar/testing';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const TYPE = 'id.go.test.dispatch.v1';

// Dispatch reads without writing, claims only what it is told to, and records each outcome's attempt number.
describe('dispatch repository on PostgreSQL', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let repository: DispatchRepository;
  let agencyId: string;

  const stateOf = async (id: string): Promise<{ state: string; attempts: number }> => {
    const [row] = await queryDatabase<{ state: string; attempts: number }>(database.url, 'select "state", "attempts" from "notification" where "id" = $1', [id]);
    if (row === undefined) throw new Error(`no notification ${id}`);
    return row;
  };

  /** One stored event with one accepted inbox notification; returns the notification's id. */
  const accepted = async (): Promise<string> => {
    const eventId = randomUUID();
    const notification: NewNotification = {
      id: randomUUID(), eventId, agencyId, citizenId: null, contactPointId: null, channel: 'inbox', locale: 'id', templateVersion: 1, state: 'accepted',
      reason: null, renderedSubject: null, renderedBody: 'Halo', renderedHtml: null, recipientRole: 'subject', onBehalfOf: null, messageClass: 'reminder',
      decisions: [], dedupKeyHash: null, dueAt: null, mergedInto: null, fallback: [], fallbackAfterSeconds: null,
    };
    await new EventRepository(orm.em).ingest({
      events: [{ id: eventId, agencyId, source: '/test', ceId: eventId, type: TYPE, subjectHash: null, time: null, expiresAt: null, data: {}, receivedVia: 'graphql', status: 'accepted' }],
      notificationsFor: () => ({ notifications: [notification], outbox: [], jobs: [] }),
    });
    return notification.id;
  };

  const sent = (id: string, attemptNo: number) => ({ notificationId: id, plugin: 'sms-smpp', attemptNo, status: 'sent' as const, providerMessageId: `m-${id}`, errorCode: null, latencyMs: 3, state: 'sent', reason: null });

  beforeAll(async () => {
    database = await createTestDatabase(inject('services').databaseUrl);
    orm = await openDatabase({ kind: 'postgres', url: database.url }, 10_000, SILENT_LOGGER);
    await migrate(orm);
    const agency = await new AgencyRepository(orm.em).create({ code: 'test', name: 'Test', defaultLocale: 'id', senderIds: { sms: 'TEST' }, sources: ['/test'], ratePerMinute: 60, dailyQuota: 100, callbackUrl: null, callbackSecretSealed: null }, () => null);
    agencyId = agency?.id ?? '';
    await new CatalogRepository(orm.em).upsertEventType(agencyId, { type: TYPE, description: null, messageClass: 'reminder', dataSchema: {}, allowedChannels: ['inbox'], defaultExpirySeconds: 3600, requiredLocales: ['id'] }, () => null);
    repository = new DispatchRepository(orm.em);
  });

  afterAll(async () => {
    await orm.close();
    await database.drop();
  });

  it('loads what a plugin needs without writing, numbering the next attempt', async () => {
    const id = await accepted();
    const [row] = await repository.load([id, id]);
    expect(row).toMatchObject({ notificationId: id, agencyCode: 'test', senderIds: { sms: 'TEST' }, channel: 'inbox', body: 'Halo', messageClass: 'reminder', attemptNo: 1 });
    expect(await stateOf(id)).toEqual({ state: 'accepted', attempts: 0 });
  });

  it('claims before a call, and a claim left by a crash is re-sent under the next attempt number once it has run out', async () => {
    const id = await accepted();
    expect(await repository.claim([id])).toEqual(new Map([[id, 1]]));
    expect(await stateOf(id)).toEqual({ state: 'dispatching', attempts: 1 });
    // Redelivered while the claim holds (a rebalance, or a restart right after a crash): not claimed again; a retry
    // comes due a second after the claim runs out.
    expect(await repository.claim([id])).toEqual(new Map());
    const [job] = await queryDatabase<{ due_at: Date; claimed_at: Date }>(
      database.url,
      `select j."due_at", n."updated_at" as claimed_at from "scheduled_job" j join "notification" n on n."id"::text = j."ref" where j."kind" = 'retry' and j."ref" = $1`,
      [id],
    );
    // Both to the millisecond, as the job's time is written.
    expect(job === undefined ? undefined : job.due_at.getTime() - job.claimed_at.getTime()).toBe(DISPATCH_CLAIM_LEASE_MS + 1_000);
    // The hub died before the outcome and the claim has run out: the redelivered batch loads and claims it again.
    await queryDatabase(database.url, `update "notification" set "updated_at" = now() - interval '6 minutes' where "id" = $1`, [id]);
    expect((await repository.load([id]))[0]?.attemptNo).toBe(2);
    expect(await repository.claim([id])).toEqual(new Map([[id, 2]]));
    await repository.finish([sent(id, 2)], []);
    expect(await stateOf(id)).toEqual({ state: 'sent', attempts: 2 });
    // Finished: neither loaded nor claimed again.
    expect(await repository.load([id])).toEqual([]);
    expect(await repository.claim([id])).toEqual(new Map());
  });

  it('records an unclaimed send with its attempt number, and a rate-limit hold spends none', async () => {
    const [sentId, heldId] = [await accepted(), await accepted()];
    await repository.finish(
      [sent(sentId, 1), { ...sent(heldId, 1), status: 'failed', providerMessageId: null, errorCode: 'THROTTLED', state: 'retrying', reason: 'THROTTLED', held: true }],
      [],
    );
    expect(await stateOf(sentId)).toEqual({ state: 'sent', attempts: 1 });
    expect(await stateOf(heldId)).toEqual({ state: 'retrying', attempts: 0 });
    const attempts = await queryDatabase<{ notification_id: string; attempt_no: number }>(database.url, 'select "notification_id", "attempt_no" from "delivery_attempt" where "notification_id" = any($1::uuid[])', [[sentId, heldId]]);
    expect(attempts).toEqual([{ notification_id: sentId, attempt_no: 1 }]);
  });

  it('finds the notification a provider message id was sent for, by plugin, for a reply to it', async () => {
    const id = await accepted();
    await repository.finish([sent(id, 1)], []);
    const [row] = await queryDatabase<{ event_id: string }>(database.url, 'select "event_id" from "notification" where "id" = $1', [id]);
    expect(await repository.sentAs('sms-smpp', `m-${id}`)).toEqual({ notificationId: id, eventId: row?.event_id, agencyCode: 'test', source: '/test', ceId: row?.event_id });
    expect(await repository.sentAs('chat-whatsapp', `m-${id}`)).toBeNull();
    expect(await repository.sentAs('sms-smpp', 'm-unknown')).toBeNull();
  });
});
