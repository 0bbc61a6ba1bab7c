import { describeError, type Logger } from '@kabar/core';
import { OutboxRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';

import { ROOT_LOGGER } from '../config/config.module.js';
import { MetricsService } from '../metrics/metrics.service.js';

/**
 * The outbox's backlog on /metrics, read from the database at each scrape. While the broker does not take records, the
 * hub goes on accepting events into the outbox: these two say how much waits and for how long (alert on the age). The
 * figures are the database's, the same on every instance.
 */
@Injectable()
export class OutboxMetrics {
  constructor(em: EntityManager, metrics: MetricsService, @Inject(ROOT_LOGGER) logger: Logger) {
    const outbox = new OutboxRepository(em);
    // A scrape while the database is away reports NaN rather than failing the whole /metrics answer.
    const collect = (pick: (backlog: { records: number; oldestSeconds: number }) => number) =>
      async function (this: Gauge): Promise<void> {
        try {
          this.set(pick(await outbox.backlog()));
        } catch (error) {
          logger.debug({ error: describeError(error) }, 'could not read the outbox backlog for /metrics');
          this.set(Number.NaN);
        }
      };
    new Gauge({
      name: 'kabar_outbox_records',
      help: 'Records written to the outbox and not yet published to the bus (all instances).',
      registers: [metrics.registry],
      collect: collect((b) => b.records),
    });
    new Gauge({
      name: 'kabar_outbox_oldest_seconds',
      help: 'Age of the oldest record waiting in the outbox; 0 when none waits.',
      registers: [metrics.registry],
      collect: collect((b) => b.oldestSeconds),
    });
  }
}
