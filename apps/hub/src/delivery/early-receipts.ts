import type { KabarConfig } from '@kabar/config';
import { describeError, type Logger, PollingLoop } from '@kabar/core';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';

import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import { EARLY_RECEIPT_BATCH, ProviderEvents } from './provider-events.js';

/**
 * Applies the delivery receipts that came before the attempt they answer was written (a fast SMSC's receipt can
 * overtake the end of a large dispatch batch): kept as `receipt` jobs, any worker claims them once due.
 */
@Injectable()
export class EarlyReceipts implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: PollingLoop;

  constructor(
    events: ProviderEvents,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.loop = new PollingLoop(() => events.retryEarlyReceipts(), {
      batchSize: EARLY_RECEIPT_BATCH,
      pollIntervalMs: 1_000,
      onError: (error, failures) => logger.warn({ error: describeError(error), failures }, 'early delivery receipts round failed; will retry'),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}
