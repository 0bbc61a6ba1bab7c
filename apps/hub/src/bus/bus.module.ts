import type { KabarConfig } from '@kabar/config';
import { type Logger, RetryExhaustedError } from '@kabar/core';
import { type Bus, createBus, OutboxRelay, TOPICS } from '@kabar/messaging';
import { OutboxRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import {
  type BeforeApplicationShutdown,
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';

import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import { StartupError, StartupErrorCode } from '../errors/startup-error.js';
import { OutboxMetrics } from './outbox-metrics.js';

export const BUS = Symbol('BUS');

async function startBus(config: KabarConfig, logger: Logger): Promise<Bus> {
  const bus = createBus(config.kafka, logger);
  try {
    await bus.start();
  } catch (error) {
    if (error instanceof RetryExhaustedError) {
      throw new StartupError(
        StartupErrorCode.BusUnavailable,
        `Kafka at ${config.kafka?.brokers.join(',') ?? '?'} did not answer within ${config.kafka?.connectTimeoutMs ?? 0} ms (${error.message}). Check KAFKA_BROKERS, or unset it for the in-process bus.`,
      );
    }
    throw error;
  }
  logger.info({ bus: bus.kind }, 'bus ready');
  return bus;
}

/** Starts the relay once everything is wired, and stops it before the bus and the database go away. */
@Injectable()
export class BusLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly relay: OutboxRelay,
  ) {}

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}

@Global()
@Module({
  providers: [
    { provide: BUS, inject: [KABAR_CONFIG, ROOT_LOGGER], useFactory: startBus },
    {
      provide: OutboxRelay,
      inject: [EntityManager, BUS, ROOT_LOGGER],
      useFactory: (em: EntityManager, bus: Bus, logger: Logger) =>
        new OutboxRelay(new OutboxRepository(em, [TOPICS.dispatch]), bus, logger, { batchSize: 5_000, pollIntervalMs: 1_000, priorityTopics: [TOPICS.dispatch] }),
    },
    BusLifecycle,
    OutboxMetrics,
  ],
  exports: [BUS, OutboxRelay],
})
export class BusModule {}
