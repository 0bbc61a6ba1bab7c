import { Module } from '@nestjs/common';

import { PolicyModule } from '../policy/policy.module.js';
import { CancelService } from './cancel.service.js';
import { EventResolver } from './event.resolver.js';
import { EventsController } from './events.controller.js';
import { IngestConsumer } from './ingest.consumer.js';
import { IngestService } from './ingest.service.js';
import { PublishResolver } from './publish.resolver.js';
import { PublishService } from './publish.service.js';
import { RateLimiter } from './rate-limiter.js';
import { RecordPublishers } from './record-publishers.js';
import { StatusFanout } from './status-fanout.js';

@Module({
  imports: [PolicyModule],
  controllers: [EventsController],
  providers: [CancelService, IngestService, PublishService, RateLimiter, PublishResolver, EventResolver, IngestConsumer, RecordPublishers, StatusFanout],
  exports: [IngestService, PublishService],
})
export class IngestModule {}
