import type { Logger } from '@kabar/core';
import { OutboxRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';

import { ROOT_LOGGER } from '../config/config.module.js';
import { databaseGauge } from '../metrics/database-gauge.js';
import { MetricsService } from '../metrics/metrics.service.js';

/**
 * The outbox's backlog on /metrics. While the broker does not take records, the hub goes on accepting events into
 * the outbox: these say how much waits and for how long (alert on the age).
 */
@Injectable()
export class OutboxMetrics {
  constructor(em: EntityManager, metrics: MetricsService, @Inject(ROOT_LOGGER) logger: Logger) {
    const outbox = new OutboxRepository(em);
    databaseGauge(metrics, logger, { name: 'kabar_outbox_records', help: 'Records written to the outbox and not yet published to the bus (all instances).' }, async () => [
      { value: (await outbox.backlog()).records },
    ]);
    databaseGauge(metrics, logger, { name: 'kabar_outbox_oldest_seconds', help: 'Age of the oldest record waiting in the outbox; 0 when none waits.' }, async () => [
      { value: (await outbox.backlog()).oldestSeconds },
    ]);
  }
}
