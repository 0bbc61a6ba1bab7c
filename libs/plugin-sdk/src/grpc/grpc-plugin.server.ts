import { create } from '@bufbuild/protobuf';
import { type sendUnaryData, Server, ServerCredentials, type ServerUnaryCall, status } from '@grpc/grpc-js';
import { pluginProto } from '@kabar/contracts';
import { describeError, type Logger } from '@kabar/core';

import type { ChannelProvider } from '../channel-provider.type.js';
import { validatePluginConfig } from '../plugin-config.validation.js';
import { PluginError } from '../plugin-error.exception.js';
import type { PluginContext, PluginManifest } from '../plugin-manifest.type.js';
import { CHANNEL_PLUGIN_SERVICE, MAX_MESSAGE_BYTES } from './channel-plugin.service.js';
import { type AcknowledgedEventsCall, type EventsCall, EventStreamPublisher } from './event-stream.publisher.js';
import { fromProtoEvent, toProtoInboundEvent, toProtoReceiptEvent } from './grpc-event.mapper.js';
import { fromProtoMessage, toProtoChannel, toProtoOutcome } from './grpc-message.mapper.js';
import { grpcStatusFor } from './grpc-status.mapper.js';

export interface ServeChannelPluginOptions<Config> {
  readonly manifest: PluginManifest<Config>;
  /** The plugin's configuration as an admin wrote it (untrusted): validated with `validatePluginConfig` first. */
  readonly config: unknown;
  /**
   * What the plugin is lent, except its event hooks: those are the server's, and what the plugin reports through them
   * (delivery receipts, citizens' replies) goes to the hubs subscribed to `AcknowledgedEvents` (or `Events`).
   */
  readonly context: Omit<PluginContext, 'onDeliveryReceipt' | 'onInbound'>;
  /** `host:port` to listen on; port 0 picks a free one (see `port`). */
  readonly address: string;
  /** Certificate chain and private key (PEM) to serve TLS; without them the server is plaintext (loopback, sidecar). */
  readonly tls?: { readonly certificate: string; readonly privateKey: string };
  /** How long `close()` lets calls in flight finish before cutting them off; default 10 s. */
  readonly shutdownGraceMs?: number;
  /** How many events wait for a hub while none is subscribed to `Events` (beyond, the oldest are dropped); default 1000. */
  readonly eventBufferSize?: number;
}

export interface ChannelPluginServer {
  /** The port the server listens on. */
  readonly port: number;
  /** Stops taking calls, lets those in flight finish (up to the grace period), then closes the provider; idempotent. */
  close(): Promise<void>;
}

const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
const DEFAULT_EVENT_BUFFER_SIZE = 1_000;

/**
 * Hosts an in-process plugin as a `kabar.v1.ChannelPlugin` gRPC server, so a hub can use it out of process. Rejects
 * with `PluginConfigError` for an invalid configuration, before anything listens.
 * @example const server = await serveChannelPlugin({ manifest: webhookHttpPlugin, config, context: { logger }, address: '127.0.0.1:50051' })
 */
export async function serveChannelPlugin<Config>(options: ServeChannelPluginOptions<Config>): Promise<ChannelPluginServer> {
  const { manifest, context } = options;
  const config = validatePluginConfig(manifest, options.config);
  // Before `create`: a provider may report events at once (an SMSC flushing receipts queued while we were away).
  const publisher = new EventStreamPublisher(manifest.id, options.eventBufferSize ?? DEFAULT_EVENT_BUFFER_SIZE, context.logger);
  const provider = await manifest.create(config, { ...context, ...eventHooks(manifest, publisher, context.logger) });
  const server = new Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    // An Events stream is idle between events: pings find a hub that vanished without closing its connection (a
    // crashed node), so its stream is dropped and events wait in the buffer instead of going nowhere.
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
  });
  server.addService(CHANNEL_PLUGIN_SERVICE, {
    ...handlersFor(manifest, provider, context),
    events: (call: EventsCall) => publisher.subscribe(call),
    acknowledgedEvents: (call: AcknowledgedEventsCall) => publisher.subscribeAcknowledged(call),
  });
  let port: number;
  try {
    port = await bind(server, options.address, options.tls);
  } catch (error) {
    server.forceShutdown();
    await provider.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () => (closing ??= shutDown(server, provider, publisher, options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS)),
  };
}

/**
 * The hooks the served plugin reports through: each event is checked as the hub will check it (so a plugin bug shows
 * in the plugin's own log, not as a mystery in the hub's) and handed to the publisher. Each resolves when a hub has
 * recorded the event (see EventStreamPublisher), so a plugin that answers its peer after its hook (sms-smpp) does so
 * only then; one the hub could never use resolves at once.
 */
function eventHooks<Config>(manifest: PluginManifest<Config>, publisher: EventStreamPublisher, logger: Logger): Pick<PluginContext, 'onDeliveryReceipt' | 'onInbound'> {
  const emit = (kind: string, toEvent: () => pluginProto.EventsResponse): Promise<void> => {
    try {
      const event = toEvent();
      const checked = fromProtoEvent(event, manifest.channel);
      if (checked.kind === 'unusable') {
        logger.warn({ plugin: manifest.id, kind }, `event not passed to the hub: ${checked.reason}`);
        return Promise.resolve();
      }
      return publisher.publish(event);
    } catch (error) {
      // Only a plugin in plain JavaScript gets here (a field of the wrong type); its values may be personal data.
      logger.error({ plugin: manifest.id, kind, errorType: errorType(error) }, 'event not passed to the hub: it cannot be encoded');
      return Promise.resolve();
    }
  };
  return {
    onDeliveryReceipt: (receipt) => emit('receipt', () => toProtoReceiptEvent(receipt)),
    onInbound: (message) => emit('inbound', () => toProtoInboundEvent(message)),
  };
}

type Handler<Request, Response> = (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) => void;

function handlersFor<Config>(manifest: PluginManifest<Config>, provider: ChannelProvider, { logger }: ServeChannelPluginOptions<Config>['context']) {
  const describe: Handler<pluginProto.DescribeRequest, pluginProto.DescribeResponse> = (_call, callback) => {
    callback(null, create(pluginProto.DescribeResponseSchema, {
      pluginId: manifest.id,
      channel: toProtoChannel(manifest.channel),
      version: manifest.version,
      configSchemaJson: JSON.stringify(manifest.configSchema),
    }));
  };

  const send: Handler<pluginProto.SendRequest, pluginProto.SendResponse> = (call, callback) => {
    const startedAt = Date.now();
    answer(callback, 'Send', async () => {
      const batch = call.request.messages.map(fromProtoMessage);
      const outcomes = await provider.send(batch);
      // Counts and ids only: recipients and texts are personal data.
      const failed = outcomes.filter((o) => o.status === 'failed').length;
      logger.info({ plugin: manifest.id, messages: batch.length, sent: outcomes.length - failed, failed, ms: Date.now() - startedAt }, 'batch handled');
      return create(pluginProto.SendResponseSchema, { outcomes: outcomes.map(toProtoOutcome) });
    });
  };

  const check: Handler<pluginProto.CheckRequest, pluginProto.CheckResponse> = (_call, callback) => {
    // check() never rejects by contract; a plugin that breaks it still gets its reason shown instead of an error status.
    void provider.check().then(
      (result) => callback(null, create(pluginProto.CheckResponseSchema, { check: result })),
      (error: unknown) => callback(null, create(pluginProto.CheckResponseSchema, { check: { ok: false, detail: describeError(error) } })),
    );
  };

  const fetchMedia: Handler<pluginProto.FetchMediaRequest, pluginProto.FetchMediaResponse> = (call, callback) => {
    if (provider.fetchMedia === undefined) {
      callback({ code: status.UNIMPLEMENTED, details: `plugin ${manifest.id} fetches no files` });
      return;
    }
    const fetch = provider.fetchMedia.bind(provider);
    answer(callback, 'FetchMedia', async () => {
      const media = await fetch(call.request.mediaId);
      return create(pluginProto.FetchMediaResponseSchema, { mimeType: media.mimeType, data: media.data });
    });
  };

  function answer<Response>(callback: sendUnaryData<Response>, method: string, work: () => Promise<Response>): void {
    work().then(
      (response) => callback(null, response),
      (error: unknown) => {
        if (error instanceof PluginError) {
          logger.warn({ plugin: manifest.id, method, code: error.code }, `${method} failed as a whole: ${error.message}`);
          callback(grpcStatusFor(error));
          return;
        }
        // A plugin bug (only PluginError may reject). Its text may quote a message (a recipient, a body), so only its
        // type and stack frames are logged, and the hub gets nothing but the status.
        logger.error({ plugin: manifest.id, method, errorType: errorType(error), frames: framesOf(error) }, `${method} failed unexpectedly: a plugin bug`);
        callback({ code: status.INTERNAL, details: `plugin ${manifest.id} failed unexpectedly` });
      },
    );
  }

  return { describe, send, check, fetchMedia };
}

function bind(server: Server, address: string, tls: ServeChannelPluginOptions<unknown>['tls']): Promise<number> {
  const serverCredentials =
    tls === undefined
      ? ServerCredentials.createInsecure()
      : ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(tls.certificate), private_key: Buffer.from(tls.privateKey) }]);
  return new Promise((resolve, reject) => {
    server.bindAsync(address, serverCredentials, (error, port) => (error === null ? resolve(port) : reject(error)));
  });
}

async function shutDown(server: Server, provider: ChannelProvider, publisher: EventStreamPublisher, graceMs: number): Promise<void> {
  // Events streams never end on their own: end them first, or the shutdown would wait the whole grace period.
  publisher.close();
  await new Promise<void>((resolve) => {
    // Calls still running after the grace period are cut off; the hub sees UNAVAILABLE and retries the batch.
    const timer = setTimeout(() => server.forceShutdown(), graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  await provider.close();
  publisher.reportLost();
}

function errorType(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** The frames of a stack trace, without the lines that repeat the error's message. */
function framesOf(error: unknown): string[] | undefined {
  return error instanceof Error ? error.stack?.split('\n').filter((line) => line.startsWith('    at ')) : undefined;
}
