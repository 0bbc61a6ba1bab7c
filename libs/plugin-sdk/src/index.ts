// The conformance kit imports Vitest, so it is a separate entry (@kabar/plugin-sdk/conformance) the hub never loads.
// That entry points at its TypeScript source in every condition: only Vitest loads it, so it is never built.
export { type Channel, CHANNELS } from './channel.type.js';
export type { ChannelProvider, ProviderCheck, ProviderMedia } from './channel-provider.type.js';
export {
  CHANNEL_PLUGIN_SERVICE,
  type ChannelPluginServer,
  describeRemotePlugin,
  ERROR_CODE_METADATA_KEY,
  GrpcChannelProvider,
  type GrpcChannelProviderOptions,
  type GrpcConnectionOptions,
  type GrpcPluginConfig,
  grpcPluginManifest,
  type GrpcStatus,
  grpcStatusFor,
  pluginErrorCodeForStatus,
  pluginErrorFromStatus,
  type RemotePluginDescription,
  serveChannelPlugin,
  type ServeChannelPluginOptions,
} from './grpc/index.js';
export type { InboxItem, InboxWriter } from './inbox-writer.type.js';
export { mapInParallel } from './map-in-parallel.js';
export type { OutboundMessage } from './outbound-message.type.js';
export { secretPaths, validatePluginConfig } from './plugin-config.validation.js';
export { type ConfigProblem, PluginConfigError, PluginError } from './plugin-error.exception.js';
export { PLUGIN_ERROR_RETRYABLE, PluginErrorCode } from './plugin-error-code.enum.js';
export type { ConfigSchema, ConfigSchemaProperty, PluginContext, PluginManifest } from './plugin-manifest.type.js';
export { INBOUND_KINDS, type InboundKind, type ProviderInbound, type ProviderReceipt } from './provider-events.type.js';
export type { ProviderWebhookAnswer, ProviderWebhookRefusal, ProviderWebhookRequest, ProviderWebhookResponse } from './provider-webhook.type.js';
export { ProviderWebhookErrorCode } from './provider-webhook-error-code.enum.js';
export { failedOutcome, sentOutcome } from './send-outcome.factory.js';
export type { SendOutcome } from './send-outcome.type.js';
