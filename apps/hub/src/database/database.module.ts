import type { KabarConfig } from '@kabar/config';
import type { Logger } from '@kabar/core';
import { DatabaseUnavailableError, describeDatabase, migrate, ormOptions, waitForDatabase } from '@kabar/persistence';
import { MikroORM } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { type DynamicModule, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';

import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import { StartupError, StartupErrorCode } from '../errors/startup-error.js';

/**
 * Makes sure the database answers and its schema is current before anything else starts. Embedded mode migrates by
 * itself (a laptop has no operator); a PostgreSQL deployment is migrated by `kabar migrate`, and the hub refuses to
 * run on a schema it does not know.
 */
@Injectable()
export class DatabaseReadiness implements OnModuleInit {
  private readiness: Promise<void> | undefined;

  constructor(
    private readonly orm: MikroORM,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.ready();
  }

  /** Once per process: providers that read the database while the hub is built (the key registry) wait on it too. */
  ready(): Promise<void> {
    this.readiness ??= this.prepare();
    return this.readiness;
  }

  private async prepare(): Promise<void> {
    const where = describeDatabase(this.config.database);
    try {
      await waitForDatabase(this.orm, this.config.databaseConnectTimeoutMs, this.logger, where);
    } catch (error) {
      if (error instanceof DatabaseUnavailableError) {
        throw new StartupError(StartupErrorCode.DatabaseUnavailable, `${error.message}. Check DATABASE_URL, or unset it for the embedded database.`);
      }
      throw error;
    }
    if (this.config.database.kind === 'pglite') {
      const applied = await migrate(this.orm);
      if (applied.length > 0) this.logger.info({ applied }, 'applied database migrations');
      return;
    }
    const pending = await this.orm.migrator.getPending();
    if (pending.length > 0) {
      throw new StartupError(
        StartupErrorCode.SchemaBehind,
        `the database schema is behind by ${pending.length} migration(s) (${pending.map((m) => m.name).join(', ')}); run \`kabar migrate\` first`,
      );
    }
  }
}

@Module({})
export class DatabaseModule {
  static register(config: KabarConfig): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      // Repositories fork the EntityManager per unit of work, so no per-request context middleware is needed.
      imports: [MikroOrmModule.forRoot({ ...ormOptions(config.database), registerRequestContext: false })],
      providers: [DatabaseReadiness],
      exports: [DatabaseReadiness],
    };
  }
}
