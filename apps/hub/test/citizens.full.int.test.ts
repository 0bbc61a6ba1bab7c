import 'reflect-metadata';

import { AgencyService } from '@kabar/hub';
import { eventually, queryDatabase, type TestDatabase } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { type AgencyFixture, anAgency, typeOf } from './support/agency-fixture.js';
import { aCitizenRow, aNotification, type Call, caller, IMPORT, importCitizens, type ImportResult, signInByEmail, SmtpInbox } from './support/citizen-fixture.js';
import { type FullHub, startFullHub } from './support/full-hub.js';

const HISTORY = '{ myNotifications { agencyName eventType channel state decisionTrail body forDelegate } }';
const INBOX = 'query($limit: Int, $after: String) { myInbox(limit: $limit, after: $after) { unread next messages { notificationId agencyName eventType subject body locale receivedAt readAt } } }';

interface InboxPage {
  readonly unread: number;
  readonly next: string | null;
  readonly messages: readonly { notificationId: string; agencyName: string; eventType: string; subject: string | null; body: string; locale: string; readAt: string | null }[];
}
const codeOf = (res: { errors?: readonly { extensions?: { code?: string } }[] }): string | undefined => res.errors?.[0]?.extensions?.code;

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
    admin = caller(url, await app.get(AgencyService).createAdmin('citizen test admin', { kind: 'system', id: 'test' }));
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

  it('shows each citizen their own inbox, newest first in pages, and marks only their own messages read', async () => {
    // E-mail only: the event type allows SMS and the inbox, so the inbox it is.
    const rina = aCitizenRow().inEnglish().build();
    const budi = aCitizenRow().build();
    await importCitizens(admin, [rina, budi]);
    const asRina = caller(url, await signInByEmail(url, inbox, rina.email ?? ''));
    const asBudi = caller(url, await signInByEmail(url, inbox, budi.email ?? ''));
    const event = (id: string, subject: string, amount: number): Record<string, unknown> => ({
      specversion: '1.0', id, source: agency.source, type: typeOf(agency.code), subject, data: { amount, dueDate: '2026-12-31' },
    });
    const published = await caller(url, agency.key)<{ publishEvents: { status: string }[] }>('mutation($e: [CloudEventInput!]!) { publishEvents(events: $e) { status } }', {
      e: [event('inbox-1', rina.nationalId, 100), event('inbox-2', rina.nationalId, 200), event('inbox-3', rina.nationalId, 300), event('inbox-4', budi.nationalId, 400)],
    });
    expect(published.errors).toBeUndefined();

    const rinas = await eventually(async () => {
      const page = (await asRina<{ myInbox: InboxPage }>(INBOX, { limit: 50 })).data?.myInbox;
      return page?.messages.length === 3 ? page : undefined;
    });
    expect(rinas.unread).toBe(3);
    expect(rinas.next).toBeNull();
    expect(rinas.messages.map((m) => m.body).sort()).toEqual(['Your tax of IDR 100 is due on 31 December 2026.', 'Your tax of IDR 200 is due on 31 December 2026.', 'Your tax of IDR 300 is due on 31 December 2026.']);
    expect(rinas.messages[0]).toMatchObject({ agencyName: `Agency ${agency.code}`, eventType: typeOf(agency.code), subject: 'Tax due', locale: 'en', readAt: null });
    const budis = await eventually(async () => {
      const page = (await asBudi<{ myInbox: InboxPage }>(INBOX, {})).data?.myInbox;
      return page?.messages.length === 1 ? page : undefined;
    });
    expect(budis.messages[0]).toMatchObject({ body: 'Pajak Anda Rp400 jatuh tempo 31 Desember 2026.', locale: 'id' });

    // Pages of two: the same three, in the same order, none twice.
    const first = (await asRina<{ myInbox: InboxPage }>(INBOX, { limit: 2 })).data?.myInbox;
    expect(first?.messages).toHaveLength(2);
    const second = (await asRina<{ myInbox: InboxPage }>(INBOX, { limit: 2, after: first?.next })).data?.myInbox;
    expect(second?.next).toBeNull();
    expect([...(first?.messages ?? []), ...(second?.messages ?? [])].map((m) => m.notificationId)).toEqual(rinas.messages.map((m) => m.notificationId));

    // Budi's id in Rina's call marks nothing of Budi's.
    const [newest, ...older] = rinas.messages.map((m) => m.notificationId);
    const budiId = budis.messages[0]?.notificationId ?? '';
    const marked = await asRina<{ markInboxRead: number }>('mutation($ids: [ID!]!) { markInboxRead(notificationIds: $ids) }', { ids: [newest, budiId] });
    expect(marked.data?.markInboxRead).toBe(1);
    expect((await asBudi<{ myInbox: InboxPage }>(INBOX, {})).data?.myInbox).toMatchObject({ unread: 1, messages: [{ readAt: null }] });
    const after = (await asRina<{ myInbox: InboxPage }>(INBOX, {})).data?.myInbox;
    expect(after?.unread).toBe(2);
    expect(after?.messages.filter((m) => m.readAt !== null).map((m) => m.notificationId)).toEqual([newest]);
    expect((await asRina<{ markAllInboxRead: number }>('mutation { markAllInboxRead }')).data?.markAllInboxRead).toBe(older.length);
    expect((await asRina<{ markAllInboxRead: number }>('mutation { markAllInboxRead }')).data?.markAllInboxRead).toBe(0);
    expect((await asRina<{ myInbox: InboxPage }>(INBOX, {})).data?.myInbox.unread).toBe(0);

    const exported = (await asRina<{ exportMyData: { inbox: { notificationId: string; readAt: string | null }[] } }>('{ exportMyData }')).data?.exportMyData;
    expect(exported?.inbox.map((m) => m.notificationId)).toEqual(rinas.messages.map((m) => m.notificationId));
    expect(exported?.inbox.every((m) => m.readAt !== null)).toBe(true);

    // Bad input is the citizen's to fix; no token or an agency's key gets nothing.
    expect(codeOf(await asRina(INBOX, { limit: 0 }))).toBe('CITIZEN_INVALID_INPUT');
    expect(codeOf(await asRina(INBOX, { limit: 201 }))).toBe('CITIZEN_INVALID_INPUT');
    expect(codeOf(await asRina(INBOX, { after: 'not-a-cursor' }))).toBe('CITIZEN_INVALID_INPUT');
    expect(codeOf(await asRina('mutation($ids: [ID!]!) { markInboxRead(notificationIds: $ids) }', { ids: ['1; drop table inbox_item'] }))).toBe('CITIZEN_INVALID_INPUT');
    expect(codeOf(await asRina('mutation($ids: [ID!]!) { markInboxRead(notificationIds: $ids) }', { ids: [] }))).toBe('CITIZEN_INVALID_INPUT');
    expect(codeOf(await caller(url, null)(INBOX, {}))).toBe('UNAUTHENTICATED');
    expect(codeOf(await caller(url, agency.key)(INBOX, {}))).toBe('FORBIDDEN');
  });
});
