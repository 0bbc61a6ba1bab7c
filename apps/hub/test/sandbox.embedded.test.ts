import 'reflect-metadata';

import { createHub } from '@kabar/hub';
import { aConfig, eventually } from '@kabar/testing';
import { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import type { INestApplication } from '@nestjs/common';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { aCitizen, type AgencyFixture, anAgency, as, typeOf } from './support/agency-fixture.js';

const REAL_CITIZEN = '3273010101900042';

/**
 * Test mode: events published with a `test` key go to the sandbox, where the magic address in `subject` forces the
 * outcome, and nothing reaches a provider or a real citizen.
 */
describe('sandbox for test keys (embedded)', () => {
  let app: INestApplication;
  let url: string;
  let agency: AgencyFixture & { admin: string };
  let testKey: string;

  const publish = async (key: string, id: string, subject: string, extensions?: Record<string, unknown>) => {
    const res = await as<{ publishEvent: { status: string } }>(url, key, 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', {
      e: { specversion: '1.0', id, source: agency.source, type: typeOf(agency.code), subject, data: { amount: 1000, dueDate: '2026-12-31' }, extensions },
    });
    return res;
  };
  const notification = async (id: string) => {
    const res = await as<{ event: { status: string; notifications: { channel: string | null; state: string; reason: string | null }[] } | null }>(
      url,
      agency.key,
      'query($s: String!, $i: String!) { event(source: $s, id: $i) { status notifications { channel state reason } } }',
      { s: agency.source, i: id },
    );
    return res.data?.event?.notifications[0];
  };
  const settled = (id: string, state: string) => eventually(async () => ((await notification(id))?.state === state ? notification(id) : undefined));

  beforeAll(async () => {
    app = await createHub(aConfig().build(), pino({ level: 'silent' }));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    agency = await anAgency(app, url, 'bapenda-bdg');
    const issued = await as<{ issueApiKey: { secret: string } }>(url, agency.admin, 'mutation { issueApiKey(agencyCode: "bapenda-bdg", kind: test, name: "integration tests") { secret } }');
    testKey = issued.data?.issueApiKey.secret ?? '';
    await aCitizen(app, REAL_CITIZEN, 'id', [{ channel: 'sms', value: '+6281234500042' }]);
  });

  afterAll(async () => {
    await app.close();
  });

  it.each([
    ['+6280000000001', 'delivered', null],
    ['+6281111111111', 'sent', null],
  ])('sends %s to the sandbox: %s', async (address, state, reason) => {
    const id = `sandbox-${address}`;
    expect((await publish(testKey, id, address)).data?.publishEvent.status).toBe('accepted');
    expect(await settled(id, state)).toEqual({ channel: 'sms', state, reason });
  });

  // The fallback job runs inside a transaction: on PGlite's single connection, this once hung the hub (see waiting.scheduler).
  it('fails the permanent-failure address, then moves on to the inbox at once, as for a citizen', async () => {
    expect((await publish(testKey, 'sandbox-permanent', '+6280000000003')).data?.publishEvent.status).toBe('accepted');
    const attempts = await eventually(async () => {
      const rows = await (app.get(EntityManager).fork() as SqlEntityManager).execute<{ status: string; error_code: string }[]>(
        "select d.status, d.error_code from delivery_attempt d join notification n on n.id = d.notification_id join event e on e.id = n.event_id where e.ce_id = 'sandbox-permanent' order by d.id",
      );
      return rows.length === 2 ? rows : undefined;
    });
    expect(attempts).toEqual([
      { status: 'failed', error_code: 'REJECTED' },
      { status: 'failed', error_code: 'REJECTED' },
    ]);
    expect(await settled('sandbox-permanent', 'failed')).toEqual({ channel: 'inbox', state: 'failed', reason: 'REJECTED' });
  });

  it('retries the temporary-failure address like a provider outage', async () => {
    expect((await publish(testKey, 'sandbox-temporary', '+6280000000002')).data?.publishEvent.status).toBe('accepted');
    expect(await settled('sandbox-temporary', 'retrying')).toEqual({ channel: 'sms', state: 'retrying', reason: 'PROVIDER_ERROR' });
  });

  it('never resolves a test event to a real citizen, even given their national ID', async () => {
    expect((await publish(testKey, 'sandbox-real-nik', REAL_CITIZEN)).data?.publishEvent.status).toBe('accepted');
    const n = await settled('sandbox-real-nik', 'sent');
    expect(n).toMatchObject({ channel: 'inbox' });
    const em = app.get(EntityManager).fork() as SqlEntityManager;
    const rows = await em.execute<{ citizen_id: string | null; plugin: string }[]>(
      "select n.citizen_id, d.plugin from notification n join event e on e.id = n.event_id join delivery_attempt d on d.notification_id = n.id where e.ce_id = 'sandbox-real-nik'",
    );
    expect(rows).toEqual([{ citizen_id: null, plugin: 'sandbox' }]);
    expect(await em.execute('select * from inbox_item')).toEqual([]);
  });

  it('puts a live-key event in the sandbox with the kabarsandbox extension (for Kafka producers)', async () => {
    expect((await publish(agency.key, 'sandbox-extension', '+6280000000001', { kabarsandbox: true })).data?.publishEvent.status).toBe('accepted');
    expect(await settled('sandbox-extension', 'delivered')).toMatchObject({ state: 'delivered' });
  });

  it('refuses a broadcast from a test key', async () => {
    const res = await publish(testKey, 'sandbox-broadcast', 'region:32.73');
    expect(res.errors?.[0]?.extensions?.code).toBe('DATA_INVALID');
    expect(res.errors?.[0]?.message).toContain('broadcasts need a live key');
  });
});
