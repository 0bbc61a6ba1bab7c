import { type KabarConfig, resolveSecretKey } from '@kabar/config';
import { SecretBox } from '@kabar/core';
import { Global, Module } from '@nestjs/common';

import { KABAR_CONFIG } from '../config/config.module.js';

/** The one SecretBox of the process, from KABAR_SECRET_KEY (or the embedded key file). */
@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [KABAR_CONFIG],
      useFactory: (config: KabarConfig) => {
        const { id, key } = resolveSecretKey(config);
        return new SecretBox({ [id]: key }, id);
      },
    },
  ],
  exports: [SecretBox],
})
export class SecurityModule {}
