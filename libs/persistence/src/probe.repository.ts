import { randomUUID } from 'node:crypto';

import type { BusRecord } from '@kabar/messaging';
import type { EntityManager } from '@mikro-orm/core';

import { type Probe, ProbeSchema } from './entities/index.js';
import { OutboxRepository } from './outbox.repository.js';
import { query } from './query.js';

export class ProbeRepository {
  private readonly outbox: OutboxRepository;

  constructor(private readonly em: EntityManager) {
    this.outbox = new OutboxRepository(em);
  }

  /** Stores the probe and its bus message in one transaction (the outbox pattern). */
  create(note: string, toMessage: (probe: Probe) => BusRecord): Promise<Probe> {
    return this.em.fork().transactional(async (tx) => {
      const probe = tx.create(ProbeSchema, { id: randomUUID(), note, receivedAt: null });
      await tx.flush();
      await this.outbox.enqueue(tx, [toMessage(probe)]);
      return probe;
    });
  }

  findById(id: string): Promise<Probe | null> {
    return this.em.fork().findOne(ProbeSchema, { id });
  }

  /**
   * Marks probes received in one statement and returns those this call marked; replays leave the first receipt time
   * as it was and return nothing for it.
   */
  async markReceived(ids: readonly string[]): Promise<Probe[]> {
    if (ids.length === 0) return [];
    const rows = await query<{ id: string; note: string; created_at: Date | string; received_at: Date | string }>(this.em.fork(), 
      'update "probe" set "received_at" = clock_timestamp() where "id" = any(?::uuid[]) and "received_at" is null returning "id", "note", "created_at", "received_at"',
      [[...ids]],
    );
    return rows.map((r) => ({ id: r.id, note: r.note, createdAt: new Date(r.created_at), receivedAt: new Date(r.received_at) }));
  }
}
