export type { BatchHandler, Bus, BusHealth, BusKind, BusRecord, ReceivedRecord, SubscribeOptions, Subscription } from './bus.js';
export { createBus } from './create-bus.js';
export { InProcessBus } from './in-process-bus.js';
export { KafkaBus, type KafkaBusOptions } from './kafka-bus.js';
export { type DrainLeaves, OutboxRelay, type OutboxRelayOptions, type OutboxRow, type OutboxStore } from './outbox-relay.js';
export { ALL_TOPICS, type TopicName, TOPICS } from './topics.js';
