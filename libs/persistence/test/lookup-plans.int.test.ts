import { SILENT_LOGGER } from '@kabar/core';
import { migrate, openDatabase } from '@kabar/persistence';
import { createTestDatabase, queryDatabase, type TestDatabase } from '@kabar/testing';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const CITIZEN = '0193a5c2-7d4e-7b7a-9f3e-0123456789ab';
const OTHER = '0193a5c2-7d4e-7b7a-9f3e-0123456789ac';

/**
 * Lookups by citizen on tables that grow with the country: each must have an index to use. With sequential scans
 * switched off for the session, PostgreSQL still plans one where no index can serve the statement, so a test on an
 * empty database sees what a national one would do. (Before migration CitizenIndexes all three read whole tables.)
 */
const LOOKUPS: readonly { readonly what: string; readonly table: string; readonly sql: string }[] = [
  {
    what: "the policy reading a batch's citizens' contact points (libs/persistence policy.repository)",
    table: 'contact_point',
    sql: `select "id", "citizen_id", "channel" from "contact_point" where "citizen_id" = any('{${CITIZEN},${OTHER}}'::uuid[]) and "invalid_at" is null order by "citizen_id", "position", "created_at"`,
  },
  {
    what: "a citizen's own contact points in the preference centre",
    table: 'contact_point',
    sql: `select "id" from "contact_point" where "citizen_id" = '${CITIZEN}' order by "position", "created_at"`,
  },
  {
    what: "a citizen's history, with what went to their guardian on their behalf",
    table: 'notification',
    sql: `select n."id" from "notification" n where (n."citizen_id" = '${CITIZEN}' or n."on_behalf_of" = '${CITIZEN}') order by n."created_at" desc, n."id" limit 20`,
  },
  {
    what: "a citizen's own complaints, newest first",
    table: 'complaint',
    sql: `select c."id" from "complaint" c where c."citizen_id" = '${CITIZEN}' order by c."opened_at" desc, c."number" desc limit 20`,
  },
];

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

function scansOf(node: PlanNode): string[] {
  const own = node['Node Type'] === 'Seq Scan' && node['Relation Name'] !== undefined ? [node['Relation Name']] : [];
  return [...own, ...(node.Plans ?? []).flatMap(scansOf)];
}

describe('lookups by citizen on PostgreSQL', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let noSeqScan: string;

  beforeAll(async () => {
    database = await createTestDatabase(inject('services').databaseUrl);
    orm = await openDatabase({ kind: 'postgres', url: database.url }, 10_000, SILENT_LOGGER);
    await migrate(orm);
    const url = new URL(database.url);
    url.searchParams.set('options', '-c enable_seqscan=off');
    noSeqScan = url.toString();
  });

  afterAll(async () => {
    await orm.close();
    await database.drop();
  });

  it.each(LOOKUPS)('has an index for $what', async ({ table, sql }) => {
    const [row] = await queryDatabase<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(noSeqScan, `explain (format json) ${sql}`);
    const plan = row?.['QUERY PLAN'][0].Plan;
    expect(plan).toBeDefined();
    expect(scansOf(plan ?? { 'Node Type': 'none' })).not.toContain(table);
  });

  it('sees a whole-table read where there is no index (the check itself works)', async () => {
    const [row] = await queryDatabase<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(noSeqScan, `explain (format json) select "id" from "notification" where "rendered_body" = 'x'`);
    expect(scansOf(row?.['QUERY PLAN'][0].Plan ?? { 'Node Type': 'none' })).toContain('notification');
  });
});
