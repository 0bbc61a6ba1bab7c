import type { CircuitBreakerPolicy, DeliveryRetryPolicy } from '@kabar/core';

export const PLUGIN_REGISTRY = Symbol('PLUGIN_REGISTRY');

/** Retry and circuit-breaker settings for dispatch, from the configuration. */
export const DELIVERY_RESILIENCE = Symbol('DELIVERY_RESILIENCE');

export interface DeliveryResilience {
  readonly retry: DeliveryRetryPolicy;
  readonly breaker: CircuitBreakerPolicy;
}
