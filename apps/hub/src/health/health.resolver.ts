import { Query, Resolver } from '@nestjs/graphql';

import { ComponentStatus, Health } from './health.model.js';
import { HealthService } from './health.service.js';

const status = (up: boolean): ComponentStatus => (up ? ComponentStatus.UP : ComponentStatus.DOWN);

@Resolver(() => Health)
export class HealthResolver {
  constructor(private readonly service: HealthService) {}

  @Query(() => Health, { description: 'Database and bus status and the hub version.' })
  async health(): Promise<Health> {
    const report = await this.service.report();
    return {
      status: status(report.database.up && report.bus.up),
      database: status(report.database.up),
      bus: status(report.bus.up),
      detail: `database: ${report.database.detail}; bus: ${report.bus.detail}`,
      mode: report.mode,
      version: report.version,
    };
  }
}
