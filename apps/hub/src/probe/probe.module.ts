import type { KabarConfig } from '@kabar/config';
import type { Subscription } from '@kabar/messaging';
import { type BeforeApplicationShutdown, Inject, Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';

import { KABAR_CONFIG } from '../config/config.module.js';
import { ProbeResolver } from './probe.resolver.js';
import { ProbeService } from './probe.service.js';

/** Consumers run in the `worker` and `all` roles only. */
@Injectable()
export class ProbeConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: Subscription | undefined;

  constructor(
    private readonly probes: ProbeService,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role !== 'api') this.subscription = await this.probes.consume();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }
}

@Module({ providers: [ProbeService, ProbeResolver, ProbeConsumer] })
export class ProbeModule {}
