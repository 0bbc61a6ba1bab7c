import { Module } from '@nestjs/common';

import { DeliveryModule } from '../delivery/delivery.module.js';
import { NotificationPlanner } from './notification-planner.js';
import { WaitingScheduler } from './waiting.scheduler.js';

/** The policy engine's adapter: recipients, history and verdicts turned into rows. */
@Module({
  imports: [DeliveryModule],
  providers: [NotificationPlanner, WaitingScheduler],
  exports: [NotificationPlanner, WaitingScheduler],
})
export class PolicyModule {}
