import type { KabarConfig } from '@kabar/config';
import { describeError, type Logger, PollingLoop } from '@kabar/core';
import { type BeforeApplicationShutdown, Inject, Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';

import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import { CitizenSurveyResolver } from './citizen-survey.resolver.js';
import { SurveyResolver } from './survey.resolver.js';
import { SurveyService } from './survey.service.js';
import { EXPIRY_BATCH, SurveyRunner } from './survey-runner.js';

/**
 * Closes the surveys left unfinished at their deadlines, in the worker roles (on any worker: the jobs are rows). The
 * replies come through the inbound stage (ComplaintsModule), which hands them to SurveyRunner first.
 */
@Injectable()
export class SurveyDeadlines implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: PollingLoop;

  constructor(
    runner: SurveyRunner,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.loop = new PollingLoop(() => runner.expireDue(), {
      batchSize: EXPIRY_BATCH,
      pollIntervalMs: 60_000,
      onError: (error, failures) => logger.warn({ error: describeError(error), failures }, 'survey deadlines round failed; will retry'),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.role !== 'api') this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}

@Module({ providers: [SurveyService, SurveyResolver, CitizenSurveyResolver, SurveyRunner, SurveyDeadlines], exports: [SurveyService, SurveyRunner] })
export class SurveyModule {}
