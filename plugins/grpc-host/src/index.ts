// Both ends of an out-of-process plugin: the hub installs this package's manifest (`grpc`) to route a channel to a
// plugin process, and `dist/main.js` is such a process for any in-process plugin package (see README.md).
import { grpcPluginManifest } from '@kabar/plugin-sdk';

export { type GrpcPluginConfig, grpcPluginManifest } from '@kabar/plugin-sdk';

export default grpcPluginManifest;
