export type { GrpcConnectionOptions, RemotePluginDescription } from './channel-plugin.client.js';
export { CHANNEL_PLUGIN_SERVICE } from './channel-plugin.service.js';
export type { ProviderEventHooks } from './event-stream.subscriber.js';
export { describeRemotePlugin, GrpcChannelProvider, type GrpcChannelProviderOptions } from './grpc-channel.provider.js';
export { type GrpcPluginConfig, grpcPluginManifest } from './grpc-plugin.manifest.js';
export { type ChannelPluginServer, serveChannelPlugin, type ServeChannelPluginOptions } from './grpc-plugin.server.js';
export { ERROR_CODE_METADATA_KEY, type GrpcStatus, grpcStatusFor, pluginErrorCodeForStatus, pluginErrorFromStatus } from './grpc-status.mapper.js';
