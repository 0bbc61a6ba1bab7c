import { X509Certificate } from 'node:crypto';

import { type Channel, CHANNELS } from '../channel.type.js';
import { PluginError } from '../plugin-error.exception.js';
import { PluginErrorCode } from '../plugin-error-code.enum.js';
import type { PluginManifest } from '../plugin-manifest.type.js';
import { GrpcChannelProvider } from './grpc-channel.provider.js';

/** The configuration of a route to a plugin running out of process (KABAR_PLUGINS `{"grpc": {...}}`). */
export interface GrpcPluginConfig {
  /** `host:port` of the plugin process (`kabar.v1.ChannelPlugin`), e.g. `127.0.0.1:50051`. */
  readonly address: string;
  /** The channel the hub routes to it; the remote plugin must serve the same (checked by `check()`). */
  readonly channel: Channel;
  /** Deadline of each call; longer than the plugin's own per-message timeouts, as a batch holds many messages. */
  readonly timeoutMs: number;
  /** PEM of the CA that signed the plugin's certificate: TLS. Without it, plaintext: loopback or a sidecar only. */
  readonly caCertificate?: string;
}

const LOOPBACK_HOST = /^(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/**
 * The bridge to an out-of-process plugin: the hub installs it like any plugin, with the remote's address and the
 * channel to route there; the remote process (any language, e.g. plugins/grpc-host) holds the provider's own
 * configuration and credentials. `channel` below is only a placeholder the manifest type requires: the route's
 * channel is `config.channel`. When the hub lends receipt and inbound hooks, the route subscribes to the remote's
 * `Events` and forwards what it reports to them.
 * @example validatePluginConfig(grpcPluginManifest, { address: '127.0.0.1:50051', channel: 'sms' }) // timeoutMs: 30000 added
 */
export const grpcPluginManifest: PluginManifest<GrpcPluginConfig> = {
  id: 'grpc',
  channel: 'webhook',
  version: '0.1.0',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['address', 'channel'],
    properties: {
      address: { type: 'string', pattern: '^(?:\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):[0-9]{1,5}$' },
      channel: { type: 'string', enum: [...CHANNELS] },
      timeoutMs: { type: 'integer', minimum: 100, maximum: 300_000, default: 30_000 },
      caCertificate: { type: 'string', pattern: '-----BEGIN CERTIFICATE-----' },
    },
  },
  create: (config, { logger, onDeliveryReceipt, onInbound }) => {
    if (config.caCertificate !== undefined) assertCertificate(config.caCertificate);
    const host = config.address.slice(0, config.address.lastIndexOf(':'));
    if (config.caCertificate === undefined && !LOOPBACK_HOST.test(host)) {
      logger.warn({ plugin: 'grpc', address: config.address }, 'plugin address is not loopback and no caCertificate is set: messages will travel unencrypted');
    }
    return new GrpcChannelProvider({
      address: config.address,
      channel: config.channel,
      timeoutMs: config.timeoutMs,
      ...(config.caCertificate === undefined ? {} : { caCertificate: config.caCertificate }),
      // The remote plugin's receipts and citizens' replies reach the hub as if it ran in process.
      hooks: { onDeliveryReceipt, onInbound },
      logger,
    });
  },
};

function assertCertificate(pem: string): void {
  try {
    new X509Certificate(pem);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PluginError(PluginErrorCode.InvalidConfig, `caCertificate is not a PEM certificate: ${reason}`);
  }
}
