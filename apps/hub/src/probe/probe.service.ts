import { type Logger } from '@kabar/core';
import { type Bus, OutboxRelay, type ReceivedRecord, type Subscription, TOPICS } from '@kabar/messaging';
import { type Probe, ProbeRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';

import { BUS } from '../bus/bus.module.js';
import { ROOT_LOGGER } from '../config/config.module.js';
import { LiveEvents } from '../live/live-events.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ProbeError, ProbeErrorCode } from './probe.errors.js';

const MAX_NOTE = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class ProbeService {
  private readonly probes: ProbeRepository;

  constructor(
    em: EntityManager,
    private readonly relay: OutboxRelay,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly metrics: MetricsService,
    private readonly live: LiveEvents,
  ) {
    this.probes = new ProbeRepository(em);
  }

  async send(note: string): Promise<Probe> {
    if (note.length > MAX_NOTE) throw new ProbeError(ProbeErrorCode.NoteTooLong, `note must be at most ${MAX_NOTE} characters`);
    const probe = await this.probes.create(note, (p) => ({
      topic: TOPICS.probe,
      key: p.id,
      value: Buffer.from(JSON.stringify({ probeId: p.id })),
      headers: { 'content-type': 'application/json' },
    }));
    this.relay.wake();
    return probe;
  }

  async find(id: string): Promise<Probe> {
    if (!UUID.test(id)) throw new ProbeError(ProbeErrorCode.InvalidId, 'probe id must be a UUID');
    const probe = await this.probes.findById(id);
    if (probe === null) throw new ProbeError(ProbeErrorCode.NotFound, `no probe ${id}`);
    return probe;
  }

  /** The consumer side: one UPDATE per batch, whatever its size. */
  consume(): Promise<Subscription> {
    return this.bus.subscribe({
      groupId: 'kabar-probe',
      topics: [TOPICS.probe],
      handler: async (records) => {
        const ids = records.flatMap((r) => this.probeId(r));
        for (const probe of await this.probes.markReceived(ids)) await this.live.publish('probeReceived', probe);
        this.metrics.busRecordsConsumed.inc({ topic: TOPICS.probe }, records.length);
      },
    });
  }

  private probeId(record: ReceivedRecord): string[] {
    try {
      const { probeId } = JSON.parse(record.value.toString('utf8')) as { probeId?: unknown };
      if (typeof probeId === 'string' && UUID.test(probeId)) return [probeId];
    } catch {
      // fall through: a foreign record on the diagnostic topic is skipped, not retried forever
    }
    this.logger.warn({ topic: record.topic, partition: record.partition, offset: record.offset }, 'skipped a malformed probe record');
    return [];
  }
}
