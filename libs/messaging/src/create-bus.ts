import type { KafkaConfig } from '@kabar/config';
import type { Logger } from '@kabar/core';

import type { Bus } from './bus.js';
import { InProcessBus } from './in-process-bus.js';
import { KafkaBus } from './kafka-bus.js';
import { ALL_TOPICS } from './topics.js';

/** Kafka when brokers are configured, else the in-process bus (embedded mode). */
export function createBus(kafka: KafkaConfig | null, logger: Logger): Bus {
  if (kafka === null) return new InProcessBus(logger);
  return new KafkaBus({ ...kafka, topics: ALL_TOPICS }, logger);
}
