import { SILENT_LOGGER } from '@kabar/core';
import { migrate, openDatabase, PolicyRepository } from '@kabar/persistence';
import { createTestDatabase, queryDatabase, type TestDatabase } from '@kabar/testing';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const id = (n: number): string => `0193a5c2-7d4e-7b7a-9f3e-${String(n).padStart(12, '0')}`;
const MINOR = id(1);
const GUARDIAN = id(2);
const FORMER_GUARDIAN = id(3);
const ADULT = id(4);
const NEIGHBOUR = id(5);
const CP = (n: number): string => id(100 + n);

// The policy's read of an ingest batch's recipients, one statement where there were five: the same facts, in the
// same order, for subjects, their active delegates and a broadcast page.
describe('PolicyRepository.recipients on PostgreSQL', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let repository: PolicyRepository;

  beforeAll(async () => {
    database = await createTestDatabase(inject('services').databaseUrl);
    orm = await openDatabase({ kind: 'postgres', url: database.url }, 10_000, SILENT_LOGGER);
    await migrate(orm);
    repository = new PolicyRepository(orm.em);
    const sql = (text: string): Promise<unknown> => queryDatabase(database.url, text);
    await sql(`insert into "citizen" ("id", "subject_hash", "locale", "created_at", "timezone", "quiet_start", "quiet_end") values
      ('${MINOR}', 'h-minor', 'id', now(), 'WITA', 1320, 360), ('${GUARDIAN}', 'h-guardian', 'en', now(), 'WIB', null, null),
      ('${FORMER_GUARDIAN}', 'h-former', 'id', now(), 'WIB', null, null), ('${ADULT}', 'h-adult', 'id', now(), 'WIT', null, null),
      ('${NEIGHBOUR}', 'h-neighbour', 'id', now(), 'WIB', null, null)`);
    // Positions out of insertion order, one point invalidated, one not yet verified.
    await sql(`insert into "contact_point" ("id", "citizen_id", "channel", "value_sealed", "lookup_hash", "verified_at", "position", "created_at", "invalid_at") values
      ('${CP(1)}', '${MINOR}', 'sms', 's', 'l1', now(), 2, now(), null),
      ('${CP(2)}', '${MINOR}', 'email', 's', 'l2', now(), 1, now(), null),
      ('${CP(3)}', '${MINOR}', 'push', 's', 'l3', now(), 0, now(), now()),
      ('${CP(4)}', '${MINOR}', 'whatsapp', 's', 'l4', null, 3, now(), null),
      ('${CP(5)}', '${GUARDIAN}', 'sms', 's', 'l5', now(), 0, now(), null)`);
    await sql(`insert into "consent_record" ("citizen_id", "purpose", "basis", "notice_version", "action", "evidence", "recorded_at") values
      ('${MINOR}', 'service-notices', 'consent', 'v1', 'granted', '{}', '2026-12-01T08:00:00.123456Z'),
      ('${MINOR}', 'service-notices', 'consent', 'v2', 'withdrawn', '{}', '2026-12-02T08:00:00Z')`);
    await sql(`insert into "delegate" ("id", "citizen_id", "delegate_id", "relation", "created_at", "ended_at") values
      ('${id(200)}', '${MINOR}', '${FORMER_GUARDIAN}', 'parent', '2026-01-01', '2026-06-01'),
      ('${id(201)}', '${MINOR}', '${GUARDIAN}', 'parent', '2026-06-02', null)`);
  });

  afterAll(async () => {
    await orm.close();
    await database.drop();
  });

  it("reads subjects with their usable contact points in order, consents in order and active delegates, and the delegates' own facts", async () => {
    const { subjectIds, delegates, citizens } = await repository.recipients(['h-minor', 'h-adult', 'h-nobody']);
    expect(subjectIds).toEqual(new Map([['h-minor', MINOR], ['h-adult', ADULT]]));
    expect(delegates).toEqual(new Map([[MINOR, [GUARDIAN]]]));
    expect([...citizens.keys()].sort()).toEqual([MINOR, GUARDIAN, ADULT].sort());
    const minor = citizens.get(MINOR);
    expect(minor).toMatchObject({ subjectHash: 'h-minor', locale: 'id', timezone: 'WITA', quietStart: 1320, quietEnd: 360, digest: false });
    expect(minor?.contacts).toEqual([
      { id: CP(2), channel: 'email', verified: true },
      { id: CP(1), channel: 'sms', verified: true },
      { id: CP(4), channel: 'whatsapp', verified: false },
    ]);
    expect(minor?.consents).toEqual([
      { purpose: 'service-notices', action: 'granted', at: new Date('2026-12-01T08:00:00.123Z'), noticeVersion: 'v1' },
      { purpose: 'service-notices', action: 'withdrawn', at: new Date('2026-12-02T08:00:00Z'), noticeVersion: 'v2' },
    ]);
    expect(citizens.get(GUARDIAN)?.contacts).toEqual([{ id: CP(5), channel: 'sms', verified: true }]);
    expect(citizens.get(ADULT)).toMatchObject({ contacts: [], consents: [] });
  });

  it('reads a broadcast page by id, with no subjects and no delegates', async () => {
    const { subjectIds, delegates, citizens } = await repository.recipients([], [MINOR, NEIGHBOUR]);
    expect(subjectIds.size).toBe(0);
    expect(delegates.size).toBe(0);
    expect([...citizens.keys()].sort()).toEqual([MINOR, NEIGHBOUR].sort());
    // With subjects too: the page's citizens come without their delegates, the subjects' as always.
    const mixed = await repository.recipients(['h-adult'], [MINOR]);
    expect(mixed.subjectIds).toEqual(new Map([['h-adult', ADULT]]));
    expect(mixed.delegates.size).toBe(0);
    expect([...mixed.citizens.keys()].sort()).toEqual([MINOR, ADULT].sort());
  });

  it('reads a delegate once when it is a subject of the same batch too, and nothing for an empty batch', async () => {
    const { subjectIds, citizens } = await repository.recipients(['h-minor', 'h-guardian']);
    expect(subjectIds.get('h-guardian')).toBe(GUARDIAN);
    expect(citizens.size).toBe(2);
    expect((await repository.recipients([])).citizens.size).toBe(0);
  });
});
