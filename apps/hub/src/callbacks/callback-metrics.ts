import type { Logger } from '@kabar/core';
import { CallbackRepository } from '@kabar/persistence';
import { Inject, Injectable } from '@nestjs/common';

import { ROOT_LOGGER } from '../config/config.module.js';
import { databaseGauge } from '../metrics/database-gauge.js';
import { MetricsService } from '../metrics/metrics.service.js';

/** Status callbacks waiting to reach agencies, per agency code, on /metrics: which agency's endpoint is failing, and since when. */
@Injectable()
export class CallbackMetrics {
  constructor(repository: CallbackRepository, metrics: MetricsService, @Inject(ROOT_LOGGER) logger: Logger) {
    const labelNames = ['agency'];
    databaseGauge(metrics, logger, { name: 'kabar_callbacks_pending', help: 'Status callbacks not yet delivered to the agency nor given up, by agency code (all instances).', labelNames }, async () =>
      (await repository.backlog()).map((b) => ({ labels: { agency: b.agencyCode }, value: b.pending })),
    );
    databaseGauge(metrics, logger, { name: 'kabar_callbacks_oldest_seconds', help: "Age of the agency's oldest status callback still waiting, by agency code.", labelNames }, async () =>
      (await repository.backlog()).map((b) => ({ labels: { agency: b.agencyCode }, value: b.oldestSeconds })),
    );
  }
}
