import { Controller, Get } from '@nestjs/common';
import { HealthCheck, type HealthCheckResult, HealthCheckService, type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

import { type ComponentHealth, HealthService } from './health.service.js';

/** Kubernetes probes: `live` says the process serves HTTP; `ready` (and `/health`) that its dependencies answer. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly checks: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly health: HealthService,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get()
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    const report = this.health.report();
    return this.checks.check([
      async () => this.indicate('database', (await report).database),
      async () => this.indicate('bus', (await report).bus),
    ]);
  }

  @Get('ready')
  @HealthCheck()
  readiness(): Promise<HealthCheckResult> {
    return this.ready();
  }

  private indicate(key: 'database' | 'bus', component: ComponentHealth): HealthIndicatorResult {
    const session = this.indicators.check(key);
    return component.up ? session.up({ message: component.detail }) : session.down({ message: component.detail });
  }
}
