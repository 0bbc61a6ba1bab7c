import { randomUUID } from 'node:crypto';

import type { EntityManager } from '@mikro-orm/core';

import { query } from './query.js';

/** One version of an agency's survey, its definition as saved (checked by libs/core before it gets here). */
export interface SurveyRow {
  readonly id: string;
  readonly code: string;
  readonly version: number;
  readonly definition: Record<string, unknown>;
  readonly createdAt: Date;
}

interface Row {
  id: string;
  code: string;
  version: number | string;
  definition: Record<string, unknown> | string;
  created_at: Date | string;
}

const toRow = (r: Row): SurveyRow => ({
  id: r.id,
  code: r.code,
  version: Number(r.version),
  definition: typeof r.definition === 'string' ? (JSON.parse(r.definition) as Record<string, unknown>) : r.definition,
  createdAt: new Date(r.created_at),
});

/** Agencies' surveys, versioned: a save adds the next version, and no version is ever changed. */
export class SurveyRepository {
  constructor(private readonly em: EntityManager) {}

  async save(agencyId: string, code: string, definition: Record<string, unknown>): Promise<SurveyRow> {
    return this.em.fork().transactional(async (tx) => {
      // Serialise one agency's saves so two editors cannot both claim version n+1 (saves are rare; ingest never
      // locks agency rows).
      await query(tx, 'select "id" from "agency" where "id" = ? for update', [agencyId]);
      const [row] = await query<Row>(
        tx,
        `insert into "survey" ("id", "agency_id", "code", "version", "definition", "created_at")
         select ?, ?, ?, coalesce(max("version"), 0) + 1, ?::jsonb, now() from "survey" where "agency_id" = ? and "code" = ?
         returning "id", "code", "version", "definition", "created_at"`,
        [randomUUID(), agencyId, code, JSON.stringify(definition), agencyId, code],
      );
      if (row === undefined) throw new Error('the survey insert returned no row');
      return toRow(row);
    });
  }

  /** The latest version of each of the agency's surveys, by code. */
  async latest(agencyId: string): Promise<SurveyRow[]> {
    const rows = await query<Row>(
      this.em.fork(),
      `select distinct on ("code") "id", "code", "version", "definition", "created_at" from "survey" where "agency_id" = ? order by "code", "version" desc`,
      [agencyId],
    );
    return rows.map(toRow);
  }
}
