import 'reflect-metadata';

import { AgencyService } from '@kabar/hub';
import { eventually, queryDatabase, type TestDatabase } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { type AgencyFixture, anAgency, typeOf } from './support/agency-fixture.js';
import { aCitizenRow, aNotification, type Call, caller, IMPORT, type ImportResult, signInByEmail, SmtpInbox } from './support/citizen-fixture.js';
import { type FullHub, startFullHub } from './support/full-hub.js';

const HISTORY = '{ myNotifications { agencyName eventType channel state decisionTrail body forDelegate } }';

// Import, sign-in and history on real PostgreSQL and Kafka: what is sealed and hashed is checked in the rows
// themselves, and a notification comes through the whole pipeline.
describe('citizens on PostgreSQL and Kafka', () => {
  const services = inject('services');
  let hub: FullHub;
  let database: TestDatabase;
  let inbox: SmtpInbox;
  let app: INestApplication;
  let url: string;
  let admin: Call;
  let agency: AgencyFixture;

  beforeAll(async () => {
    inbox = await SmtpInbox.start();
    hub = await startFullHub(services, (config) => config.with({ plugins: inbox.pluginConfig }));
    ({ app, url, database } = hub);
    admin = caller(url, await app.get(AgencyService).createAdmin('citizen test admin'));
    agency = await anAgency(app, url, 'bapenda-bdg', { ratePerMinute: 1000 });
  });

  afterAll(async () => {
    await hub.close();
    await inbox.close();
  });

  it('imports citizens with nothing personal in clear, signs one in by an e-mailed code, and shows their history', async () => {
    const row = aCitizenRow().withPhone('0812-3456-7890').withEmail('rina@example.com').build();
    const dry = await admin<{ importCitizens: ImportResult }>(IMPORT, { rows: [row], dryRun: true });
    expect(dry.data?.importCitizens).toEqual({ created: 1, updated: 0, errors: [] });
    const real = await admin<{ importCitizens: ImportResult }>(IMPORT, { rows: [row], dryRun: false });
    expect(real.data?.importCitizens).toEqual({ created: 1, updated: 0, errors: [] });

    const stored = await queryDatabase<Record<string, unknown>>(database.url, 'select c.*, cp.value_sealed, cp.channel from citizen c join contact_point cp on cp.citizen_id = c.id');
    const text = JSON.stringify(stored);
    for (const secret of [row.nationalId, row.name, '+6281234567890', 'rina@example.com']) expect(text, `${secret} is stored sealed`).not.toContain(secret);
    expect(stored.map((r) => r.channel)).toEqual(['sms', 'email']);

    const token = await signInByEmail(url, inbox, 'rina@example.com');
    const session = await queryDatabase<{ token_hash: string }>(database.url, 'select token_hash from citizen_session');
    expect(session).toHaveLength(1);
    expect(session[0]?.token_hash).not.toContain(token.slice(4));
    const call = caller(url, token);
    const me = await call<{ me: { id: string; nationalId: string } }>('{ me { id nationalId } }');
    expect(me.data?.me.nationalId).toBe(`************${row.nationalId.slice(-4)}`);

    const published = await caller(url, agency.key)<{ publishEvent: { status: string } }>('mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', {
      e: { specversion: '1.0', id: 'cit-1', source: agency.source, type: typeOf(agency.code), subject: row.nationalId, data: { amount: 500000, dueDate: '2026-12-31' } },
    });
    expect(published.errors).toBeUndefined();
    const [item] = await eventually(async () => {
      const items = (await call<{ myNotifications: { agencyName: string; eventType: string; decisionTrail: string[] }[] }>(HISTORY)).data?.myNotifications ?? [];
      return items.length > 0 ? items : undefined;
    });
    expect(item).toMatchObject({ agencyName: `Agency ${agency.code}`, eventType: typeOf(agency.code), forDelegate: false });

    await aNotification(app, {
      citizenId: me.data?.me.id ?? '',
      agencyCode: agency.code,
      state: 'deferred',
      decisions: [{ step: 'digest', code: 'DIGEST_DEFERRED', params: { at: '2026-12-01T12:00:00.000Z' } }],
    });
    const items = (await call<{ myNotifications: { state: string; decisionTrail: string[] }[] }>(HISTORY)).data?.myNotifications ?? [];
    expect(items[0]).toMatchObject({ state: 'deferred', decisionTrail: ['Dikumpulkan ke ringkasan harian Anda pukul 19:00 WIB'] });
  });
});
