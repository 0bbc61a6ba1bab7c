import { createPrivateKey } from 'node:crypto';

import { type ChannelProvider, type PluginContext, PluginError, PluginErrorCode, type PluginManifest } from '@kabar/plugin-sdk';

import { FcmClient, type FcmCredentials } from './fcm.client.js';
import { FcmDeadlineAgent, type FcmDial } from './fcm-deadline.agent.js';
import { PushFcmProvider } from './push-fcm.provider.js';

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
}

/** Exactly one way to authenticate: a service account in production, or a fixed access token for development. */
export type PushFcmConfig = PushFcmCommonConfig &
  (
    | { readonly serviceAccount: { readonly clientEmail: string; readonly privateKey: string }; readonly accessToken?: undefined }
    | { readonly accessToken: string; readonly serviceAccount?: undefined }
  );

/**
 * How the provider reaches FCM, for tests only. firebase-admin fixes the host (fcm.googleapis.com), and so does this
 * plugin: no setting can point pushes (with citizens' names in them) elsewhere. A test passes `dial` to open the TLS
 * connection to a local peer instead; the request, its SNI and the certificate check still name the real host, and the
 * provider's own agent (with its deadline) is the one in use. The manifest's `create` never passes it.
 */
export interface FcmConnectionSeam {
  readonly dial?: FcmDial;
}

/** The push plugin: each message goes to one device token through Firebase Cloud Messaging's v1 API (firebase-admin). */
export const pushFcmPlugin: PluginManifest<PushFcmConfig> = {
  id: 'push-fcm',
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
  if ('accessToken' in credentials) {
    logger.warn({ plugin: 'push-fcm', projectId: config.projectId }, 'FCM uses a fixed access token: it expires (Google tokens last an hour); use a service account in production');
  }
  if (config.dryRun) logger.warn({ plugin: 'push-fcm', projectId: config.projectId }, 'FCM dry run: messages are validated by FCM and delivered to no device');
  const agent = new FcmDeadlineAgent(seam.dial);
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
