import { X509Certificate } from 'node:crypto';

import { PluginError, PluginErrorCode, type PluginManifest } from '@kabar/plugin-sdk';

import { EmailSmtpProvider } from './email-smtp.provider.js';
import { SmtpTransport } from './smtp.transport.js';

const VERSION = '0.1.0';

/** How the plugin treats STARTTLS on a connection that does not start in TLS (`secure: false`). */
export type StartTlsPolicy = 'required' | 'opportunistic' | 'disabled';

export interface EmailSmtpConfig {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS from the first byte (port 465); otherwise `starttls` decides. */
  readonly secure: boolean;
  readonly starttls: StartTlsPolicy;
  readonly auth?: { readonly user: string; readonly pass: string };
  /** PEM of the CA that signed the server's certificate, for agencies with a private PKI. */
  readonly ca?: string;
  readonly rejectUnauthorized: boolean;
  /** The From used when a message carries no `sender`, e.g. `"Kabar <noreply@kabar.go.id>"`. */
  readonly from: string;
  readonly connectionTimeoutMs: number;
  readonly greetingTimeoutMs: number;
  readonly socketTimeoutMs: number;
  readonly pool: { readonly maxConnections: number; readonly maxMessages: number };
  /**
   * `https://…` or `mailto:…` for List-Unsubscribe; `{notificationId}`, `{agencyCode}` and `{eventType}` are filled in.
   * Only sent for reminder and informational messages (see `listUnsubscribeHeaders`).
   */
  readonly unsubscribeUrl?: string;
}

// A bare address or a display name with an address in angle brackets; no commas, so one setting is one mailbox.
const MAILBOX = '^(?:[^<>,@\\s]+@[^<>,@\\s]+|[^<>,@]*<[^<>,@\\s]+@[^<>,@\\s]+>)$';
const TIMEOUT = { type: 'integer', minimum: 100, maximum: 600_000 } as const;

/** The e-mail plugin: each message goes out over SMTP (nodemailer) through a pool of connections to one relay. */
export const emailSmtpPlugin: PluginManifest<EmailSmtpConfig> = {
  id: 'email-smtp',
  channel: 'email',
  version: VERSION,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['host', 'from'],
    properties: {
      // A hostname, IPv4 or bare IPv6 address; no scheme or `:port` (port has its own setting).
      host: { type: 'string', pattern: '^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*)$' },
      port: { type: 'integer', minimum: 1, maximum: 65_535, default: 587 },
      secure: { type: 'boolean', default: false },
      // Secure by default: a relay that cannot do STARTTLS must be allowed explicitly.
      starttls: { type: 'string', enum: ['required', 'opportunistic', 'disabled'], default: 'required' },
      auth: {
        type: 'object',
        additionalProperties: false,
        required: ['user', 'pass'],
        properties: {
          user: { type: 'string', minLength: 1 },
          pass: { type: 'string', minLength: 1, 'x-kabar-secret': true },
        },
      },
      ca: { type: 'string', pattern: '-----BEGIN CERTIFICATE-----' },
      rejectUnauthorized: { type: 'boolean', default: true },
      from: { type: 'string', pattern: MAILBOX },
      connectionTimeoutMs: { ...TIMEOUT, default: 10_000 },
      greetingTimeoutMs: { ...TIMEOUT, default: 10_000 },
      socketTimeoutMs: { ...TIMEOUT, default: 60_000 },
      pool: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: {
          maxConnections: { type: 'integer', minimum: 1, maximum: 50, default: 5 },
          maxMessages: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 },
        },
      },
      unsubscribeUrl: { type: 'string', pattern: '^(?:https://[^\\s<>]+|mailto:[^\\s<>]+)$' },
    },
  },
  create: (config, { logger }) => {
    if (config.ca !== undefined) assertCertificate(config.ca);
    if (!config.secure && config.starttls !== 'required') {
      logger.warn({ plugin: 'email-smtp', host: config.host, starttls: config.starttls }, 'SMTP relay may be used without TLS: mail and credentials can travel unencrypted');
    }
    if (!config.rejectUnauthorized) {
      logger.warn({ plugin: 'email-smtp', host: config.host }, "SMTP relay's certificate is not verified");
    }
    return new EmailSmtpProvider(new SmtpTransport(config), config);
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
