import type { Logger } from '@kabar/core';

import type { Channel } from './channel.type.js';
import type { ChannelProvider } from './channel-provider.type.js';
import type { InboxWriter } from './inbox-writer.type.js';
import type { ProviderInbound, ProviderReceipt } from './provider-events.type.js';

/** A JSON Schema (draft-07) keyword set for one configuration property; secrets carry `"x-kabar-secret": true`. */
export interface ConfigSchemaProperty {
  readonly 'x-kabar-secret'?: boolean;
  readonly [keyword: string]: unknown;
}

/**
 * The JSON Schema of a plugin's configuration. The root is always an object that refuses unknown properties, so a
 * misspelt setting is an error at install time instead of a silently ignored default.
 */
export interface ConfigSchema {
  readonly type: 'object';
  readonly properties?: Readonly<Record<string, ConfigSchemaProperty>>;
  readonly required?: readonly string[];
  readonly additionalProperties: false;
  readonly [keyword: string]: unknown;
}

/** What the hub lends a provider. */
export interface PluginContext {
  /** Never log personal data (recipients, bodies) through it. */
  readonly logger: Logger;
  /** Present in the hub; only the inbox plugin needs it. */
  readonly inbox?: InboxWriter;
  /**
   * Delivery receipts the provider sends later. The hub marks the notification delivered or failed (which also
   * stops its fallback). Resolves once the hub has recorded it: a receipt for a message the hub has not yet written
   * an attempt for (it can overtake the end of a large dispatch batch) is kept and applied once it has, for a day.
   * Receipts that arrive together are recorded together. Rejects when the hub could not record it (its database is unreachable): where the provider sends
   * again what it was not acknowledged for, the plugin answers it with a temporary error (SMPP: deliver_sm_resp with
   * ESME_RX_T_APPN; a webhook: `ProviderWebhookErrorCode.NotRecorded`), so it comes back; otherwise it logs and
   * carries on. A rejection never says anything about the provider itself.
   */
  readonly onDeliveryReceipt?: (receipt: ProviderReceipt) => void | Promise<void>;
  /**
   * Messages citizens send in; the hub publishes them on `kabar.inbound.v1`. Resolves and rejects as
   * `onDeliveryReceipt` does: a reply the hub could not record is answered so the provider sends it again.
   */
  readonly onInbound?: (message: ProviderInbound) => void | Promise<void>;
}

/**
 * A channel plugin: the default export of a package whose package.json has `"kabar": { "plugin": true }`. The hub
 * validates the configuration against `configSchema` (validatePluginConfig) before calling `create` with it, encrypts
 * the properties marked `"x-kabar-secret": true` and never returns them.
 *
 * @example
 * interface PagerConfig { url: string; token: string }
 * const manifest: PluginManifest<PagerConfig> = {
 *   id: 'pager-acme', channel: 'push', version: '1.0.0',
 *   configSchema: {
 *     type: 'object', additionalProperties: false, required: ['url', 'token'],
 *     properties: { url: { type: 'string', format: 'uri' }, token: { type: 'string', 'x-kabar-secret': true } },
 *   },
 *   create: (config, { logger }) => new PagerProvider(config, logger),
 * };
 * export default manifest;
 */
export interface PluginManifest<Config = unknown> {
  /** Unique among installed plugins, kebab-case: `<channel>-<vendor>` or a plain name. */
  readonly id: string;
  readonly channel: Channel;
  /** Semver; the same as the package's version. */
  readonly version: string;
  readonly configSchema: ConfigSchema;
  /**
   * Makes a provider from a configuration that already passed `configSchema`. May reject with
   * `PluginError(INVALID_CONFIG)` for what a schema cannot express (e.g. a missing context capability).
   */
  create(config: Config, context: PluginContext): ChannelProvider | Promise<ChannelProvider>;
}
