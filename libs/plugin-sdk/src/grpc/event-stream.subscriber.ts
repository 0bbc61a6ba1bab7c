import { type ClientReadableStream, status, type StatusObject } from '@grpc/grpc-js';
import type { pluginProto } from '@kabar/contracts';
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

/**
 * The hub's end of `Events`: keeps the stream open for as long as the route exists, re-opening it with backoff (and
 * jitter, so replicas do not all knock at once) whenever it ends or fails, and hands each event to the hooks one at
 * a time, in the stream's order. An event the hub cannot use is logged by what is wrong with it, never by its
 * content, and skipped; a hook that throws is logged and the stream carries on.
 */
export class EventStreamSubscription {
  private call: ClientReadableStream<pluginProto.EventsResponse> | undefined;
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
    this.call?.cancel();
    this.call = undefined;
    return this.handled;
  }

  private open(): void {
    this.timer = undefined;
    if (this.closed) return;
    const call = this.client.openEvents();
    this.call = call;
    let opened = false;
    call.on('metadata', () => {
      opened = true;
      this.delayMs = this.backoff.initialMs;
      this.logger.info({ plugin: 'grpc', address: this.client.address, attempts: this.failedAttempts + 1 }, 'events stream open: receipts and replies from the plugin are received');
      this.failedAttempts = 0;
    });
    call.on('data', (event: pluginProto.EventsResponse) => this.receive(call, event));
    // A failed call also emits 'status', which is where it is handled; without a listener 'error' would throw.
    call.on('error', () => undefined);
    call.once('status', (result: StatusObject) => this.ended(call, result, opened));
  }

  private receive(call: ClientReadableStream<pluginProto.EventsResponse>, wire: pluginProto.EventsResponse): void {
    const event = fromProtoEvent(wire, this.channel);
    if (event.kind === 'unusable') {
      this.logger.warn({ plugin: 'grpc', address: this.client.address, reason: event.reason }, `event from the plugin ignored: ${event.reason}`);
      return;
    }
    this.pending += 1;
    if (this.pending === MAX_PENDING) call.pause();
    this.handled = this.handled
      .then(() => this.deliver(event))
      .finally(() => {
        this.pending -= 1;
        if (this.pending === MAX_PENDING / 2) call.resume();
      });
  }

  private async deliver(event: UsableEvent): Promise<void> {
    try {
      switch (event.kind) {
        case 'receipt':
          await this.hooks.onDeliveryReceipt?.(event.receipt);
          return;
        case 'inbound':
          await this.hooks.onInbound?.(event.message);
          return;
      }
    } catch (error) {
      // The hooks are the hub's own; their errors may quote the event (a phone number), so only the type is logged.
      this.logger.error({ plugin: 'grpc', address: this.client.address, kind: event.kind, errorType: error instanceof Error ? error.name : typeof error }, 'an event from the plugin was not taken by the hub');
    }
  }

  private ended(call: ClientReadableStream<pluginProto.EventsResponse>, result: StatusObject, opened: boolean): void {
    if (this.call === call) this.call = undefined;
    if (this.closed) return;
    const where = { plugin: 'grpc', address: this.client.address, code: status[result.code], details: result.details };
    if (result.code === status.UNIMPLEMENTED) {
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
