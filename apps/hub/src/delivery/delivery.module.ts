import type { KabarConfig } from '@kabar/config';
import { DEFAULT_DELIVERY_RETRY, type Logger, SecretBox } from '@kabar/core';
import { type Bus, OutboxRelay, type Subscription, TOPICS } from '@kabar/messaging';
import { DispatchRepository } from '@kabar/persistence';
import type { InboxWriter } from '@kabar/plugin-sdk';
import { EntityManager } from '@mikro-orm/core';
import { type BeforeApplicationShutdown, Inject, Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';

import { BUS } from '../bus/bus.module.js';
import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import { DELIVERY_RESILIENCE, type DeliveryResilience, PLUGIN_REGISTRY } from './delivery.tokens.js';
import { DispatchService } from './dispatch.service.js';
import { EarlyReceipts } from './early-receipts.js';
import { PluginRegistry } from './plugin-registry.js';
import { PluginRuntime } from './plugin-runtime.js';
import { ProviderEvents } from './provider-events.js';

/** Runs the dispatch consumer in the worker roles and closes the plugins last. */
@Injectable()
export class DispatchConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: Subscription | undefined;

  constructor(
    private readonly dispatch: DispatchService,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
    @Inject(PLUGIN_REGISTRY) private readonly plugins: PluginRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    this.subscription = await this.bus.subscribe({ groupId: 'kabar-dispatch', topics: [TOPICS.dispatch], handler: (records) => this.dispatch.handle(records) });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
    await this.plugins.close();
  }
}

@Module({
  providers: [
    {
      provide: ProviderEvents,
      inject: [EntityManager, SecretBox, OutboxRelay, ROOT_LOGGER],
      useFactory: (em: EntityManager, box: SecretBox, relay: OutboxRelay, logger: Logger) => new ProviderEvents(em, box, relay, logger),
    },
    {
      provide: PLUGIN_REGISTRY,
      inject: [KABAR_CONFIG, ROOT_LOGGER, EntityManager, ProviderEvents],
      useFactory: (config: KabarConfig, logger: Logger, em: EntityManager, events: ProviderEvents) => {
        const repository = new DispatchRepository(em);
        const inbox: InboxWriter = { put: (items) => repository.putInbox(items.map((i) => ({ ...i, subject: i.subject ?? null }))) };
        return PluginRegistry.create(config, logger, inbox, events);
      },
    },
    {
      provide: DELIVERY_RESILIENCE,
      inject: [KABAR_CONFIG],
      useFactory: ({ delivery }: KabarConfig): DeliveryResilience => ({
        retry: { ...DEFAULT_DELIVERY_RETRY, maxAttempts: delivery.maxAttempts },
        breaker: { failureThreshold: delivery.breakerThreshold, cooldownMs: delivery.breakerCooldownMs, maxCooldownMs: delivery.breakerCooldownMs * 10 },
      }),
    },
    DispatchService,
    DispatchConsumer,
    EarlyReceipts,
    PluginRuntime,
  ],
  // The registry's providers hold connections (SMPP binds, SMTP pools): the citizens' one-time codes share them.
  exports: [PLUGIN_REGISTRY, PluginRuntime, DispatchService],
})
export class DeliveryModule {}
