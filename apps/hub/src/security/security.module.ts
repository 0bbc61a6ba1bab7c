import { type KabarConfig, resolveSecretKey } from '@kabar/config';
import { SecretBox } from '@kabar/core';
import { EntityManager } from '@mikro-orm/core';
import { Global, Module } from '@nestjs/common';

import { KABAR_CONFIG } from '../config/config.module.js';
import { DatabaseReadiness } from '../database/database.module.js';
import { openKeyring } from './keyring.js';
import { SecretsResolver } from './secrets.resolver.js';
import { SecretsService } from './secrets.service.js';

/**
 * The one SecretBox of the process, from KABAR_SECRET_KEY (or the embedded key file) and KABAR_RETIRED_SECRET_KEYS,
 * checked against the database's key registry before anything can seal or hash with it.
 */
@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [KABAR_CONFIG, DatabaseReadiness, EntityManager],
      useFactory: async (config: KabarConfig, database: DatabaseReadiness, em: EntityManager) => {
        await database.ready();
        return openKeyring(em, { current: resolveSecretKey(config), retired: config.retiredSecretKeys });
      },
    },
    SecretsService,
    SecretsResolver,
  ],
  exports: [SecretBox, SecretsService],
})
export class SecurityModule {}
