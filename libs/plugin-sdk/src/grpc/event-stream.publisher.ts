import { create } from '@bufbuild/protobuf';
import { Metadata, type ServerDuplexStream, type ServerWritableStream } from '@grpc/grpc-js';
import { pluginProto } from '@kabar/contracts';
import type { Logger } from '@kabar/core';

/** One hub's open `Events` call. */
export type EventsCall = ServerWritableStream<pluginProto.EventsRequest, pluginProto.EventsResponse>;

/** One hub's open `AcknowledgedEvents` call. */
export type AcknowledgedEventsCall = ServerDuplexStream<pluginProto.AcknowledgedEventsRequest, pluginProto.AcknowledgedEventsResponse>;

/** How long an event the hub could not record waits before it is written again (to whichever hub is there then). */
export const REWRITE_AFTER_MS = 1_000;

/** An event on its way, and how to tell the plugin's hook it is done with. */
interface Pending {
  readonly event: pluginProto.EventsResponse;
  readonly done: () => void;
}

interface Subscriber {
  readonly call: EventsCall | AcknowledgedEventsCall;
  /** On `AcknowledgedEvents`: the events written to this hub and not acknowledged yet, by sequence, in order. */
  readonly unacknowledged?: Map<bigint, Pending>;
}

/**
 * The plugin's end of `Events` and `AcknowledgedEvents` (see plugin.proto): hands each event the hosted provider
 * reports to exactly one connected hub, and keeps them while none is.
 *
 * - Several hubs: they are replicas sharing one database, any of which can apply any event, so events go to them in
 *   turn (round robin). Broadcasting would publish each citizen's reply once per replica.
 * - No hub: the latest `capacity` events wait in memory and go, oldest first, to the next hub that subscribes. A
 *   plugin process cannot hold events forever (nor spill them to disk in a pod), so when the buffer is full the
 *   oldest is dropped; the drops are counted and logged once when they start and again when a hub comes back.
 * - On `AcknowledgedEvents` an event is kept until the hub says it recorded it: one the hub could not record is
 *   written again after REWRITE_AFTER_MS, and those written to a stream that ends unacknowledged go to the other hubs
 *   (or the buffer), in their order. On `Events` (hubs built before acknowledgements) a write is not acknowledged:
 *   an event in flight when its connection breaks is lost. Either way gRPC's own flow control buffers events for a
 *   hub that is connected but slow.
 * - `publish` resolves once a hub has recorded the event (acknowledged it, or took it on `Events`), or once nothing
 *   more will become of it (dropped, or the plugin stopping), so a plugin can answer its peer only then: an SMSC
 *   left without an answer delivers again, and the event survives this process crashing meanwhile.
 */
export class EventStreamPublisher {
  private readonly subscribers: Subscriber[] = [];
  private readonly buffer: Pending[] = [];
  private readonly rewrites = new Map<NodeJS.Timeout, Pending>();
  private sequence = 0n;
  private next = 0;
  private dropped = 0;
  private lostAtStop = 0;
  private closed = false;

  constructor(
    private readonly pluginId: string,
    private readonly capacity: number,
    private readonly logger: Logger,
  ) {}

  /** The `Events` handler: keeps the call open until the hub leaves or the plugin stops. */
  subscribe(call: EventsCall): void {
    this.add({ call });
  }

  /** The `AcknowledgedEvents` handler: as `subscribe`, and each event is kept until the hub acknowledges it. */
  subscribeAcknowledged(call: AcknowledgedEventsCall): void {
    const subscriber: Subscriber = { call, unacknowledged: new Map() };
    call.on('data', (ack: pluginProto.AcknowledgedEventsRequest) => this.acknowledge(subscriber, ack));
    // A hub that goes away mid-stream also ends the call, which is where it is handled; without a listener 'error' would throw.
    call.on('error', () => undefined);
    this.add(subscriber);
  }

  /**
   * Hands one event to a hub, or buffers it; never throws or rejects. Resolves when a hub has recorded it (see the
   * class): a caller that answers a peer waits for it only as long as the peer would.
   */
  publish(event: pluginProto.EventsResponse): Promise<void> {
    return new Promise((done) => this.hand({ event, done }));
  }

  private hand(pending: Pending): void {
    if (this.closed) {
      this.lostAtStop += 1;
      pending.done();
      return;
    }
    const subscriber = this.nextSubscriber();
    if (subscriber !== undefined) {
      this.write(subscriber, pending);
      return;
    }
    this.buffer.push(pending);
    if (this.buffer.length > this.capacity) {
      this.buffer.shift()?.done();
      this.dropped += 1;
      if (this.dropped === 1) this.logger.warn({ plugin: this.pluginId, capacity: this.capacity }, 'no hub subscribed to events and the buffer is full: dropping the oldest events');
    }
  }

  /**
   * Ends every hub's stream with status OK, so the server can shut down and the hubs re-open it once a plugin is back,
   * and stops taking events: from now on they are only counted (see `reportLost`), as are those still waiting for an
   * acknowledgement or to be written again. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.lostAtStop += this.rewrites.size;
    for (const [timer, pending] of this.rewrites) {
      clearTimeout(timer);
      pending.done();
    }
    this.rewrites.clear();
    for (const { call, unacknowledged } of this.subscribers.splice(0)) {
      this.lostAtStop += unacknowledged?.size ?? 0;
      for (const pending of unacknowledged?.values() ?? []) pending.done();
      call.end();
    }
    // Still counted by reportLost; nobody waits for them any more.
    for (const pending of this.buffer) pending.done();
  }

  /** Logs how many events no hub will get (buffered, dropped, or reported while stopping); call once stopped. */
  reportLost(): void {
    const lost = this.buffer.length + this.dropped + this.lostAtStop;
    this.buffer.length = 0;
    this.dropped = 0;
    this.lostAtStop = 0;
    if (lost > 0) this.logger.warn({ plugin: this.pluginId, lost }, `${lost} events were never taken by a hub: the plugin stopped`);
  }

  private add(subscriber: Subscriber): void {
    const { call } = subscriber;
    if (this.closed) {
      call.end();
      return;
    }
    // Headers first, so the hub knows it is subscribed before any event comes (and resets its backoff).
    call.sendMetadata(new Metadata());
    this.subscribers.push(subscriber);
    call.once('close', () => this.leave(subscriber, call.cancelled ? 'hub left' : 'stream ended'));
    const buffered = this.buffer.length;
    this.logger.info({ plugin: this.pluginId, subscribers: this.subscribers.length, buffered, dropped: this.dropped, acknowledged: subscriber.unacknowledged !== undefined }, 'hub subscribed to events');
    if (this.dropped > 0) {
      this.logger.warn({ plugin: this.pluginId, dropped: this.dropped }, `${this.dropped} events were dropped while no hub was subscribed (buffer of ${this.capacity} full)`);
      this.dropped = 0;
    }
    for (const pending of this.buffer.splice(0)) this.hand(pending);
  }

  private write(subscriber: Subscriber, pending: Pending): void {
    if (subscriber.unacknowledged === undefined) {
      (subscriber.call as EventsCall).write(pending.event);
      // Nothing more will be heard of it on `Events`.
      pending.done();
      return;
    }
    this.sequence += 1n;
    subscriber.unacknowledged.set(this.sequence, pending);
    (subscriber.call as AcknowledgedEventsCall).write(create(pluginProto.AcknowledgedEventsResponseSchema, { sequence: this.sequence, event: pending.event }));
  }

  private acknowledge(subscriber: Subscriber, ack: pluginProto.AcknowledgedEventsRequest): void {
    const pending = subscriber.unacknowledged?.get(ack.sequence);
    // Unknown or already acknowledged: a hub's bug, or an acknowledgement that crossed the stream's end.
    if (pending === undefined) return;
    subscriber.unacknowledged?.delete(ack.sequence);
    if (ack.recorded) {
      pending.done();
      return;
    }
    // The hub could not record it (its database): again after a pause, rather than at once into the same failure.
    const timer = setTimeout(() => {
      this.rewrites.delete(timer);
      this.hand(pending);
    }, REWRITE_AFTER_MS);
    this.rewrites.set(timer, pending);
  }

  private nextSubscriber(): Subscriber | undefined {
    for (let tries = 0; tries < this.subscribers.length; tries++) {
      this.next = (this.next + 1) % this.subscribers.length;
      const subscriber = this.subscribers[this.next];
      const call = subscriber?.call;
      // 'close' comes on a later tick than the cancellation: skip a call that is already gone.
      if (call !== undefined && !call.cancelled && !call.destroyed && !call.writableEnded) return subscriber;
    }
    return undefined;
  }

  private leave(subscriber: Subscriber, why: string): void {
    const index = this.subscribers.indexOf(subscriber);
    if (index === -1) return;
    this.subscribers.splice(index, 1);
    this.logger.info({ plugin: this.pluginId, subscribers: this.subscribers.length }, `hub unsubscribed from events: ${why}`);
    // Written to this hub and never acknowledged: to the others (or the buffer), in the order they were written.
    const orphans = [...(subscriber.unacknowledged?.values() ?? [])];
    subscriber.unacknowledged?.clear();
    for (const pending of orphans) this.hand(pending);
  }
}
