import type { Writable } from 'node:stream';

import {
  type ChannelProvider,
  type OutboundMessage,
  PluginError,
  PluginErrorCode,
  type ProviderCheck,
  type SendOutcome,
  sentOutcome,
} from '@kabar/plugin-sdk';

/** What a console line carries: enough to follow a notification through the hub, nothing about the person. */
export interface ConsoleLine {
  readonly notificationId: string;
  readonly channel: string;
  readonly agencyCode: string;
  readonly eventType: string;
  readonly locale: string;
  /** In UTF-16 code units, as JavaScript counts and as a Unicode (UCS-2) SMS is segmented. */
  readonly bodyLength: number;
}

/** Writes one JSON line per message; for development and demos, where no real peer exists. */
export class ConsoleProvider implements ChannelProvider {
  constructor(
    private readonly stream: Writable,
    private readonly streamName: string,
  ) {}

  async send(batch: readonly OutboundMessage[]): Promise<SendOutcome[]> {
    if (batch.length === 0) return [];
    // Never `to`, `body`, `subject` or `html`: this output ends up in terminals and log collectors.
    const text = batch.map((message) => `${JSON.stringify(lineFor(message))}\n`).join('');
    await new Promise<void>((resolve, reject) => {
      this.stream.write(text, (error) => {
        if (error === null || error === undefined) resolve();
        else reject(new PluginError(PluginErrorCode.ProviderError, `cannot write to ${this.streamName}: ${error.message}`));
      });
    });
    return batch.map((message) => sentOutcome(message));
  }

  check(): Promise<ProviderCheck> {
    const ok = this.stream.writable;
    return Promise.resolve({ ok, detail: ok ? `writing to ${this.streamName}` : `${this.streamName} is closed` });
  }

  close(): Promise<void> {
    // The stream is borrowed (usually the process's stdout), so it stays open for everyone else.
    return Promise.resolve();
  }
}

function lineFor(message: OutboundMessage): ConsoleLine {
  return {
    notificationId: message.notificationId,
    channel: message.channel,
    agencyCode: message.agencyCode,
    eventType: message.eventType,
    locale: message.locale,
    bodyLength: message.body.length,
  };
}
