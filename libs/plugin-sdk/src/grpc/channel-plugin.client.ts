import { create } from '@bufbuild/protobuf';
import { Client, type ClientDuplexStream, type ClientReadableStream, credentials, Metadata, type MethodDefinition } from '@grpc/grpc-js';
import { pluginProto } from '@kabar/contracts';

import type { Channel } from '../channel.type.js';
import type { ProviderCheck, ProviderMedia } from '../channel-provider.type.js';
import type { OutboundMessage } from '../outbound-message.type.js';
import { PluginError } from '../plugin-error.exception.js';
import { PluginErrorCode } from '../plugin-error-code.enum.js';
import type { ConfigSchema } from '../plugin-manifest.type.js';
import { CHANNEL_PLUGIN_SERVICE, MAX_MESSAGE_BYTES } from './channel-plugin.service.js';
import { fromProtoChannel, toProtoMessage } from './grpc-message.mapper.js';
import { pluginErrorFromStatus } from './grpc-status.mapper.js';

/** Where a plugin process listens and how to reach it. */
export interface GrpcConnectionOptions {
  /** `host:port`, e.g. `127.0.0.1:50051`, `[::1]:50051` or `webhook-plugin.kabar.svc:50051`. */
  readonly address: string;
  /** Deadline of each call, in milliseconds. */
  readonly timeoutMs: number;
  /**
   * PEM of the CA that signed the plugin's certificate (which must name the address's host): the calls use TLS.
   * Without it they are plaintext, which is for loopback or a sidecar in the same pod only.
   */
  readonly caCertificate?: string;
}

/** A remote plugin's identity, from its `Describe` answer. */
export interface RemotePluginDescription {
  readonly id: string;
  readonly channel: Channel;
  readonly version: string;
  readonly configSchema: ConfigSchema;
}

/** The hub's end of `kabar.v1.ChannelPlugin`: one method per RPC, every failure a `PluginError`. */
export class ChannelPluginClient {
  private readonly client: Client;

  constructor(private readonly options: GrpcConnectionOptions) {
    const channelCredentials = options.caCertificate === undefined ? credentials.createInsecure() : credentials.createSsl(Buffer.from(options.caCertificate));
    this.client = new Client(options.address, channelCredentials, {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      // grpc-js backs off up to 2 minutes between reconnects by default; a restarted plugin process should be
      // reachable again within seconds.
      'grpc.max_reconnect_backoff_ms': 5_000,
      // The Events stream is idle between events: pings find a plugin host that vanished without closing the
      // connection, so the stream fails and is re-opened. Over 5 minutes, because gRPC servers in other languages
      // (Go, Java) answer pings more frequent than that with GOAWAY "too_many_pings".
      'grpc.keepalive_time_ms': 330_000,
      'grpc.keepalive_timeout_ms': 20_000,
    });
  }

  get address(): string {
    return this.options.address;
  }

  async describe(): Promise<RemotePluginDescription> {
    const answer = await this.call('Describe', CHANNEL_PLUGIN_SERVICE.describe, create(pluginProto.DescribeRequestSchema));
    const channel = fromProtoChannel(answer.channel);
    const configSchema = parseConfigSchema(answer.configSchemaJson);
    const unusable = (why: string): PluginError => new PluginError(PluginErrorCode.ProviderError, `Describe to ${this.address}: the plugin's answer is unusable: ${why}`);
    if (answer.pluginId === '') throw unusable('no plugin id');
    if (channel === undefined) throw unusable(`unknown channel ${answer.channel}`);
    if (configSchema === undefined) throw unusable('config_schema_json is not a JSON Schema of an object');
    return { id: answer.pluginId, channel, version: answer.version, configSchema };
  }

  async send(batch: readonly OutboundMessage[]): Promise<pluginProto.SendOutcome[]> {
    const answer = await this.call('Send', CHANNEL_PLUGIN_SERVICE.send, create(pluginProto.SendRequestSchema, { messages: batch.map(toProtoMessage) }));
    return answer.outcomes;
  }

  async check(): Promise<ProviderCheck> {
    const answer = await this.call('Check', CHANNEL_PLUGIN_SERVICE.check, create(pluginProto.CheckRequestSchema));
    return { ok: answer.check?.ok ?? false, detail: answer.check?.detail ?? '' };
  }

  /** A file a citizen sent, by the provider's id; UNIMPLEMENTED (a plugin that fetches none) rejects like any status. */
  async fetchMedia(mediaId: string): Promise<ProviderMedia> {
    const answer = await this.call('FetchMedia', CHANNEL_PLUGIN_SERVICE.fetchMedia, create(pluginProto.FetchMediaRequestSchema, { mediaId }));
    return { mimeType: answer.mimeType === '' ? 'application/octet-stream' : answer.mimeType, data: Buffer.from(answer.data) };
  }

  /**
   * Opens the plugin's `Events` stream, without a deadline: it stays open until the plugin ends it, the connection
   * fails, or the caller cancels it. Throws once the client is closed.
   */
  openEvents(): ClientReadableStream<pluginProto.EventsResponse> {
    const method = CHANNEL_PLUGIN_SERVICE.events;
    return this.client.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, create(pluginProto.EventsRequestSchema), new Metadata(), {});
  }

  /**
   * Opens the plugin's `AcknowledgedEvents` stream, as `openEvents` does; the caller writes an acknowledgement for
   * each event it reads. A plugin built before it ends the call with UNIMPLEMENTED.
   */
  openAcknowledgedEvents(): ClientDuplexStream<pluginProto.AcknowledgedEventsRequest, pluginProto.AcknowledgedEventsResponse> {
    const method = CHANNEL_PLUGIN_SERVICE.acknowledgedEvents;
    return this.client.makeBidiStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, new Metadata(), {});
  }

  close(): void {
    this.client.close();
  }

  private call<Request, Response>(name: string, method: MethodDefinition<Request, Response>, request: Request): Promise<Response> {
    const where = `${name} to ${this.address}`;
    return new Promise((resolve, reject) => {
      try {
        this.client.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          request,
          new Metadata(),
          { deadline: Date.now() + this.options.timeoutMs },
          (error, response) => {
            if (error !== null) reject(pluginErrorFromStatus(error, where));
            else if (response === undefined) reject(new PluginError(PluginErrorCode.ProviderError, `${where}: no answer message`));
            else resolve(response);
          },
        );
      } catch (error) {
        // grpc-js throws synchronously once the channel is closed.
        reject(new PluginError(PluginErrorCode.ConnectionFailed, `${where} failed: ${error instanceof Error ? error.message : String(error)}`));
      }
    });
  }
}

function parseConfigSchema(json: string): ConfigSchema | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'object' ? (value as ConfigSchema) : undefined;
  } catch {
    return undefined;
  }
}
