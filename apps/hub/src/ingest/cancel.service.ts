import type { AuditActor } from '@kabar/core';
import { OutboxRelay } from '@kabar/messaging';
import { OutboxRepository, WaitingRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';

import { statusRecord } from '../delivery/status-event.js';
import { IngestError, IngestErrorCode } from './ingest.errors.js';

/** An agency's cancellation of one of its events: what still waits is cancelled, and the agency is told per notification. */
@Injectable()
export class CancelService {
  private readonly waiting: WaitingRepository;
  private readonly outbox: OutboxRepository;

  constructor(
    private readonly em: EntityManager,
    private readonly relay: OutboxRelay,
  ) {
    this.waiting = new WaitingRepository(em);
    this.outbox = new OutboxRepository(em);
  }

  /** Returns how many notifications were cancelled; an unknown (or another agency's) event is UNKNOWN_EVENT. */
  async cancel(agencyId: string, source: string, id: string, actor: AuditActor): Promise<number> {
    const result = await this.waiting.cancel(agencyId, source, id, (done) =>
      done === null ? null : { action: 'event.cancelled', actor, agencyId, target: { kind: 'event', id: done.eventId }, details: { source, id, cancelled: done.cancelled.length } },
    );
    if (result === null) throw new IngestError(IngestErrorCode.UnknownEvent, `no event (${source}, ${id}) of your agency`);
    const at = new Date().toISOString();
    const rows = await this.em.fork().transactional((tx) =>
      this.outbox.enqueue(
        tx,
        result.cancelled.map((n) =>
          statusRecord({ agency: result.agencyCode, eventId: result.eventId, source, id, notificationId: n.id, state: 'cancelled', reason: 'CANCELLED_BY_AGENCY', channel: n.channel, at }),
        ),
      ),
    );
    this.relay.handOff(rows);
    return result.cancelled.length;
  }
}
