import { Metadata, type ServerWritableStream } from '@grpc/grpc-js';
import type { pluginProto } from '@kabar/contracts';
import type { Logger } from '@kabar/core';

/** One hub's open `Events` call. */
export type EventsCall = ServerWritableStream<pluginProto.EventsRequest, pluginProto.EventsResponse>;

/**
 * The plugin's end of `Events` (see plugin.proto): hands each event the hosted provider reports to exactly one
 * connected hub, and keeps them while none is.
 *
 * - Several hubs: they are replicas sharing one database, any of which can apply any event, so events go to them in
 *   turn (round robin). Broadcasting would publish each citizen's reply once per replica.
 * - No hub: the latest `capacity` events wait in memory and go, oldest first, to the next hub that subscribes. A
 *   plugin process cannot hold events forever (nor spill them to disk in a pod), so when the buffer is full the
 *   oldest is dropped; the drops are counted and logged once when they start and again when a hub comes back.
 * - A write to a hub is not acknowledged: an event in flight when its connection breaks is lost. gRPC's own flow
 *   control buffers events for a hub that is connected but slow.
 */
export class EventStreamPublisher {
  private readonly subscribers: EventsCall[] = [];
  private readonly buffer: pluginProto.EventsResponse[] = [];
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
    if (this.closed) {
      call.end();
      return;
    }
    // Headers first, so the hub knows it is subscribed before any event comes (and resets its backoff).
    call.sendMetadata(new Metadata());
    this.subscribers.push(call);
    call.once('close', () => this.leave(call, call.cancelled ? 'hub left' : 'stream ended'));
    const buffered = this.buffer.length;
    this.logger.info({ plugin: this.pluginId, subscribers: this.subscribers.length, buffered, dropped: this.dropped }, 'hub subscribed to events');
    if (this.dropped > 0) {
      this.logger.warn({ plugin: this.pluginId, dropped: this.dropped }, `${this.dropped} events were dropped while no hub was subscribed (buffer of ${this.capacity} full)`);
      this.dropped = 0;
    }
    for (const event of this.buffer.splice(0)) this.publish(event);
  }

  /** Hands one event to a hub, or buffers it; never throws, never blocks the provider that reported it. */
  publish(event: pluginProto.EventsResponse): void {
    if (this.closed) {
      this.lostAtStop += 1;
      return;
    }
    const call = this.nextSubscriber();
    if (call !== undefined) {
      call.write(event);
      return;
    }
    this.buffer.push(event);
    if (this.buffer.length > this.capacity) {
      this.buffer.shift();
      this.dropped += 1;
      if (this.dropped === 1) this.logger.warn({ plugin: this.pluginId, capacity: this.capacity }, 'no hub subscribed to events and the buffer is full: dropping the oldest events');
    }
  }

  /**
   * Ends every hub's stream with status OK, so the server can shut down and the hubs re-open it once a plugin is back,
   * and stops taking events: from now on they are only counted (see `reportLost`). Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const call of this.subscribers.splice(0)) call.end();
  }

  /** Logs how many events no hub will get (buffered, dropped, or reported while stopping); call once stopped. */
  reportLost(): void {
    const lost = this.buffer.length + this.dropped + this.lostAtStop;
    this.buffer.length = 0;
    this.dropped = 0;
    this.lostAtStop = 0;
    if (lost > 0) this.logger.warn({ plugin: this.pluginId, lost }, `${lost} events were never taken by a hub: the plugin stopped`);
  }

  private nextSubscriber(): EventsCall | undefined {
    for (let tries = 0; tries < this.subscribers.length; tries++) {
      this.next = (this.next + 1) % this.subscribers.length;
      const call = this.subscribers[this.next];
      // 'close' comes on a later tick than the cancellation: skip a call that is already gone.
      if (call !== undefined && !call.cancelled && !call.destroyed && !call.writableEnded) return call;
    }
    return undefined;
  }

  private leave(call: EventsCall, why: string): void {
    const index = this.subscribers.indexOf(call);
    if (index === -1) return;
    this.subscribers.splice(index, 1);
    this.logger.info({ plugin: this.pluginId, subscribers: this.subscribers.length }, `hub unsubscribed from events: ${why}`);
  }
}
