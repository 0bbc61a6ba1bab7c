import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/**
 * A diagnostic round trip: written with an outbox message, relayed to the bus, and marked received by a consumer.
 * It proves database, outbox relay, bus and consumer work together (`sendProbe` mutation, `kabar doctor`).
 */
export const ProbeSchema = defineEntity({
  name: 'Probe',
  tableName: 'probe',
  properties: {
    id: p.uuid().primary(),
    note: p.string().length(200),
    createdAt: p.datetime().onCreate(() => new Date()),
    receivedAt: p.datetime().nullable(),
  },
});

export type Probe = InferEntity<typeof ProbeSchema>;
