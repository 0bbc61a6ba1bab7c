import type { KabarConfig } from '@kabar/config';
import type { Logger } from '@kabar/core';
import { type DynamicModule, Global, Module } from '@nestjs/common';

/** Injection tokens for the parsed configuration and the root logger (pino, shaped as @kabar/core's Logger). */
export const KABAR_CONFIG = Symbol('KABAR_CONFIG');
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

@Global()
@Module({})
export class ConfigModule {
  static register(config: KabarConfig, logger: Logger): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: KABAR_CONFIG, useValue: config },
        { provide: ROOT_LOGGER, useValue: logger },
      ],
      exports: [KABAR_CONFIG, ROOT_LOGGER],
    };
  }
}
