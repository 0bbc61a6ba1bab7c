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
 * How long a relay's claim keeps other relays off rows it is publishing. Publishing holds no database connection (a
 * broker that stalls would otherwise hold the whole pool); a relay that crashes or stalls past the lease has its rows
 * published again by another, which consumers take in their stride (at least once: every stage is idempotent). Longer
 * than a Kafka request's timeout, so a slow broker seldom causes a second copy; short, so rows a crash left wait little.
 */
const LEASE_SECONDS = 30;

/** Rows no relay is publishing: never claimed, claim ended by a failed publish, or lease run out. */
const UNCLAIMED = '("claimed_until" is null or "claimed_until" < now())';

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

  async release(rows: readonly OutboxRow[], publish: (records: readonly BusRecord[]) => Promise<void>): Promise<number> {
    if (rows.length === 0) return 0;
    // SKIP LOCKED: a row a drain is claiming this instant is left to it rather than waited for.
    const claimed = await query<{ id: string | number }>(
      this.em.fork(),
      `update "outbox" set "claimed_until" = now() + make_interval(secs => ?)
       where "id" in (select "id" from "outbox" where "id" = any(?::bigint[]) and ${UNCLAIMED} for update skip locked) returning "id"`,
      [LEASE_SECONDS, rows.map((r) => r.id)],
    );
    const ids = new Set(claimed.map((r) => Number(r.id)));
    const records = rows.filter((r) => ids.has(r.id)).flatMap((r) => r.records);
    await this.publishClaimed([...ids], records, publish);
    return records.length;
  }

  /**
   * Drains whole rows, oldest first, until `limit` records (a packed row is never split, so up to PACK_SIZE - 1 more).
   * Rows in `leave` are being handed off by their writers and are left to them.
   */
  async drain(limit: number, publish: (records: readonly BusRecord[]) => Promise<void>, leave: DrainLeaves = {}): Promise<number> {
    const skip = leave.ids ?? [];
    // Rows written at least this long ago (created_at is the writer's transaction time).
    const settledSeconds = (leave.youngerThanMs ?? 0) / 1000;
    const rank = (topic: string): number => (this.first.includes(topic) ? 0 : 1);
    // The claim is a transaction of its own, committed before anything is published.
    const rows = await this.em.fork().transactional(async (tx) => {
      // SKIP LOCKED lets several relays claim at once without waiting on each other's rows. Rows are few (packed), so
      // the candidates are locked first and the records counted here; the rest stay for the next round.
      const locked =
        this.first.length === 0
          ? await query<{ id: string | number; records: number; topic: string }>(
              tx,
              `select "id", "records", "topic" from "outbox" where not ("id" = any(?::bigint[])) and ${UNCLAIMED} and "created_at" <= now() - make_interval(secs => ?) order by "id" limit ? for update skip locked`,
              [skip, settledSeconds, limit],
            )
          : await query<{ id: string | number; records: number; topic: string }>(
              tx,
              `select "id", "records", "topic" from "outbox"
               where ("id" in (select "id" from "outbox" where "topic" = any(?::text[]) and not ("id" = any(?::bigint[])) and ${UNCLAIMED} order by "id" limit ?)
                  or "id" in (select "id" from "outbox" where not ("topic" = any(?::text[])) and not ("id" = any(?::bigint[])) and ${UNCLAIMED} order by "id" limit ?))
                 and "created_at" <= now() - make_interval(secs => ?)
               order by "id" for update skip locked`,
              [[...this.first], skip, limit, [...this.first], skip, limit, settledSeconds],
            );
      const ordered = locked.map((r) => ({ id: Number(r.id), records: r.records, rank: rank(r.topic) })).sort((a, b) => a.rank - b.rank || a.id - b.id);
      const chosen: number[] = [];
      let count = 0;
      // The row that reaches the limit is taken whole: a full round tells the relay to go again at once.
      for (const row of ordered) {
        chosen.push(row.id);
        count += row.records;
        if (count >= limit) break;
      }
      if (chosen.length === 0) return [];
      return query<StoredRow>(
        tx,
        'update "outbox" set "claimed_until" = now() + make_interval(secs => ?) where "id" = any(?::bigint[]) returning "id", "topic", "key", "value", "headers", "records"',
        [LEASE_SECONDS, chosen],
      );
    });
    if (rows.length === 0) return 0;
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
    await this.publishClaimed(
      rows.map((r) => Number(r.id)),
      records,
      publish,
    );
    return records.length;
  }

  /**
   * Publishes the records of rows this relay has claimed, holding no connection meanwhile, then deletes the rows. A
   * failed publish ends the claim at once, so the next drain need not wait for the lease to run out.
   */
  private async publishClaimed(ids: readonly number[], records: readonly BusRecord[], publish: (records: readonly BusRecord[]) => Promise<void>): Promise<void> {
    if (ids.length === 0) return;
    try {
      if (records.length > 0) await publish(records);
    } catch (error) {
      // Best effort: if the database is unreachable too, the lease runs out on its own.
      await query(this.em.fork(), 'update "outbox" set "claimed_until" = null where "id" = any(?::bigint[])', [ids]).catch(() => undefined);
      throw error;
    }
    await query(this.em.fork(), 'delete from "outbox" where "id" = any(?::bigint[])', [ids]);
  }

  /**
   * What waits to be published, for monitoring: records (packed rows counted as the records they hold) and the age of
   * the oldest, 0 when none wait. Normally near 0; growing, it means the broker does not take what the hub writes.
   */
  async backlog(): Promise<{ records: number; oldestSeconds: number }> {
    const [row] = await query<{ records: string | number; oldest: string | number }>(
      this.em.fork(),
      'select coalesce(sum("records"), 0) as "records", coalesce(extract(epoch from now() - min("created_at")), 0) as "oldest" from "outbox"',
    );
    return { records: Number(row?.records ?? 0), oldestSeconds: Math.max(0, Number(row?.oldest ?? 0)) };
  }

  /** Records waiting to be published (a packed row counts as the records it holds). */
  async count(): Promise<number> {
    const [row] = await query<{ n: string | number | null }>(this.em.fork(), 'select sum("records") as n from "outbox"');
    return Number(row?.n ?? 0);
  }
}
