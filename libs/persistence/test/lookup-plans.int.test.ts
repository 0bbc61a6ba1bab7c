import { SILENT_LOGGER } from '@kabar/core';
import { migrate, openDatabase } from '@kabar/persistence';
import { createTestDatabase, queryDatabase, type TestDatabase } from '@kabar/testing';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const CITIZEN = '0193a5c2-7d4e-7b7a-9f3e-0123456789ab';

const AGENCY = '0193a5c2-7d4e-7b7a-9f3e-0123456789ad';
const SURVEY = '0193a5c2-7d4e-7b7a-9f3e-0123456789ae';

/** PolicyRepository.recipients as it reads an ingest batch's citizens by subject (a broadcast page reads them by id). */
const RECIPIENTS = `select c."id",
    (select coalesce(json_agg(json_build_object('id', p."id") order by p."position", p."created_at"), '[]') from "contact_point" p where p."citizen_id" = c."id" and p."invalid_at" is null) as "contacts",
    (select coalesce(json_agg(r."purpose" order by r."id"), '[]') from "consent_record" r where r."citizen_id" = c."id") as "consents",
    (select coalesce(json_agg(d."delegate_id" order by d."created_at"), '[]') from "delegate" d where d."citizen_id" = c."id" and d."ended_at" is null) as "delegates"
  from "citizen" c where c."subject_hash" = any('{a,b}'::text[])`;

/**
 * Statements on tables that grow with the country, each with the index it must be able to use. With sequential scans
 * switched off for the session, PostgreSQL plans the index wherever one can serve the statement, so a test on an
 * empty database sees what a national one would do; without the index it falls back to a whole-table read (before
 * migrations CitizenIndexes, ReportAndPurgeIndexes, PurgeIndex and Housekeeping every one of these did).
 */
const LOOKUPS: readonly { readonly what: string; readonly index: string; readonly sql: string }[] = [
  ...(
    [
      ['citizens by subject', 'citizen_subject_hash_unique'],
      ['contact points', 'contact_point_citizen_id_position_index'],
      ['consents', 'consent_record_citizen_id_index'],
      ['delegates', 'delegate_citizen_id_delegate_id_unique'],
    ] as const
  ).map(([part, index]) => ({ what: `the policy reading a batch's recipients: ${part}`, index, sql: RECIPIENTS })),
  {
    what: "a citizen's own contact points in the preference centre",
    index: 'contact_point_citizen_id_position_index',
    sql: `select "id" from "contact_point" where "citizen_id" = '${CITIZEN}' order by "position", "created_at"`,
  },
  {
    what: "a citizen's history, with what went to their guardian on their behalf",
    index: 'notification_on_behalf_of_created_at_index',
    sql: `select n."id" from "notification" n where (n."citizen_id" = '${CITIZEN}' or n."on_behalf_of" = '${CITIZEN}') order by n."created_at" desc, n."id" limit 20`,
  },
  {
    what: "a citizen's own complaints, newest first",
    index: 'complaint_citizen_id_opened_at_index',
    sql: `select c."id" from "complaint" c where c."citizen_id" = '${CITIZEN}' order by c."opened_at" desc, c."number" desc limit 20`,
  },
  {
    what: "an agency's open complaints, newest first",
    index: 'complaint_agency_id_state_number_index',
    sql: `select c."id" from "complaint" c where c."agency_id" = '${AGENCY}' and c."state" = 'open' and c."number" < 1000 order by c."number" desc limit 20`,
  },
  {
    what: 'the answer-time report over a period',
    index: 'complaint_opened_at_index',
    sql: `select count(*) from "complaint" c where c."opened_at" >= '2026-11-01' and c."opened_at" < '2026-12-01'`,
  },
  {
    what: 'the hourly retention purge of complaints',
    index: 'complaint_last_activity_at_index',
    sql: `select "id" from "complaint" where "purged_at" is null and "last_activity_at" < '2026-01-01'`,
  },
  {
    what: "a survey's summary over a period",
    index: 'survey_session_survey_id_started_at_index',
    sql: `select "state", count(*) from "survey_session" where "survey_id" = '${SURVEY}' and "started_at" >= '2026-11-01' and "started_at" < '2026-12-01' group by 1`,
  },
  {
    what: 'the hourly purge of survey answers past retention',
    index: 'survey_session_finished_at_index',
    sql: `select "id" from "survey_session" where "finished_at" < '2026-01-01' and "answers" <> '[]'`,
  },
  {
    what: 'the hourly retention purge of notifications of one class',
    index: 'notification_message_class_created_at_index',
    sql: `select "id" from "notification" where "purged_at" is null and "message_class" = 'reminder' and "created_at" < '2026-01-01' and "state" not in ('held', 'deferred', 'accepted', 'dispatching') limit 5000`,
  },
  {
    what: "the hourly retention purge of a survey's and the complaint desk's messages",
    index: 'notification_message_class_created_at_index',
    sql: `select "id" from "notification" where "purged_at" is null and "message_class" is null and "recipient_role" in ('survey', 'complaint') and "created_at" < '2026-01-01' limit 5000`,
  },
  {
    what: 'the hourly purge of expired sessions',
    index: 'citizen_session_expires_at_index',
    sql: `select "token_hash" from "citizen_session" where "expires_at" < '2026-01-01'`,
  },
  {
    what: 'the hourly purge of expired one-time codes',
    index: 'one_time_code_expires_at_index',
    sql: `select "id" from "one_time_code" where "expires_at" < '2026-01-01'`,
  },
  {
    what: 'the hourly purge of finished status callbacks',
    index: 'callback_delivery_created_at_index',
    sql: `select "id" from "callback_delivery" where "next_attempt_at" is null and "created_at" < '2026-01-01'`,
  },
  {
    what: 'a broadcast page of a small region',
    index: 'citizen_region_code_id_index',
    sql: `select "id" from "citizen" where ("region_code" = '32.73.01' or "region_code" like '32.73.01.%') and "id" > '00000000-0000-0000-0000-000000000000'::uuid order by "id" limit 1000`,
  },
];

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

describe('lookups on tables that grow, on PostgreSQL', () => {
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

  const planOf = async (sql: string): Promise<PlanNode[]> => {
    const [row] = await queryDatabase<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(noSeqScan, `explain (format json) ${sql}`);
    return nodesOf(row?.['QUERY PLAN'][0].Plan ?? { 'Node Type': 'none' });
  };

  it.each(LOOKUPS)('has an index for $what', async ({ index, sql }) => {
    const nodes = await planOf(sql);
    expect(nodes.map((n) => n['Index Name']).filter((name) => name !== undefined)).toContain(index);
    expect(nodes.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
  });

  it('sees a whole-table read where there is no index (the check itself works)', async () => {
    const nodes = await planOf(`select "id" from "notification" where "rendered_body" = 'x'`);
    expect(nodes.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name'])).toEqual(['notification']);
  });
});
