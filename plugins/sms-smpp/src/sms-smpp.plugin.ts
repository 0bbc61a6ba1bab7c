import { X509Certificate } from 'node:crypto';

import type { ChannelProvider, PluginManifest } from '@kabar/plugin-sdk';
import { PluginError, PluginErrorCode } from '@kabar/plugin-sdk';

import { routeDeliverSm } from './deliver-sm.router.js';
import { SmppConnection } from './smpp-connection.js';
import { SmppSession, type SmppSessionOptions } from './smpp-session.client.js';
import { type AddressPlan, SENDER_PATTERN } from './sms-address.js';
import { SmsSmppProvider } from './sms-smpp.provider.js';
import type { SmsSmppContext } from './sms-smpp-context.type.js';

export interface SmsSmppConfig extends AddressPlan {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** PEM of the CA behind the SMSC's certificate, for operators with a private PKI. */
  readonly ca?: string;
  readonly systemId: string;
  readonly password: string;
  readonly systemType?: string;
  /** Used when the route gives no sender: an alphanumeric id (e.g. "BAPENDA BDG") or a number. */
  readonly defaultSender: string;
  readonly enquireLinkIntervalMs: number;
  readonly responseTimeoutMs: number;
  /** Most submit_sm left unanswered at once; operators state theirs in the SMPP account's terms. */
  readonly windowSize: number;
  /** Stay bound while idle and redial after a loss, so citizens' messages to a short code arrive (two-way SMS). */
  readonly stayBound: boolean;
}

/** The manifest, with `create` accepting the receipt and inbound hooks of `SmsSmppContext`. */
export interface SmsSmppManifest extends PluginManifest<SmsSmppConfig> {
  create(config: SmsSmppConfig, context: SmsSmppContext): ChannelProvider;
}

const ton = (fallback: number): Record<string, unknown> => ({ type: 'integer', minimum: 0, maximum: 6, default: fallback });
const npi = (fallback: number): Record<string, unknown> => ({ type: 'integer', minimum: 0, maximum: 18, default: fallback });

/** SMS through an operator's SMSC over SMPP 3.4, bound as a transceiver so receipts and replies come back. */
export const smsSmppPlugin: SmsSmppManifest = {
  id: 'sms-smpp',
  channel: 'sms',
  version: '0.1.0',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['host', 'systemId', 'password', 'defaultSender'],
    properties: {
      host: { type: 'string', minLength: 1, maxLength: 253 },
      port: { type: 'integer', minimum: 1, maximum: 65_535, default: 2775 },
      tls: { type: 'boolean', default: false },
      ca: { type: 'string', pattern: '-----BEGIN CERTIFICATE-----' },
      // SMPP 3.4 field sizes, NUL excluded: system_id 16, password 9, system_type 13.
      systemId: { type: 'string', minLength: 1, maxLength: 15 },
      password: { type: 'string', minLength: 1, maxLength: 8, 'x-kabar-secret': true },
      systemType: { type: 'string', maxLength: 12 },
      defaultSender: { type: 'string', pattern: SENDER_PATTERN },
      sourceTonAlphanumeric: ton(5),
      sourceNpiAlphanumeric: npi(0),
      sourceTonNumeric: ton(1),
      sourceNpiNumeric: npi(1),
      sourceTonShortCode: ton(3),
      sourceNpiShortCode: npi(0),
      destinationTon: ton(1),
      destinationNpi: npi(1),
      enquireLinkIntervalMs: { type: 'integer', minimum: 1_000, maximum: 600_000, default: 30_000 },
      responseTimeoutMs: { type: 'integer', minimum: 100, maximum: 120_000, default: 10_000 },
      windowSize: { type: 'integer', minimum: 1, maximum: 1_000, default: 10 },
      stayBound: { type: 'boolean', default: false },
    },
  },
  create: (config, context) => {
    if (config.ca !== undefined) assertCertificate(config.ca);
    const { logger } = context;
    const where = `${config.host}:${config.port}`;
    if (!config.tls) logger.warn({ plugin: 'sms-smpp', smsc: where }, 'SMPP without TLS: password and messages travel unencrypted unless the link is a VPN');
    const options: SmppSessionOptions = {
      host: config.host,
      port: config.port,
      tls: config.tls,
      systemId: config.systemId,
      password: config.password,
      responseTimeoutMs: config.responseTimeoutMs,
      enquireLinkIntervalMs: config.enquireLinkIntervalMs,
      windowSize: config.windowSize,
      ...(config.ca === undefined ? {} : { ca: config.ca }),
      ...(config.systemType === undefined ? {} : { systemType: config.systemType }),
    };
    const onDeliverSm = (deliver: Parameters<typeof routeDeliverSm>[0]): Promise<void> => routeDeliverSm(deliver, context, logger);
    const connection = new SmppConnection((o, events) => SmppSession.open(o, events), options, onDeliverSm, logger, config.stayBound);
    return new SmsSmppProvider({
      connection,
      plan: config,
      defaultSender: config.defaultSender,
      where,
      // check() has no use for keep-alive, and receipts arriving on it still reach the hooks.
      probe: () => SmppSession.open({ ...options, enquireLinkIntervalMs: 0 }, { onDeliverSm, onLost: () => undefined }),
    });
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
