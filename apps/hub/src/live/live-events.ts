import type { Probe } from '@kabar/persistence';
import { Global, Injectable, Module } from '@nestjs/common';
import { PubSub } from 'graphql-subscriptions';

import type { DeliveryStatus } from '../delivery/status-event.js';

/**
 * Every event a GraphQL subscription can follow, with its payload type: publishers and subscribers cannot disagree on
 * a name or a shape. In-process fan-out: a subscriber sees what this instance's consumers handled.
 */
export interface LiveEventMap {
  [event: string]: unknown;
  probeReceived: Probe;
  deliveryStatus: DeliveryStatus;
}

@Injectable()
export class LiveEvents {
  private readonly pubsub = new PubSub<LiveEventMap>();
  private readonly listeners = new Map<string, number>();

  publish<K extends keyof LiveEventMap & string>(name: K, payload: LiveEventMap[K]): Promise<void> {
    return this.pubsub.publish(name, payload);
  }

  /** Whether anybody follows `name` on this instance; producers skip building payloads nobody will read. */
  hasListeners(name: keyof LiveEventMap & string): boolean {
    return (this.listeners.get(name) ?? 0) > 0;
  }

  iterator<K extends keyof LiveEventMap & string>(name: K): AsyncIterableIterator<LiveEventMap[K]> {
    const inner = this.pubsub.asyncIterableIterator<LiveEventMap[K]>(name);
    this.listeners.set(name, (this.listeners.get(name) ?? 0) + 1);
    let open = true;
    const release = (): void => {
      if (!open) return;
      open = false;
      this.listeners.set(name, (this.listeners.get(name) ?? 1) - 1);
    };
    return {
      next: () => inner.next(),
      return: async () => {
        release();
        return inner.return();
      },
      throw: async (error?: unknown) => {
        release();
        return inner.throw(error);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

@Global()
@Module({ providers: [LiveEvents], exports: [LiveEvents] })
export class LiveEventsModule {}
