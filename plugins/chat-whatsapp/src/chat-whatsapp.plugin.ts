import { X509Certificate } from 'node:crypto';

import { PluginError, PluginErrorCode, type PluginManifest } from '@kabar/plugin-sdk';

import { ChatWhatsAppProvider, MAX_IN_FLIGHT } from './chat-whatsapp.provider.js';
import { WhatsAppCloudClient } from './whatsapp-cloud.client.js';
import type { WhatsAppTemplate } from './whatsapp-message.factory.js';
import { WhatsAppWebhookHandler } from './whatsapp-webhook.handler.js';

const VERSION = '0.1.0';
const PLUGIN_ID = 'chat-whatsapp';
const GRAPH_HOST = 'graph.facebook.com';
const CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

export interface ChatWhatsAppConfig {
  /** The business number's id in WhatsApp Manager (not the number itself). */
  readonly phoneNumberId: string;
  /** A system user access token with the whatsapp_business_messaging permission. */
  readonly accessToken: string;
  /** e.g. `v21.0`. */
  readonly apiVersion: string;
  /** `https://graph.facebook.com`, or the origin (and path prefix) of a BSP's regional or on-premises gateway. */
  readonly baseUrl: string;
  /** PEM bundle of the CA(s) that signed the gateway's certificate; replaces the public roots. */
  readonly caCertificates?: string;
  /** For one request (a batch sends up to eight at once) or one check(). */
  readonly timeoutMs: number;
  /** The Meta app's secret, which signs status and inbound webhooks (`X-Hub-Signature-256`); see verifyWebhookSignature. */
  readonly appSecret?: string;
  /** The token the webhook's GET handshake must present (`hub.verify_token`); see verifySubscription. */
  readonly verifyToken?: string;
  /** Kabar event type → the approved template its messages are sent as. */
  readonly templates?: Readonly<Record<string, WhatsAppTemplate>>;
}

/** The WhatsApp plugin: each message goes from one business number to one citizen through the WhatsApp Cloud API. */
export const chatWhatsAppPlugin: PluginManifest<ChatWhatsAppConfig> = {
  id: PLUGIN_ID,
  channel: 'whatsapp',
  version: VERSION,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['phoneNumberId', 'accessToken'],
    properties: {
      phoneNumberId: { type: 'string', pattern: '^[0-9]{5,20}$', description: "The business number's id in WhatsApp Manager, not the number itself." },
      accessToken: { type: 'string', pattern: '^\\S+$', 'x-kabar-secret': true, description: 'A system user access token with the whatsapp_business_messaging permission.' },
      apiVersion: { type: 'string', pattern: '^v\\d+\\.\\d+$', default: 'v21.0' },
      // Configurable for BSPs' regional and on-premises gateways; https only, as the token and citizens' messages travel.
      baseUrl: { type: 'string', format: 'uri', pattern: '^https://[^\\s?#]+$', default: `https://${GRAPH_HOST}` },
      caCertificates: {
        type: 'string',
        pattern: '^(?:\\s*-----BEGIN CERTIFICATE-----\\r?\\n[A-Za-z0-9+/=\\r\\n]+-----END CERTIFICATE-----)+\\s*$',
        description: "PEM bundle of the CA(s) that signed the gateway's certificate; replaces the public roots.",
      },
      timeoutMs: { type: 'integer', minimum: 100, maximum: 120_000, default: 10_000 },
      appSecret: { type: 'string', pattern: '^\\S{16,}$', 'x-kabar-secret': true, description: "The Meta app's secret, which signs webhooks (X-Hub-Signature-256)." },
      verifyToken: { type: 'string', pattern: '^\\S+$', 'x-kabar-secret': true, description: 'What the webhook subscription handshake must present as hub.verify_token.' },
      templates: {
        type: 'object',
        description: 'Kabar event type → approved template { name, language }. Outside the 24-hour customer-service window WhatsApp delivers only templates.',
        propertyNames: { type: 'string', pattern: '^[a-z0-9]+(?:\\.[a-z0-9-]+)+$', maxLength: 255 },
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'language'],
          properties: {
            name: { type: 'string', pattern: '^[a-z0-9_]{1,512}$' },
            language: { type: 'string', pattern: '^[a-z]{2,3}(?:_[A-Z]{2})?$' },
          },
        },
      },
    },
  },
  create: (config, context) => {
    const { logger } = context;
    if (config.caCertificates !== undefined) assertCertificates(config.caCertificates);
    const host = new URL(config.baseUrl).host;
    const fields = { plugin: PLUGIN_ID, phoneNumberId: config.phoneNumberId, host };
    if (host !== GRAPH_HOST) logger.info(fields, "WhatsApp messages go through a gateway, not Meta's Graph API directly");
    const templates = new Map(Object.entries(config.templates ?? {}));
    if (templates.size === 0) {
      logger.warn(fields, 'no WhatsApp templates configured: messages go as free-form text, which WhatsApp delivers only within 24 hours of the citizen\'s last message to this number');
    }
    const client = new WhatsAppCloudClient({
      baseUrl: config.baseUrl,
      apiVersion: config.apiVersion,
      accessToken: config.accessToken,
      timeoutMs: config.timeoutMs,
      maxSockets: MAX_IN_FLIGHT,
      userAgent: `kabar-${PLUGIN_ID}/${VERSION}`,
      ...(config.caCertificates === undefined ? {} : { ca: config.caCertificates }),
    });
    if (config.appSecret !== undefined && (context.onDeliveryReceipt === undefined || context.onInbound === undefined)) {
      logger.warn(fields, 'this host takes no delivery receipts or inbound messages: signed WhatsApp webhooks will be verified and then dropped');
    }
    const webhooks = new WhatsAppWebhookHandler({
      pluginId: PLUGIN_ID,
      context,
      ...(config.appSecret === undefined ? {} : { appSecret: config.appSecret }),
      ...(config.verifyToken === undefined ? {} : { verifyToken: config.verifyToken }),
    });
    return new ChatWhatsAppProvider({ client, phoneNumberId: config.phoneNumberId, templates, webhooks });
  },
};

/** The schema checks the PEM's shape; this parses each certificate, so a damaged one is refused before the first send. */
function assertCertificates(pem: string): void {
  const blocks = pem.match(CERTIFICATE) ?? [];
  blocks.forEach((block, index) => {
    try {
      new X509Certificate(block);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new PluginError(PluginErrorCode.InvalidConfig, `caCertificates: certificate ${index + 1} of ${blocks.length} is not a valid X.509 certificate: ${reason}`);
    }
  });
  if (blocks.length === 0) throw new PluginError(PluginErrorCode.InvalidConfig, 'caCertificates holds no PEM certificate');
}
