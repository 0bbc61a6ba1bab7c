import { describeError } from '@kabar/core';

import type { Channel } from '../channel.type.js';
import type { ChannelProvider, ProviderCheck } from '../channel-provider.type.js';
import type { OutboundMessage } from '../outbound-message.type.js';
import type { SendOutcome } from '../send-outcome.type.js';
import { ChannelPluginClient, type GrpcConnectionOptions, type RemotePluginDescription } from './channel-plugin.client.js';
import { fromProtoOutcomes } from './grpc-message.mapper.js';

const DESCRIBE_TIMEOUT_MS = 5_000;

export interface GrpcChannelProviderOptions extends GrpcConnectionOptions {
  /** The channel the hub routes to this plugin; `check()` fails when the remote plugin serves another. */
  readonly channel: Channel;
}

/**
 * A plugin running in another process (any language), reached over gRPC (`kabar.v1.ChannelPlugin`). Whole-call
 * failures map to retryable or permanent `PluginError`s by gRPC status, and an answer that does not match the batch
 * fails the whole batch, retryably.
 * @example const provider = new GrpcChannelProvider({ address: '127.0.0.1:50051', channel: 'sms', timeoutMs: 30_000 })
 */
export class GrpcChannelProvider implements ChannelProvider {
  private readonly client: ChannelPluginClient;
  private closed = false;

  constructor(private readonly options: GrpcChannelProviderOptions) {
    this.client = new ChannelPluginClient(options);
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

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.client.close();
    }
    return Promise.resolve();
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
