import { randomUUID } from 'node:crypto';

import type { KabarConfig } from '@kabar/config';
import { parseKafkaRecord } from '@kabar/contracts';
import { describeError, type Logger } from '@kabar/core';
import { type Bus, type Subscription, TOPICS } from '@kabar/messaging';
import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';

import { BUS } from '../bus/bus.module.js';
import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import type { DeliveryStatus } from '../delivery/status-event.js';
import { LiveEvents } from '../live/live-events.js';

/** How often an instance looks whether its status consumer still has subscribers to feed. */
const IDLE_CHECK_MS = 30_000;

/**
 * Feeds GraphQL `deliveryStatus` subscriptions: an API instance reads the whole status topic through its own consumer
 * group (from the newest record), so a subscriber sees statuses whichever worker produced them. The consumer runs only
 * while this instance has subscribers: started (and joined) before the first subscription is answered, stopped once
 * a check finds none, so an instance nobody watches does not fetch and decode every status.
 */
@Injectable()
export class StatusFanout implements BeforeApplicationShutdown {
  private subscription: Promise<Subscription> | undefined;
  private readonly idleCheck: NodeJS.Timeout;

  constructor(
    private readonly live: LiveEvents,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.idleCheck = setInterval(() => void this.stopWhenIdle(), IDLE_CHECK_MS).unref();
  }

  /** Resolves once statuses published from now on reach this instance's subscribers. */
  async follow(): Promise<void> {
    if (this.config.role === 'worker') return;
    this.subscription ??= this.start();
    await this.subscription;
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.idleCheck);
    await this.stop();
  }

  private start(): Promise<Subscription> {
    const started = this.bus.subscribe({
      groupId: `kabar-live-${randomUUID()}`,
      topics: [TOPICS.status],
      from: 'latest',
      waitUntilAssigned: true,
      handler: async (records) => {
        // Between the last subscriber leaving and the idle check, there is nobody to parse for.
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
    // A failed start is not kept: the next subscriber tries again.
    started.catch(() => {
      if (this.subscription === started) this.subscription = undefined;
    });
    return started;
  }

  private async stopWhenIdle(): Promise<void> {
    if (this.subscription === undefined || this.live.hasListeners('deliveryStatus')) return;
    try {
      await this.stop();
    } catch (error) {
      this.logger.warn({ error: describeError(error) }, 'could not stop the idle status consumer');
    }
  }

  private async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await (await subscription?.catch(() => undefined))?.close();
  }
}
