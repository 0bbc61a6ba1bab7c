import { Module } from '@nestjs/common';

import { NotificationPlanner } from './notification-planner.js';
import { WaitingScheduler } from './waiting.scheduler.js';

/** The policy engine's adapter: recipients, history and verdicts turned into rows. */
@Module({
  providers: [NotificationPlanner, WaitingScheduler],
  exports: [NotificationPlanner, WaitingScheduler],
})
export class PolicyModule {}
