import type { KabarConfig } from '@kabar/config';
import { type Bus, type Subscription, TOPICS } from '@kabar/messaging';
import { type BeforeApplicationShutdown, Inject, Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';

import { BUS } from '../bus/bus.module.js';
import { KABAR_CONFIG } from '../config/config.module.js';
import { SurveyResolver } from './survey.resolver.js';
import { SurveyService } from './survey.service.js';
import { SurveyRunner, SURVEYS_GROUP_ID } from './survey-runner.js';

/** Runs the survey stage on citizens' replies in the worker roles; an api-only instance just serves requests. */
@Injectable()
export class SurveyConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: Subscription | undefined;

  constructor(
    private readonly runner: SurveyRunner,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    this.subscription = await this.bus.subscribe({ groupId: SURVEYS_GROUP_ID, topics: [TOPICS.inbound], handler: (records) => this.runner.handle(records) });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }
}

@Module({ providers: [SurveyService, SurveyResolver, SurveyRunner, SurveyConsumer] })
export class SurveyModule {}
