import { randomUUID } from 'node:crypto';

import type { KabarConfig } from '@kabar/config';
import { parseKafkaRecord } from '@kabar/contracts';
import type { Logger } from '@kabar/core';
import { type Bus, type Subscription, TOPICS } from '@kabar/messaging';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';

import { BUS } from '../bus/bus.module.js';
import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import type { DeliveryStatus } from '../delivery/status-event.js';
import { LiveEvents } from '../live/live-events.js';

/**
 * Feeds GraphQL `deliveryStatus` subscriptions: every API instance reads the whole status topic through its own
 * consumer group (starting at the newest record), so a subscriber sees statuses whichever worker produced them.
 */
@Injectable()
export class StatusFanout implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: Subscription | undefined;

  constructor(
    private readonly live: LiveEvents,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'worker') return;
    this.subscription = await this.bus.subscribe({
      groupId: `kabar-live-${randomUUID()}`,
      topics: [TOPICS.status],
      from: 'latest',
      handler: async (records) => {
        // Statuses are read for subscribers only; with none on this instance there is nothing to parse.
        if (!this.live.hasListeners('deliveryStatus')) return;
        for (const record of records) {
          try {
            const event = parseKafkaRecord({ key: record.key, value: record.value, headers: { ...record.headers } });
            await this.live.publish('deliveryStatus', event.data as DeliveryStatus);
          } catch {
            this.logger.warn({ partition: record.partition, offset: record.offset }, 'skipped a malformed status record');
          }
        }
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }
}
