import { type KabarConfig, resolveSecretKey } from '@kabar/config';
import { SecretBox } from '@kabar/core';
import { Global, Module } from '@nestjs/common';

import { KABAR_CONFIG } from '../config/config.module.js';
import { KeyringCheck } from './keyring.js';
import { SecretsResolver } from './secrets.resolver.js';
import { SecretsService } from './secrets.service.js';

/**
 * The one SecretBox of the process, from KABAR_SECRET_KEY (or the embedded key file) and KABAR_RETIRED_SECRET_KEYS;
 * KeyringCheck holds it against the database's key registry at init, before anything is served or consumed.
 */
@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [KABAR_CONFIG],
      useFactory: (config: KabarConfig) => {
        const current = resolveSecretKey(config);
        return new SecretBox(Object.fromEntries([current, ...config.retiredSecretKeys].map((k) => [k.id, k.key])), current.id);
      },
    },
    KeyringCheck,
    SecretsService,
    SecretsResolver,
  ],
  exports: [SecretBox, SecretsService],
})
export class SecurityModule {}
