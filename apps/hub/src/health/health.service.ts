import { createRequire } from 'node:module';

import type { KabarConfig } from '@kabar/config';
import { describeError } from '@kabar/core';
import type { Bus } from '@kabar/messaging';
import { MikroORM } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';

import { BUS } from '../bus/bus.module.js';
import { KABAR_CONFIG } from '../config/config.module.js';

export interface ComponentHealth {
  readonly up: boolean;
  /** One line for operators; never personal data or credentials. */
  readonly detail: string;
}

export interface HealthReport {
  readonly database: ComponentHealth;
  readonly bus: ComponentHealth;
  readonly version: string;
  readonly mode: 'embedded' | 'full';
}

// Same path from src/ and dist/: both sit one level under apps/hub.
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** One source of truth for `/health` and the GraphQL `health` query. */
@Injectable()
export class HealthService {
  constructor(
    private readonly orm: MikroORM,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
  ) {}

  async report(): Promise<HealthReport> {
    const [database, bus] = await Promise.all([this.database(), this.busHealth()]);
    const embedded = this.config.database.kind === 'pglite' && this.config.kafka === null;
    return { database, bus, version, mode: embedded ? 'embedded' : 'full' };
  }

  private async database(): Promise<ComponentHealth> {
    const check = await this.orm.checkConnection();
    return check.ok ? { up: true, detail: this.config.database.kind } : { up: false, detail: check.reason };
  }

  private async busHealth(): Promise<ComponentHealth> {
    try {
      const health = await this.bus.health();
      return { up: health.up, detail: `${health.kind}: ${health.detail}` };
    } catch (error) {
      return { up: false, detail: describeError(error) };
    }
  }
}
