import type { KabarConfig } from '@kabar/config';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';

import { AgencyModule } from './agencies/agency.module.js';
import { AuditModule } from './audit/index.js';
import { AuthModule } from './auth/index.js';
import { BusModule } from './bus/bus.module.js';
import { CallbacksModule } from './callbacks/callbacks.module.js';
import { CatalogModule } from './catalog/catalog.module.js';
import { CitizensModule } from './citizens/index.js';
import { ComplaintsModule } from './complaints/complaints.module.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DeliveryModule } from './delivery/delivery.module.js';
import { DemoModule } from './demo/demo.module.js';
import { ProblemFilter } from './errors/problem.filter.js';
import { KabarGraphqlModule } from './graphql/graphql.module.js';
import { HealthModule } from './health/health.module.js';
import { IngestModule } from './ingest/ingest.module.js';
import { LiveEventsModule } from './live/live-events.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PluginAdminModule } from './plugin-admin/plugin-admin.module.js';
import { ProbeModule } from './probe/probe.module.js';
import { ProviderWebhooksModule } from './provider-webhooks/index.js';
import { SecurityModule } from './security/security.module.js';
import { SurveyModule } from './surveys/survey.module.js';

const QUIET_PATHS = /^\/(health|metrics|graphiql)(\/|$|\?)/;

@Module({})
export class AppModule {
  /** The whole hub for one configuration; `role` decides whether the GraphQL API is mounted. */
  static register(config: KabarConfig, logger: Pino): DynamicModule {
    const api = config.role !== 'worker';
    return {
      module: AppModule,
      providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
      imports: [
        ConfigModule.register(config, logger),
        LoggerModule.forRoot({
          pinoHttp: {
            logger,
            autoLogging: { ignore: (req) => QUIET_PATHS.test(req.url ?? '') },
            // Requests are logged without headers or query strings: either may carry keys or personal data.
            serializers: {
              req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
        MetricsModule,
        LiveEventsModule,
        DatabaseModule.register(config),
        BusModule,
        HealthModule,
        SecurityModule,
        AuthModule,
        ProbeModule,
        AgencyModule,
        AuditModule,
        CatalogModule,
        SurveyModule,
        ComplaintsModule,
        CitizensModule,
        IngestModule,
        DeliveryModule,
        CallbacksModule.register({}),
        DemoModule,
        PluginAdminModule,
        ProviderWebhooksModule,
        ...(api ? [KabarGraphqlModule] : []),
      ],
    };
  }
}
