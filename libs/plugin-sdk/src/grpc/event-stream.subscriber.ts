import { create } from '@bufbuild/protobuf';
import { type ClientDuplexStream, type ClientReadableStream, status, type StatusObject } from '@grpc/grpc-js';
import { pluginProto } from '@kabar/contracts';
import type { Logger } from '@kabar/core';

import type { Channel } from '../channel.type.js';
import type { PluginContext } from '../plugin-manifest.type.js';
import type { ChannelPluginClient } from './channel-plugin.client.js';
import { fromProtoEvent, type ProviderEvent } from './grpc-event.mapper.js';

/** Where a remote plugin's events go: the hub's hooks from its `PluginContext`. */
export type ProviderEventHooks = Pick<PluginContext, 'onDeliveryReceipt' | 'onInbound'>;

/** How soon the stream is re-opened after it ended or could not open (doubling from `initialMs` up to `maxMs`). */
export interface EventStreamBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
  /** After an UNIMPLEMENTED answer (a plugin built before `Events`): it may be upgraded, but not every second. */
  readonly unimplementedMs: number;
}

// Capped like the channel's own reconnects (channel-plugin.client.ts): a restarted plugin is back within seconds.
const DEFAULT_BACKOFF: EventStreamBackoff = { initialMs: 250, maxMs: 5_000, unimplementedMs: 60_000 };

/**
 * Events handed to the hooks and not yet done, beyond which the stream is paused: gRPC flow control then holds the
 * rest on the plugin's side instead of this process's memory filling up while the database is slow.
 */
const MAX_PENDING = 64;

type UsableEvent = Exclude<ProviderEvent, { readonly kind: 'unusable' }>;

/** The open stream: `AcknowledgedEvents`, or `Events` from a plugin built before it. */
type EventsStream =
  | { readonly acknowledged: true; readonly call: ClientDuplexStream<pluginProto.AcknowledgedEventsRequest, pluginProto.AcknowledgedEventsResponse> }
  | { readonly acknowledged: false; readonly call: ClientReadableStream<pluginProto.EventsResponse> };

/**
 * The hub's end of `AcknowledgedEvents` (or of `Events`, for a plugin that answers UNIMPLEMENTED to it): keeps the
 * stream open for as long as the route exists, re-opening it with backoff (and jitter, so replicas do not all knock
 * at once) whenever it ends or fails, and hands each event to the hooks one at a time, in the stream's order. Each is
 * acknowledged when its hook is done: recorded, or not when the hook rejected (the hub could not record it), and the
 * plugin then sends it again. An event the hub cannot use is logged by what is wrong with it, never by its content,
 * and acknowledged as done; a hook that throws is logged and the stream carries on.
 */
export class EventStreamSubscription {
  private stream: EventsStream | undefined;
  /** Until a plugin answers UNIMPLEMENTED to `AcknowledgedEvents`; asked again whenever `Events` is refused too. */
  private acknowledged = true;
  private timer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private closed = false;
  private pending = 0;
  private handled: Promise<void> = Promise.resolve();
  private failedAttempts = 0;
  private toldUnimplemented = false;

  constructor(
    private readonly client: ChannelPluginClient,
    private readonly channel: Channel,
    private readonly hooks: ProviderEventHooks,
    private readonly logger: Logger,
    private readonly backoff: EventStreamBackoff = DEFAULT_BACKOFF,
  ) {
    this.delayMs = backoff.initialMs;
  }

  start(): void {
    this.open();
  }

  /** Cancels the stream and any pending re-open, then waits for the hooks still running; idempotent. */
  close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.stream?.call.cancel();
    this.stream = undefined;
    return this.handled;
  }

  private open(): void {
    this.timer = undefined;
    if (this.closed) return;
    const stream: EventsStream = this.acknowledged ? { acknowledged: true, call: this.client.openAcknowledgedEvents() } : { acknowledged: false, call: this.client.openEvents() };
    this.stream = stream;
    const { call } = stream;
    let opened = false;
    call.on('metadata', () => {
      opened = true;
      this.delayMs = this.backoff.initialMs;
      this.logger.info({ plugin: 'grpc', address: this.client.address, attempts: this.failedAttempts + 1, acknowledged: stream.acknowledged }, 'events stream open: receipts and replies from the plugin are received');
      this.failedAttempts = 0;
    });
    if (stream.acknowledged) {
      stream.call.on('data', (numbered: pluginProto.AcknowledgedEventsResponse) => this.receive(stream, numbered.event, numbered.sequence));
    } else {
      stream.call.on('data', (event: pluginProto.EventsResponse) => this.receive(stream, event, undefined));
    }
    // A failed call also emits 'status', which is where it is handled; without a listener 'error' would throw.
    call.on('error', () => undefined);
    call.once('status', (result: StatusObject) => this.ended(stream, result, opened));
  }

  private receive(stream: EventsStream, wire: pluginProto.EventsResponse | undefined, sequence: bigint | undefined): void {
    const event: ProviderEvent = wire === undefined ? { kind: 'unusable', reason: 'an acknowledged event carries no event' } : fromProtoEvent(wire, this.channel);
    if (event.kind === 'unusable') {
      this.logger.warn({ plugin: 'grpc', address: this.client.address, reason: event.reason }, `event from the plugin ignored: ${event.reason}`);
      // Done with for good: sent again it would be ignored again.
      this.acknowledge(stream, sequence, true);
      return;
    }
    const { call } = stream;
    this.pending += 1;
    if (this.pending === MAX_PENDING) call.pause();
    this.handled = this.handled
      .then(() => this.deliver(event))
      .then((recorded) => this.acknowledge(stream, sequence, recorded))
      .finally(() => {
        this.pending -= 1;
        if (this.pending === MAX_PENDING / 2) call.resume();
      });
  }

  /** Tells the plugin what became of an event of `AcknowledgedEvents`; nothing on `Events`, or once the stream is gone. */
  private acknowledge(stream: EventsStream, sequence: bigint | undefined, recorded: boolean): void {
    // An acknowledgement the ended stream cannot carry is not needed: the plugin sends the event again.
    if (!stream.acknowledged || sequence === undefined || this.stream !== stream || stream.call.writableEnded) return;
    stream.call.write(create(pluginProto.AcknowledgedEventsRequestSchema, { sequence, recorded }));
  }

  /** Resolves to whether the hub took the event (its hook resolved). */
  private async deliver(event: UsableEvent): Promise<boolean> {
    try {
      switch (event.kind) {
        case 'receipt':
          await this.hooks.onDeliveryReceipt?.(event.receipt);
          return true;
        case 'inbound':
          await this.hooks.onInbound?.(event.message);
          return true;
      }
    } catch (error) {
      // The hooks are the hub's own; their errors may quote the event (a phone number), so only the type is logged.
      this.logger.error({ plugin: 'grpc', address: this.client.address, kind: event.kind, errorType: error instanceof Error ? error.name : typeof error }, 'an event from the plugin was not taken by the hub');
      return false;
    }
  }

  private ended(stream: EventsStream, result: StatusObject, opened: boolean): void {
    if (this.stream === stream) this.stream = undefined;
    if (this.closed) return;
    const where = { plugin: 'grpc', address: this.client.address, code: status[result.code], details: result.details };
    if (result.code === status.UNIMPLEMENTED && stream.acknowledged) {
      // A plugin built before acknowledgements: its `Events`, at once.
      this.acknowledged = false;
      this.reopenIn(0);
      return;
    }
    if (result.code === status.UNIMPLEMENTED) {
      // Next time, ask for acknowledged events first again: the plugin may have been upgraded meanwhile.
      this.acknowledged = true;
      if (!this.toldUnimplemented) {
        this.logger.warn(where, `the plugin does not serve Events: its receipts and replies are not received (asking again every ${this.backoff.unimplementedMs} ms)`);
        this.toldUnimplemented = true;
      }
      this.reopenIn(this.backoff.unimplementedMs);
      return;
    }
    if (opened) {
      // Once per outage; the attempts that follow are debug lines until it is open again.
      this.logger.warn(where, 'events stream ended: re-opening it (is the plugin process restarting?)');
    } else {
      this.failedAttempts += 1;
      this.logger.debug({ ...where, attempts: this.failedAttempts }, 'events stream could not be opened: trying again');
    }
    this.reopenIn(this.delayMs * (0.8 + Math.random() * 0.4));
    this.delayMs = Math.min(this.delayMs * 2, this.backoff.maxMs);
  }

  private reopenIn(ms: number): void {
    this.timer = setTimeout(() => this.open(), Math.round(ms));
    // A route that is forgotten without close() must not keep the process alive.
    this.timer.unref();
  }
}
