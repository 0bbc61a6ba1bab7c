export { CircuitBreaker, type CircuitBreakerPolicy, type CircuitState, DEFAULT_CIRCUIT_BREAKER } from './circuit-breaker.js';
export { DEFAULT_DELIVERY_RETRY, type DeliveryRetryPolicy, nextDeliveryAttempt } from './delivery-retry.js';
export { orderRoutes, type RankedRoute } from './route-order.js';
export { SANDBOX_ADDRESSES, sandboxChannel, type SandboxOutcome,sandboxOutcome } from './sandbox.js';
export { SendRateLimiter } from './send-rate-limiter.js';
