import 'reflect-metadata';

import { AgencyService, createHub } from '@kabar/hub';
import { aConfig, eventually } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type AgencyFixture, anAgency, as, typeOf } from './support/agency-fixture.js';
import { aCitizenRow, caller, importCitizens } from './support/citizen-fixture.js';

const PUBLISH = 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }';
const EVENT = 'query($s: String!, $i: String!) { event(source: $s, id: $i) { status notifications { channel state } } }';

interface EventView {
  status: string;
  notifications: { channel: string | null; state: string }[];
}

// A broadcast on the embedded default (one PGlite connection): pages of two, each next page read and planned while
// the one before it is written, must neither wait on each other for ever nor reach anyone twice.
describe('broadcast (embedded)', () => {
  let app: INestApplication;
  let url: string;
  let agency: AgencyFixture;

  beforeAll(async () => {
    app = await createHub(aConfig().withPolicy({ broadcastPage: 2 }).build(), pino({ level: 'silent' }));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    agency = await anAgency(app, url, 'pdam-bdg');
    const admin = caller(url, await app.get(AgencyService).createAdmin('broadcast test admin', { kind: 'system', id: 'test' }));
    const inside = ['32.73.01.1001', '32.73.02.1002', '32.73.03.1003', '32.73.04.1004', '32.73.05.1005'];
    const outside = ['32.04.01.1001', '31.71.01.1001'];
    const imported = await importCitizens(admin, [...inside, ...outside].map((regionCode) => aCitizenRow().with({ regionCode }).build()));
    if (imported.created !== 7) throw new Error(`imported ${String(imported.created)} of 7 citizens`);
  }, 60_000);

  afterAll(async () => {
    await app.close();
  });

  it('reaches every citizen of the region once, over several pages, and then marks the event broadcast', async () => {
    const published = await as<{ publishEvent: { status: string } }>(url, agency.key, PUBLISH, {
      e: { specversion: '1.0', id: 'outage-1', source: agency.source, type: typeOf(agency.code), subject: 'region:32.73', data: { amount: 0, dueDate: '2026-12-31' } },
    });
    expect(published.data?.publishEvent.status).toBe('broadcasting');
    const event = await eventually(async () => {
      const res = await as<{ event: EventView }>(url, agency.key, EVENT, { s: agency.source, i: 'outage-1' });
      return res.data?.event.status === 'broadcast' ? res.data.event : undefined;
    });
    expect(event.notifications).toHaveLength(5);
    await eventually(async () => {
      const res = await as<{ event: EventView }>(url, agency.key, EVENT, { s: agency.source, i: 'outage-1' });
      return res.data?.event.notifications.every((n) => n.state === 'delivered') === true ? true : undefined;
    });
  });
});
