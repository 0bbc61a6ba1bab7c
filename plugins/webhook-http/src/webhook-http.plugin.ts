import { X509Certificate } from 'node:crypto';

import { PluginError, PluginErrorCode, type PluginManifest } from '@kabar/plugin-sdk';

import { WebhookHttpClient } from './webhook-http.client.js';
import { MAX_IN_FLIGHT, WebhookHttpProvider } from './webhook-http.provider.js';

const VERSION = '0.1.0';

export interface WebhookHttpConfig {
  readonly url: string;
  /** `whsec_<base64>`, shared with the receiver, which verifies every request with it. */
  readonly secret: string;
  readonly timeoutMs: number;
  /** PEM of the CA that signed the receiver's certificate, for agencies with a private PKI. */
  readonly ca?: string;
}

/** The webhook plugin: each message is POSTed as JSON to one agency URL, signed per Standard Webhooks. */
export const webhookHttpPlugin: PluginManifest<WebhookHttpConfig> = {
  id: 'webhook-http',
  channel: 'webhook',
  version: VERSION,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['url', 'secret'],
    properties: {
      url: { type: 'string', format: 'uri', pattern: '^https?://' },
      // At least 24 bytes of key, the Standard Webhooks minimum.
      secret: { type: 'string', pattern: '^whsec_[A-Za-z0-9+/]{32,}={0,2}$', 'x-kabar-secret': true },
      timeoutMs: { type: 'integer', minimum: 100, maximum: 120_000, default: 10_000 },
      ca: { type: 'string', pattern: '-----BEGIN CERTIFICATE-----' },
    },
  },
  create: (config, { logger }) => {
    const url = new URL(config.url);
    if (config.ca !== undefined) assertCertificate(config.ca);
    if (url.protocol === 'http:') {
      logger.warn({ plugin: 'webhook-http', host: url.host }, 'webhook URL is plain http: messages will travel unencrypted');
    }
    const client = new WebhookHttpClient({ url, timeoutMs: config.timeoutMs, maxSockets: MAX_IN_FLIGHT, ...(config.ca === undefined ? {} : { ca: config.ca }) });
    return new WebhookHttpProvider(client, config.secret, `kabar-webhook-http/${VERSION}`);
  },
};

function assertCertificate(pem: string): void {
  try {
    new X509Certificate(pem);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PluginError(PluginErrorCode.InvalidConfig, `ca is not a PEM certificate: ${reason}`);
  }
}
