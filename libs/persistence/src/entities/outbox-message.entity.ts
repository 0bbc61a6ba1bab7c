import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

import { JsonbType } from './jsonb.type.js';

/**
 * A bus message written in the same transaction as the state change it announces; the relay publishes and deletes it.
 * That way a crash between commit and publish loses nothing (ARCHITECTURE §3).
 */
export const OutboxMessageSchema = defineEntity({
  name: 'OutboxMessage',
  tableName: 'outbox',
  properties: {
    id: p.bigint().primary().autoincrement(),
    topic: p.string().length(255),
    key: p.string().length(255).nullable(),
    value: p.blob(),
    headers: p.json<Record<string, string>>().type(JsonbType),
    /** 1: `value` is the record. More: `value` packs that many records of `topic` (outbox-pack.ts; key and headers unused). */
    records: p.integer().default(1),
    createdAt: p.datetime().onCreate(() => new Date()),
    /**
     * Set while a relay publishes the row, which it does outside any transaction: until then other relays leave it.
     * A lease, not a lock, so that no database connection waits on the broker; past it, the row is anyone's again.
     */
    claimedUntil: p.datetime().nullable(),
  },
});

export type OutboxMessage = InferEntity<typeof OutboxMessageSchema>;
