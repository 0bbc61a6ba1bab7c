import type { KabarConfig } from '@kabar/config';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger as Pino } from 'pino';

import { AppModule } from './app.module.js';
import { configureHttp } from './http-setup.js';
import { nestLogger } from './nest-logger.js';

/** Builds the hub without listening; `main.ts` and the tests share it. */
export async function createHub(config: KabarConfig, logger: Pino): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(config, logger), {
    bodyParser: false,
    abortOnError: false,
    logger: nestLogger(logger),
  });
  // Behind an ingress, the client's address (recorded in the audit trail) is the one the trusted proxies forward.
  if (config.trustProxy !== false) {
    const express = app.getHttpAdapter().getInstance() as { set(name: string, value: unknown): void };
    express.set('trust proxy', config.trustProxy);
  }
  configureHttp(app);
  return app;
}
