import type { KabarConfig } from '@kabar/config';
import { describeError, type Logger, PollingLoop } from '@kabar/core';
import { type Bus, type Subscription, TOPICS } from '@kabar/messaging';
import { type BeforeApplicationShutdown, Inject, Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';

import { BUS } from '../bus/bus.module.js';
import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import { CitizenSurveyResolver } from './citizen-survey.resolver.js';
import { SurveyResolver } from './survey.resolver.js';
import { SurveyService } from './survey.service.js';
import { EXPIRY_BATCH, SurveyRunner, SURVEYS_GROUP_ID } from './survey-runner.js';

/**
 * Runs the survey stage in the worker roles: citizens' replies from the bus, and the deadlines of surveys left
 * unfinished (on any worker: the jobs are rows). An api-only instance just serves requests.
 */
@Injectable()
export class SurveyConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: Subscription | undefined;
  private readonly deadlines: PollingLoop;

  constructor(
    private readonly runner: SurveyRunner,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.deadlines = new PollingLoop(() => this.runner.expireDue(), {
      batchSize: EXPIRY_BATCH,
      pollIntervalMs: 60_000,
      onError: (error, failures) => logger.warn({ error: describeError(error), failures }, 'survey deadlines round failed; will retry'),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    this.subscription = await this.bus.subscribe({ groupId: SURVEYS_GROUP_ID, topics: [TOPICS.inbound], handler: (records) => this.runner.handle(records) });
    this.deadlines.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
    await this.deadlines.stop();
  }
}

@Module({ providers: [SurveyService, SurveyResolver, CitizenSurveyResolver, SurveyRunner, SurveyConsumer], exports: [SurveyService] })
export class SurveyModule {}
