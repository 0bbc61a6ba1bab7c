export { CallbackConsumer, CALLBACKS_GROUP_ID } from './callback.consumer.js';
export { CallbackScheduler, type CallbackSchedulerOptions, DEFAULT_CALLBACK_OPTIONS, GAVE_UP } from './callback.scheduler.js';
export { type CallbackAnswer, type CallbackRequest, CallbackSender } from './callback.sender.js';
export { CALLBACK_BACKOFF, CALLBACK_GIVE_UP_AFTER_MS, isDelivered, nextCallbackAttempt, type RetryDecision } from './callback-retry.policy.js';
export { CALLBACK_CLOCK, CALLBACK_OPTIONS, CallbacksLifecycle, CallbacksModule } from './callbacks.module.js';
export { type Clock, SYSTEM_CLOCK } from './clock.type.js';
