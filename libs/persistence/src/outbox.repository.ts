import { appendTo } from '@kabar/core';
import { storableJson } from '@kabar/core';
import type { BusRecord, DrainLeaves, OutboxRow, OutboxStore } from '@kabar/messaging';
import type { EntityManager } from '@mikro-orm/core';

import { packRecords, unpackRecords } from './outbox-pack.js';
import { query } from './query.js';

interface StoredRow {
  id: string | number;
  topic: string;
  key: string | null;
  value: Uint8Array;
  headers: Record<string, string> | string;
  records: number;
}

/** Records per packed row: a drain takes whole rows, so this bounds how far one row can overshoot its limit. */
const PACK_SIZE = 500;

/**
 * Writes outbox rows inside callers' transactions and drains them for the relay. Several records of one topic written
 * together become one packed row (outbox-pack.ts), so a batch of status messages costs the database one row, not one
 * per message; the relay publishes them as the separate records they are, in order.
 */
export class OutboxRepository implements OutboxStore {
  /**
   * @param first topics drained ahead of the others (each topic keeps its own order): the hub puts dispatch first, so
   * a backlog of status messages never delays the next stage of delivery.
   */
  constructor(
    private readonly em: EntityManager,
    private readonly first: readonly string[] = [],
  ) {}

  /**
   * Adds messages to the outbox in the caller's transaction, one INSERT for the whole batch, packed per topic.
   * Returns the rows written with the records each holds, for the relay's `handOff` once the transaction commits.
   */
  async enqueue(tx: EntityManager, records: readonly BusRecord[]): Promise<OutboxRow[]> {
    if (records.length === 0) return [];
    const byTopic = new Map<string, BusRecord[]>();
    for (const r of records) appendTo(byTopic, r.topic, r);
    const params: unknown[] = [];
    const rows: string[] = [];
    const held: BusRecord[][] = [];
    for (const [topic, group] of byTopic) {
      for (let start = 0; start < group.length; start += PACK_SIZE) {
        const chunk = group.slice(start, start + PACK_SIZE);
        const [single] = chunk;
        if (chunk.length === 1 && single !== undefined) params.push(topic, single.key, single.value, storableJson(single.headers), 1);
        else params.push(topic, null, packRecords(chunk), '{}', chunk.length);
        rows.push('(?, ?, ?, ?::jsonb, ?, now())');
        held.push(chunk);
      }
    }
    const ids = await query<{ id: string | number }>(tx, `insert into "outbox" ("topic", "key", "value", "headers", "records", "created_at") values ${rows.join(', ')} returning "id"`, params);
    // The sequence numbers the rows of one INSERT in the order of its VALUES.
    const sorted = ids.map((r) => Number(r.id)).sort((a, b) => a - b);
    return held.map((chunk, i) => ({ id: sorted[i] ?? 0, records: chunk }));
  }

  release(rows: readonly OutboxRow[], publish: (records: readonly BusRecord[]) => Promise<void>): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return this.em.fork().transactional(async (tx) => {
      const claimed = await query<{ id: string | number }>(
        tx,
        'delete from "outbox" where "id" in (select "id" from "outbox" where "id" = any(?::bigint[]) for update skip locked) returning "id"',
        [rows.map((r) => r.id)],
      );
      const ids = new Set(claimed.map((r) => Number(r.id)));
      const records = rows.filter((r) => ids.has(r.id)).flatMap((r) => r.records);
      if (records.length > 0) await publish(records);
      return records.length;
    });
  }

  /**
   * Drains whole rows, oldest first, until `limit` records (a packed row is never split, so up to PACK_SIZE - 1 more).
   * Rows in `leave` are being handed off by their writers and are left to them.
   */
  drain(limit: number, publish: (records: readonly BusRecord[]) => Promise<void>, leave: DrainLeaves = {}): Promise<number> {
    const skip = leave.ids ?? [];
    // Rows written at least this long ago (created_at is the writer's transaction time).
    const settledSeconds = (leave.youngerThanMs ?? 0) / 1000;
    return this.em.fork().transactional(async (tx) => {
      // SKIP LOCKED lets several relays share the table without waiting on each other's rows. Rows are few (packed),
      // so the candidates are locked first and the records counted here; the rest stay for the next round.
      const locked =
        this.first.length === 0
          ? await query<{ id: string | number; records: number; topic: string }>(
              tx,
              'select "id", "records", "topic" from "outbox" where not ("id" = any(?::bigint[])) and "created_at" <= now() - make_interval(secs => ?) order by "id" limit ? for update skip locked',
              [skip, settledSeconds, limit],
            )
          : await query<{ id: string | number; records: number; topic: string }>(
              tx,
              `select "id", "records", "topic" from "outbox"
               where ("id" in (select "id" from "outbox" where "topic" = any(?::text[]) and not ("id" = any(?::bigint[])) order by "id" limit ?)
                  or "id" in (select "id" from "outbox" where not ("topic" = any(?::text[])) and not ("id" = any(?::bigint[])) order by "id" limit ?))
                 and "created_at" <= now() - make_interval(secs => ?)
               order by "id" for update skip locked`,
              [[...this.first], skip, limit, [...this.first], skip, limit, settledSeconds],
            );
      const rank = (topic: string): number => (this.first.includes(topic) ? 0 : 1);
      const ordered = locked.map((r) => ({ id: Number(r.id), records: r.records, rank: rank(r.topic) })).sort((a, b) => a.rank - b.rank || a.id - b.id);
      const chosen: number[] = [];
      let count = 0;
      // The row that reaches the limit is taken whole: a full round tells the relay to go again at once.
      for (const row of ordered) {
        chosen.push(row.id);
        count += row.records;
        if (count >= limit) break;
      }
      if (chosen.length === 0) return 0;
      const rows = await query<StoredRow>(tx, 'delete from "outbox" where "id" = any(?::bigint[]) returning "id", "topic", "key", "value", "headers", "records"', [chosen]);
      // Priority topics first, then by id: each topic's (and key's) order is the order of its writes.
      rows.sort((a, b) => rank(a.topic) - rank(b.topic) || Number(a.id) - Number(b.id));
      const records = rows.flatMap((row): BusRecord[] =>
        row.records > 1
          ? unpackRecords(row.topic, row.value)
          : [
              {
                topic: row.topic,
                key: row.key,
                value: Buffer.from(row.value),
                headers: typeof row.headers === 'string' ? (JSON.parse(row.headers) as Record<string, string>) : row.headers,
              },
            ],
      );
      await publish(records);
      return records.length;
    });
  }

  /** Records waiting to be published (a packed row counts as the records it holds). */
  async count(): Promise<number> {
    const [row] = await query<{ n: string | number | null }>(this.em.fork(), 'select sum("records") as n from "outbox"');
    return Number(row?.n ?? 0);
  }
}
