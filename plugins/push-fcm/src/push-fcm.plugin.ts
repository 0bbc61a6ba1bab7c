import { createPrivateKey } from 'node:crypto';

import type { Logger } from '@kabar/core';
import { type ChannelProvider, PluginConfigError, type PluginContext, PluginError, PluginErrorCode, type PluginManifest } from '@kabar/plugin-sdk';

import { parseCaCertificates } from './ca-certificates.parser.js';
import type { EgressProxy } from './egress-proxy.tunnel.js';
import { FcmClient, type FcmCredentials } from './fcm.client.js';
import { FcmDeadlineAgent, type FcmDial } from './fcm-deadline.agent.js';
import { PushFcmProvider } from './push-fcm.provider.js';

const ID = 'push-fcm';
const VERSION = '0.1.0';

interface PushFcmCommonConfig {
  /** The Firebase (Google Cloud) project whose apps registered the device tokens. */
  readonly projectId: string;
  /**
   * For one batch (its requests go out in parallel) or one check(), token exchange included. firebase-admin also gives
   * each attempt at most 15 s of its own and retries a silent one, which this deadline cuts short.
   */
  readonly timeoutMs: number;
  /** FCM's validate_only: FCM checks every message and delivers none (for staging). */
  readonly dryRun: boolean;
  /** An HTTP CONNECT egress proxy for all traffic to Google (FCM and OAuth), as networks without direct egress need. */
  readonly proxy?: { readonly url: string; readonly username?: string; readonly password?: string };
  /** PEM certificates trusted besides the default ones, e.g. the CA of a TLS-inspecting egress proxy. */
  readonly caCertificates?: string;
}

/** Exactly one way to authenticate: a service account in production, or a fixed access token for development. */
export type PushFcmConfig = PushFcmCommonConfig &
  (
    | { readonly serviceAccount: { readonly clientEmail: string; readonly privateKey: string }; readonly accessToken?: undefined }
    | { readonly accessToken: string; readonly serviceAccount?: undefined }
  );

/**
 * How the provider reaches FCM, for this package's tests only. firebase-admin fixes the host (fcm.googleapis.com), and
 * so does this plugin: every request, its SNI and the certificate check name Google's hosts. A test passes `dial` to open
 * the TLS connection to a local peer instead, and the provider's own agent (with its deadline) is the one in use. The
 * manifest's `create` never passes it: the hub reaches a local peer the way a ministry reaches Google, through `proxy`
 * and `caCertificates`. Those two together do let whoever edits this configuration have pushes read on the way (that is
 * what a TLS-inspecting proxy does), which is why create() logs the proxy and each extra certificate's fingerprint.
 */
export interface FcmConnectionSeam {
  readonly dial?: FcmDial;
}

/** The push plugin: each message goes to one device token through Firebase Cloud Messaging's v1 API (firebase-admin). */
export const pushFcmPlugin: PluginManifest<PushFcmConfig> = {
  id: ID,
  channel: 'push',
  version: VERSION,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['projectId'],
    properties: {
      // Google Cloud's rule: 6–30 lower-case letters, digits or hyphens, starting with a letter, not ending in a hyphen.
      projectId: { type: 'string', pattern: '^[a-z][a-z0-9-]{4,28}[a-z0-9]$' },
      serviceAccount: {
        type: 'object',
        description: 'From the service account key JSON: client_email and private_key. Use this, or accessToken, not both.',
        additionalProperties: false,
        required: ['clientEmail', 'privateKey'],
        properties: {
          clientEmail: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+\\.gserviceaccount\\.com$' },
          privateKey: { type: 'string', pattern: '-----BEGIN PRIVATE KEY-----', 'x-kabar-secret': true },
        },
      },
      accessToken: {
        type: 'string',
        description: 'A fixed OAuth 2.0 access token (e.g. `gcloud auth print-access-token`), for development: it expires.',
        pattern: '^\\S+$',
        'x-kabar-secret': true,
      },
      timeoutMs: { type: 'integer', minimum: 100, maximum: 120_000, default: 10_000 },
      dryRun: { type: 'boolean', default: false },
      proxy: {
        type: 'object',
        description: 'An HTTP egress proxy that opens CONNECT tunnels; all traffic to Google (FCM and OAuth) goes through it.',
        additionalProperties: false,
        required: ['url'],
        properties: {
          // Credentials go in username/password, where the password is a secret, never in the URL.
          url: { type: 'string', description: 'http://host:port, e.g. http://proxy.kemkes.go.id:3128', pattern: '^http://[^\\s/?#@]+/?$' },
          // Basic authentication (RFC 7617): the user id cannot hold a colon.
          username: { type: 'string', pattern: '^[^:\\x00-\\x1f\\x7f]+$' },
          password: { type: 'string', pattern: '^[^\\x00-\\x1f\\x7f]+$', 'x-kabar-secret': true },
        },
        dependencies: { username: ['password'], password: ['username'] },
      },
      caCertificates: {
        type: 'string',
        description: 'PEM certificates (one or more) trusted besides the default ones, e.g. the CA of a TLS-inspecting egress proxy.',
        pattern: '-----BEGIN CERTIFICATE-----',
        maxLength: 1_000_000,
      },
    },
    // One credential, named in the problem: with neither, "/serviceAccount is required"; with both, "/serviceAccount
    // must NOT be valid". (Ajv's strict mode wants each `required` name declared beside it, hence the `true`s.)
    if: { required: ['accessToken'], properties: { accessToken: true } },
    then: { properties: { serviceAccount: { not: {} } } },
    else: { required: ['serviceAccount'], properties: { serviceAccount: true } },
  },
  create: (config, context) => createFcmProvider(config, context),
};

/**
 * Makes the FCM provider; the manifest's `create`, plus the connection seam tests use to reach a local FCM peer.
 * @example createFcmProvider(config, { logger }, { dial: ({ servername }) => tls.connect({ host: '127.0.0.1', port, servername: servername ?? undefined, ca }) })
 */
export function createFcmProvider(config: PushFcmConfig, { logger }: PluginContext, seam: FcmConnectionSeam = {}): ChannelProvider {
  const credentials = credentialsOf(config);
  const proxy = config.proxy === undefined ? undefined : egressProxyOf(config.proxy);
  const extraCertificates = config.caCertificates === undefined ? [] : trustedCertificatesOf(config.caCertificates, config.projectId, logger);
  if ('accessToken' in credentials) {
    logger.warn({ plugin: ID, projectId: config.projectId }, 'FCM uses a fixed access token: it expires (Google tokens last an hour); use a service account in production');
  }
  if (config.dryRun) logger.warn({ plugin: ID, projectId: config.projectId }, 'FCM dry run: messages are validated by FCM and delivered to no device');
  if (proxy !== undefined) {
    logger.info({ plugin: ID, projectId: config.projectId, proxy: proxy.label, proxyAuthentication: proxy.authorization !== undefined }, 'FCM traffic goes through an egress proxy');
  }
  const agent = new FcmDeadlineAgent({ ...seam, ...(proxy === undefined ? {} : { proxy }), extraCertificates });
  const client = new FcmClient({ projectId: config.projectId, credentials, agent });
  return new PushFcmProvider({ client, agent, projectId: config.projectId, timeoutMs: config.timeoutMs, dryRun: config.dryRun });
}

function credentialsOf(config: PushFcmConfig): FcmCredentials {
  if (config.serviceAccount === undefined) return { accessToken: config.accessToken };
  // Keys pasted from the JSON file often keep its `\n` escapes; the PEM needs real line breaks.
  const privateKey = config.serviceAccount.privateKey.replaceAll('\\n', '\n');
  try {
    createPrivateKey(privateKey);
  } catch (error) {
    // The reason only: the key itself must never reach a log or the console.
    const reason = error instanceof Error ? error.message : String(error);
    throw new PluginError(PluginErrorCode.InvalidConfig, `serviceAccount.privateKey is not a PEM private key: ${reason}`);
  }
  return { serviceAccount: { clientEmail: config.serviceAccount.clientEmail, privateKey } };
}

function egressProxyOf(proxy: NonNullable<PushFcmConfig['proxy']>): EgressProxy {
  let url: URL;
  try {
    url = new URL(proxy.url);
  } catch {
    throw configProblem('/proxy/url', 'is not a URL');
  }
  // The schema allows nothing else; URL parsing keeps it honest (e.g. a port out of range fails above).
  if (url.protocol !== 'http:' || url.username !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw configProblem('/proxy/url', 'must be http://host:port');
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? 80 : Number(url.port);
  const authorization = proxy.username === undefined || proxy.password === undefined ? undefined : `Basic ${Buffer.from(`${proxy.username}:${proxy.password}`).toString('base64')}`;
  return { host, port, label: `${url.hostname}:${port}`, ...(authorization === undefined ? {} : { authorization }) };
}

/**
 * The bundle's certificates, each checked, and logged by subject and fingerprint: trusting one lets its key holder read
 * what goes to Google (that is what a TLS-inspecting proxy does), so which ones are trusted must be on record.
 */
function trustedCertificatesOf(bundle: string, projectId: string, logger: Logger): string[] {
  const parsed = parseCaCertificates(bundle);
  if ('problem' in parsed) throw configProblem('/caCertificates', parsed.problem);
  const now = Date.now();
  const certificates = parsed.map(({ subject, fingerprint256, validTo }) => ({ subject, fingerprint256, validTo: validTo.toISOString() }));
  logger.info({ plugin: ID, projectId, certificates }, 'FCM traffic trusts extra certificates (caCertificates) besides the default ones');
  const expired = parsed.filter((certificate) => certificate.validTo.getTime() < now);
  if (expired.length > 0) {
    logger.warn({ plugin: ID, projectId, expired: expired.map(({ subject, fingerprint256 }) => ({ subject, fingerprint256 })) }, 'caCertificates holds expired certificates, which vouch for nothing');
  }
  return parsed.map((certificate) => certificate.pem);
}

/** What a schema cannot check, reported as the hub reports schema problems (path and reason, never the value). */
function configProblem(path: string, message: string): PluginConfigError {
  return new PluginConfigError(ID, [{ path, message }]);
}
