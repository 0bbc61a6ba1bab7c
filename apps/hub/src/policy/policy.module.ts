import { Module } from '@nestjs/common';

import { NotificationPlanner } from './notification-planner.js';

/** The policy engine's adapter: recipients, history and verdicts turned into rows. */
@Module({
  providers: [NotificationPlanner],
  exports: [NotificationPlanner],
})
export class PolicyModule {}
