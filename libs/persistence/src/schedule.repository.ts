import { storableJson } from '@kabar/core';
import type { EntityManager } from '@mikro-orm/core';

import { insertRows, Json } from './bulk.js';
import { query } from './query.js';

/** Kinds of waiting the hub does as rows. */
export type JobKind = 'release' | 'digest' | 'fallback' | 'broadcast' | 'purge' | 'retry' | 'survey-expiry' | 'receipt';

export interface NewJob {
  readonly kind: JobKind;
  /** Unique per kind: scheduling the same (kind, ref) again keeps the earlier due time. */
  readonly ref: string;
  readonly dueAt: Date;
  readonly payload?: Record<string, unknown>;
}

export interface ClaimedJob {
  readonly id: string;
  readonly kind: JobKind;
  readonly ref: string;
  readonly dueAt: Date;
  readonly payload: Record<string, unknown>;
  readonly attempts: number;
}

/**
 * Due rows claimed by any worker with FOR UPDATE SKIP LOCKED. A claim moves `due_at` forward by the lease, so a
 * worker that dies mid-job leaves the row to come due again; finishing deletes it (or reschedules it).
 */
export class ScheduleRepository {
  constructor(private readonly em: EntityManager) {}

  /** Schedules jobs; for an existing (kind, ref) the earlier due time wins. */
  async schedule(em: EntityManager | null, jobs: readonly NewJob[]): Promise<void> {
    // One row per (kind, ref) per statement: PostgreSQL refuses an upsert that touches a row twice (two deferred
    // messages of one citizen in a batch share the citizen's digest job).
    const earliest = new Map<string, NewJob>();
    for (const job of jobs) {
      const key = `${job.kind} ${job.ref}`;
      const seen = earliest.get(key);
      if (seen === undefined || job.dueAt.getTime() < seen.dueAt.getTime()) earliest.set(key, job);
    }
    await insertRows(
      em ?? this.em.fork(),
      'scheduled_job',
      ['kind', 'ref', 'due_at', 'payload', 'attempts', 'created_at'],
      [...earliest.values()].map((j) => [j.kind, j.ref, j.dueAt, new Json(j.payload ?? {}), 0, new Date()]),
      'on conflict ("kind", "ref") do update set "due_at" = least("scheduled_job"."due_at", excluded."due_at")',
    );
  }

  /** Claims up to `limit` due jobs of these kinds for `leaseMs`. */
  async claim(kinds: readonly JobKind[], limit: number, leaseMs: number, now = new Date()): Promise<ClaimedJob[]> {
    const rows = await query<{ id: string | number; kind: JobKind; ref: string; due_at: Date | string; payload: Record<string, unknown> | string; attempts: number | string }>(
      this.em.fork(),
      `update "scheduled_job" j set "due_at" = ?, "attempts" = j."attempts" + 1
       from (select "id" from "scheduled_job" where "kind" = any(?::text[]) and "due_at" <= ? order by "due_at" limit ? for update skip locked) due
       where j."id" = due."id"
       returning j."id", j."kind", j."ref", j."due_at", j."payload", j."attempts"`,
      [new Date(now.getTime() + leaseMs), [...kinds], now, limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      kind: r.kind,
      ref: r.ref,
      dueAt: new Date(r.due_at),
      payload: typeof r.payload === 'string' ? (JSON.parse(r.payload) as Record<string, unknown>) : r.payload,
      attempts: Number(r.attempts),
    }));
  }

  /** Removes finished jobs (inside the caller's transaction when given, so the job ends with its effect). */
  async done(em: EntityManager | null, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await query(em ?? this.em.fork(), 'delete from "scheduled_job" where "id" = any(?::bigint[])', [[...ids]]);
  }

  /** Moves a job to a later time with new state (a broadcast's next page, a purge's next run). */
  async reschedule(em: EntityManager | null, id: string, dueAt: Date, payload: Record<string, unknown>): Promise<void> {
    await query(em ?? this.em.fork(), 'update "scheduled_job" set "due_at" = ?, "payload" = ?::jsonb, "attempts" = 0 where "id" = ?', [dueAt, storableJson(payload), id]);
  }

  /** Drops jobs by (kind, ref), e.g. a fallback deadline once the first channel reported delivery. */
  async cancel(em: EntityManager | null, kind: JobKind, refs: readonly string[]): Promise<void> {
    if (refs.length === 0) return;
    await query(em ?? this.em.fork(), 'delete from "scheduled_job" where "kind" = ? and "ref" = any(?::text[])', [kind, [...refs]]);
  }
}
