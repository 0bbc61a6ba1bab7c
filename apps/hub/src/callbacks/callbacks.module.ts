import type { KabarConfig } from '@kabar/config';
import { type Logger, SecretBox } from '@kabar/core';
import type { Bus, Subscription } from '@kabar/messaging';
import { CallbackRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { type BeforeApplicationShutdown, type DynamicModule, Inject, Injectable, Module, type OnApplicationBootstrap, type Provider } from '@nestjs/common';

import { BUS } from '../bus/bus.module.js';
import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import { CallbackConsumer } from './callback.consumer.js';
import { CallbackScheduler, type CallbackSchedulerOptions, DEFAULT_CALLBACK_OPTIONS } from './callback.scheduler.js';
import { CallbackSender } from './callback.sender.js';
import { CallbackMetrics } from './callback-metrics.js';
import { type Clock, SYSTEM_CLOCK } from './clock.type.js';

export const CALLBACK_OPTIONS = Symbol('CALLBACK_OPTIONS');
export const CALLBACK_CLOCK = Symbol('CALLBACK_CLOCK');

/** The consumer and the scheduler run in the `worker` and `all` roles only; an api-only instance just serves requests. */
@Injectable()
export class CallbacksLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: Subscription | undefined;

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
    @Inject(CallbackConsumer) private readonly consumer: CallbackConsumer,
    @Inject(CallbackScheduler) private readonly scheduler: CallbackScheduler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    this.subscription = await this.consumer.subscribe(this.bus);
    this.scheduler.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    // The scheduler first: a consumer batch waiting for room in it is then written due now and can finish, instead
    // of holding the subscription's close until slow receivers have been called.
    await this.scheduler.stop();
    await this.subscription?.close();
  }
}

const PROVIDERS: Provider[] = [
  { provide: CALLBACK_OPTIONS, useValue: DEFAULT_CALLBACK_OPTIONS },
  { provide: CALLBACK_CLOCK, useValue: SYSTEM_CLOCK },
  { provide: CallbackRepository, inject: [EntityManager], useFactory: (em: EntityManager) => new CallbackRepository(em) },
  {
    provide: CallbackScheduler,
    inject: [CallbackRepository, SecretBox, ROOT_LOGGER, CALLBACK_OPTIONS, CALLBACK_CLOCK],
    useFactory: (repository: CallbackRepository, box: SecretBox, logger: Logger, options: CallbackSchedulerOptions, clock: Clock) =>
      new CallbackScheduler(repository, new CallbackSender(options.timeoutMs), box, logger, options, clock),
  },
  {
    provide: CallbackConsumer,
    inject: [CallbackRepository, ROOT_LOGGER, CALLBACK_CLOCK, CallbackScheduler],
    useFactory: (repository: CallbackRepository, logger: Logger, clock: Clock, scheduler: CallbackScheduler) =>
      new CallbackConsumer(repository, logger, clock, scheduler),
  },
  CallbacksLifecycle,
  CallbackMetrics,
];

/**
 * Delivers every delivery-status event (`kabar.status.v1`) to the agency's registered callback URL, signed per
 * Standard Webhooks and retried with backoff for at least 24 h. Needs the global config, bus, database, metrics and SecretBox
 * modules. Import `CallbacksModule` for the defaults, or `CallbacksModule.register({ pollIntervalMs })` to tune it.
 */
@Module({ providers: PROVIDERS })
export class CallbacksModule {
  static register(options: Partial<CallbackSchedulerOptions> = {}, clock: Clock = SYSTEM_CLOCK): DynamicModule {
    return {
      module: CallbacksModule,
      // Nest registers these after the decorator's providers, so they replace the defaults token by token.
      providers: [
        { provide: CALLBACK_OPTIONS, useValue: { ...DEFAULT_CALLBACK_OPTIONS, ...options } },
        { provide: CALLBACK_CLOCK, useValue: clock },
      ],
    };
  }
}
