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
  constructor(private readonly em: EntityManager) {}

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
      const rows = await query<OutboxRow>(tx, 
        `delete from "outbox" where "id" in (select "id" from "outbox" order by "id" limit ? for update skip locked)
         returning "id", "topic", "key", "value", "headers"`,
        [limit],
      );
      if (rows.length === 0) return 0;
      rows.sort((a, b) => Number(a.id) - Number(b.id));
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

