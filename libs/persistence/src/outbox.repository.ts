import type { BusRecord, OutboxStore } from '@kabar/messaging';
import type { EntityManager } from '@mikro-orm/core';

import { query } from './query.js';

interface OutboxRow {
  id: string | number;
  topic: string;
  key: string | null;
  value: Uint8Array;
  headers: Record<string, string> | string;
}

/** Writes outbox rows inside callers' transactions and drains them for the relay. */
export class OutboxRepository implements OutboxStore {
  /**
   * @param first topics drained ahead of the others (each topic keeps its own order): the hub puts dispatch first, so
   * a backlog of status messages never delays the next stage of delivery.
   */
  constructor(
    private readonly em: EntityManager,
    private readonly first: readonly string[] = [],
  ) {}

  /** Adds messages to the outbox in the caller's transaction, one INSERT for the whole batch. */
  async enqueue(tx: EntityManager, records: readonly BusRecord[]): Promise<void> {
    if (records.length === 0) return;
    const params: unknown[] = [];
    const rows = records.map((r) => {
      params.push(r.topic, r.key, r.value, JSON.stringify(r.headers));
      return '(?, ?, ?, ?::jsonb, now())';
    });
    await query(tx, `insert into "outbox" ("topic", "key", "value", "headers", "created_at") values ${rows.join(', ')}`, params);
  }

  drain(limit: number, publish: (records: readonly BusRecord[]) => Promise<void>): Promise<number> {
    return this.em.fork().transactional(async (tx) => {
      // SKIP LOCKED lets several relays share the table without waiting on each other's rows.
      const rows = await query<OutboxRow>(
        tx,
        this.first.length === 0
          ? `delete from "outbox" where "id" in (select "id" from "outbox" order by "id" limit ? for update skip locked)
             returning "id", "topic", "key", "value", "headers"`
          : `delete from "outbox"
             where "id" in (select "id" from "outbox" where "topic" = any(?::text[]) order by "id" limit ? for update skip locked)
                or "id" in (select "id" from "outbox" where not ("topic" = any(?::text[])) order by "id" limit ? for update skip locked)
             returning "id", "topic", "key", "value", "headers"`,
        this.first.length === 0 ? [limit] : [[...this.first], limit, [...this.first], limit],
      );
      if (rows.length === 0) return 0;
      // Priority topics first, then by id: each topic's (and key's) order is the order of its writes.
      const rank = (row: OutboxRow): number => (this.first.includes(row.topic) ? 0 : 1);
      rows.sort((a, b) => rank(a) - rank(b) || Number(a.id) - Number(b.id));
      await publish(
        rows.map((row) => ({
          topic: row.topic,
          key: row.key,
          value: Buffer.from(row.value),
          headers: typeof row.headers === 'string' ? (JSON.parse(row.headers) as Record<string, string>) : row.headers,
        })),
      );
      return rows.length;
    });
  }

  async count(): Promise<number> {
    const [row] = await query<{ n: string | number }>(this.em.fork(), 'select count(*) as n from "outbox"');
    return Number(row?.n ?? 0);
  }
}

