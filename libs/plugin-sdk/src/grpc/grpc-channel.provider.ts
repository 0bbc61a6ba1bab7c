import { describeError, type Logger, SILENT_LOGGER } from '@kabar/core';

import type { Channel } from '../channel.type.js';
import type { ChannelProvider, ProviderCheck, ProviderMedia } from '../channel-provider.type.js';
import type { OutboundMessage } from '../outbound-message.type.js';
import type { SendOutcome } from '../send-outcome.type.js';
import { ChannelPluginClient, type GrpcConnectionOptions, type RemotePluginDescription } from './channel-plugin.client.js';
import { EventStreamSubscription, type ProviderEventHooks } from './event-stream.subscriber.js';
import { fromProtoOutcomes } from './grpc-message.mapper.js';

const DESCRIBE_TIMEOUT_MS = 5_000;

export interface GrpcChannelProviderOptions extends GrpcConnectionOptions {
  /** The channel the hub routes to this plugin; `check()` fails when the remote plugin serves another. */
  readonly channel: Channel;
  /**
   * Where the plugin's delivery receipts and citizens' replies go (the hub's context hooks). With either hook, the
   * provider keeps the plugin's `Events` stream open until `close()`, re-opening it whenever it ends.
   */
  readonly hooks?: ProviderEventHooks;
  /** For the events stream coming and going and for events it ignores; never given personal data. */
  readonly logger?: Logger;
}

/**
 * A plugin running in another process (any language), reached over gRPC (`kabar.v1.ChannelPlugin`). Whole-call
 * failures map to retryable or permanent `PluginError`s by gRPC status, and an answer that does not match the batch
 * fails the whole batch, retryably. Given hooks, it also receives what the provider reports later (see `hooks`).
 * @example const provider = new GrpcChannelProvider({ address: '127.0.0.1:50051', channel: 'sms', timeoutMs: 30_000, hooks: { onDeliveryReceipt } })
 */
export class GrpcChannelProvider implements ChannelProvider {
  private readonly client: ChannelPluginClient;
  private readonly events: EventStreamSubscription | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: GrpcChannelProviderOptions) {
    this.client = new ChannelPluginClient(options);
    const { hooks } = options;
    if (hooks !== undefined && (hooks.onDeliveryReceipt !== undefined || hooks.onInbound !== undefined)) {
      this.events = new EventStreamSubscription(this.client, options.channel, hooks, options.logger ?? SILENT_LOGGER);
      this.events.start();
    }
  }

  async send(batch: readonly OutboundMessage[]): Promise<SendOutcome[]> {
    // Nothing to hand over, so no call: an empty batch cannot fail.
    if (batch.length === 0) return [];
    const outcomes = await this.client.send(batch);
    return fromProtoOutcomes(batch, outcomes, `Send to ${this.options.address}`);
  }

  async check(): Promise<ProviderCheck> {
    try {
      const remote = await this.client.describe();
      if (remote.channel !== this.options.channel) {
        return { ok: false, detail: `${describeRemote(remote, this.options.address)} serves ${remote.channel}, but this route is for ${this.options.channel}` };
      }
      const result = await this.client.check();
      return { ok: result.ok, detail: `${describeRemote(remote, this.options.address)}: ${result.detail === '' ? '(no detail)' : result.detail}` };
    } catch (error) {
      return { ok: false, detail: describeError(error) };
    }
  }

  /** Asks the plugin process; one whose provider fetches no files answers UNIMPLEMENTED, which rejects. */
  fetchMedia(mediaId: string): Promise<ProviderMedia> {
    return this.client.fetchMedia(mediaId);
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    // The stream first: closing the channel alone would leave it open, and its hooks may still be running.
    await this.events?.close();
    this.client.close();
  }
}

function describeRemote(remote: RemotePluginDescription, address: string): string {
  return `${remote.id} ${remote.version} at ${address}`;
}

/**
 * Asks the plugin process at `address` who it is (its `Describe` answer), e.g. to show it before routing to it.
 * Rejects with a `PluginError` when it cannot be reached in time or answers nonsense.
 * @example const { id, channel, version } = await describeRemotePlugin('127.0.0.1:50051')
 */
export async function describeRemotePlugin(
  address: string,
  options: Partial<Omit<GrpcConnectionOptions, 'address'>> = {},
): Promise<RemotePluginDescription> {
  const client = new ChannelPluginClient({ timeoutMs: DESCRIBE_TIMEOUT_MS, ...options, address });
  try {
    return await client.describe();
  } finally {
    client.close();
  }
}
