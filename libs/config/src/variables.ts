/**
 * Every setting Kabar reads, in one table: the parser, the README table and `kabar config` all come from here, so a
 * variable cannot be documented without being parsed or parsed without being documented.
 */
export interface VariableSpec {
  readonly name: string;
  readonly description: string;
  /** Shown in the README; `undefined` means "unset unless given". */
  readonly defaultValue?: string;
  /** Never echo the value back (it may hold a password). */
  readonly secret?: boolean;
}

export const VARIABLES = {
  PORT: { name: 'PORT', defaultValue: '3000', description: 'HTTP port for GraphQL, webhooks, /health and /metrics (0 picks a free port).' },
  HOST: { name: 'HOST', defaultValue: '127.0.0.1', description: 'Interface to listen on; `0.0.0.0` in containers.' },
  KABAR_TRUST_PROXY: {
    name: 'KABAR_TRUST_PROXY',
    defaultValue: '',
    description:
      'Proxies in front of the hub whose `X-Forwarded-For` is believed, so the audit trail records the client\'s address rather than the proxy\'s: a number of hops (`1` behind one ingress), or comma-separated addresses, CIDR ranges, `loopback`, `linklocal`, `uniquelocal`. Empty: none (the peer address is recorded).',
  },
  KABAR_ROLE: {
    name: 'KABAR_ROLE',
    defaultValue: 'all',
    description: '`api` (HTTP/GraphQL only), `worker` (bus consumers and relays only) or `all`.',
  },
  KABAR_DATA_DIR: {
    name: 'KABAR_DATA_DIR',
    defaultValue: '.kabar',
    description: 'Where the embedded mode keeps its PGlite database.',
  },
  DATABASE_URL: {
    name: 'DATABASE_URL',
    secret: true,
    description: 'PostgreSQL URL (`postgres://user:pass@host:5432/db`). Unset: embedded PGlite under `KABAR_DATA_DIR`.',
  },
  DATABASE_CONNECT_TIMEOUT_MS: {
    name: 'DATABASE_CONNECT_TIMEOUT_MS',
    defaultValue: '15000',
    description: 'How long to keep retrying an unreachable database at start before giving up (exit code 3).',
  },
  DATABASE_POOL_SIZE: {
    name: 'DATABASE_POOL_SIZE',
    defaultValue: '10',
    description:
      'Connections each hub process opens to PostgreSQL at most, shared by its API, consumers and relays (2 to 500). The hub processes together should stay under the server\'s `max_connections`, less what operators and migrations need.',
  },
  DATABASE_QUERY_TIMEOUT_MS: {
    name: 'DATABASE_QUERY_TIMEOUT_MS',
    defaultValue: '30000',
    description:
      'How long one statement may run before PostgreSQL cancels it, and how long a request waits to connect or for a free connection; a connection that stays silent 5 s longer is closed (a network partition, a server gone without resetting its connections), so requests are answered 503 `DATABASE_UNAVAILABLE` instead of waiting for the kernel\'s TCP timeout. 0 for none; `kabar migrate` runs without it. Behind PgBouncer, add `statement_timeout` to its `ignore_startup_parameters`.',
  },
  KAFKA_BROKERS: {
    name: 'KAFKA_BROKERS',
    description: 'Comma-separated Kafka bootstrap servers (`host:port`). Unset: the in-process bus.',
  },
  KAFKA_CLIENT_ID: { name: 'KAFKA_CLIENT_ID', defaultValue: 'kabar-hub', description: 'Kafka client id (shows in broker logs and quotas).' },
  KAFKA_NAMESPACE: {
    name: 'KAFKA_NAMESPACE',
    defaultValue: '',
    description: 'Prefix for topic names and consumer groups (e.g. `staging.`), so several hubs can share one cluster.',
  },
  KAFKA_PARTITIONS: {
    name: 'KAFKA_PARTITIONS',
    defaultValue: '6',
    description: 'Partitions for topics the hub creates at boot when they are missing.',
  },
  KAFKA_REPLICATION_FACTOR: {
    name: 'KAFKA_REPLICATION_FACTOR',
    defaultValue: '1',
    description: 'Replication factor for topics the hub creates (3 in production).',
  },
  KABAR_KAFKA_EVENT_AUTH: {
    name: 'KABAR_KAFKA_EVENT_AUTH',
    defaultValue: 'signed',
    description:
      '`signed`: a record on `kabar.events.v1` must carry `kabar-key` and `kabar-signature` (HMAC-SHA256 with the API key\'s secret) and may only use its agency\'s sources. `source`: unsigned records are trusted to come from the agency that owns their `source`; only where the cluster lets nobody but trusted systems write the topic.',
  },
  KAFKA_CONNECT_TIMEOUT_MS: {
    name: 'KAFKA_CONNECT_TIMEOUT_MS',
    defaultValue: '120000',
    description: 'How long to keep retrying an unreachable broker at start, with backoff, before giving up (exit code 3).',
  },
  KABAR_DEMO: {
    name: 'KABAR_DEMO',
    defaultValue: 'true',
    description:
      '`true` or `false`. The embedded mode seeds demo agencies, citizens and keys into an empty database at start and writes them to `KABAR_DATA_DIR/demo.json`; `false` starts empty.',
  },
  KABAR_SECRET_KEY: {
    name: 'KABAR_SECRET_KEY',
    secret: true,
    description:
      'Master key (32 random bytes, base64: `openssl rand -base64 32`) for encrypting contact points and secrets at rest. Required with `DATABASE_URL`; the embedded mode creates `KABAR_DATA_DIR/secret.key` once.',
  },
  KABAR_SECRET_KEY_ID: {
    name: 'KABAR_SECRET_KEY_ID',
    defaultValue: 'k1',
    description: 'Id stored with every ciphertext, so a new key can be introduced without losing the old data.',
  },
  KABAR_RETIRED_SECRET_KEYS: {
    name: 'KABAR_RETIRED_SECRET_KEYS',
    secret: true,
    description:
      'Earlier master keys, `id:base64` separated by commas, after a rotation: they open what they sealed until `kabar secrets reencrypt` has moved it to the current key, and check the audit entries they sealed. Keep the one the database names as its lookup key (`kabar secrets status`).',
  },
  KABAR_PLUGINS: {
    name: 'KABAR_PLUGINS',
    secret: true,
    description:
      'JSON object of plugin id to its configuration, e.g. `{"webhook-http": {"url": "https://…", "secret": "whsec_…"}}`; checked against each plugin\'s schema at start.',
  },
  KABAR_QUIET_HOURS: {
    name: 'KABAR_QUIET_HOURS',
    defaultValue: '21:00-06:00',
    description:
      "Platform quiet hours in each citizen's own time zone (`HH:MM-HH:MM`, or `none`); non-critical messages wait for the end. Citizens may choose their own.",
  },
  KABAR_DIGEST_AT: {
    name: 'KABAR_DIGEST_AT',
    defaultValue: '19:00',
    description: "Local time (`HH:MM`) at which each citizen's daily digest of deferred messages goes out.",
  },
  KABAR_CAPS: {
    name: 'KABAR_CAPS',
    defaultValue: 'transactional=20/day,reminder=5/week,informational=3/week',
    description:
      'Platform frequency caps per citizen across all agencies, `class=count/day|week`, comma-separated, or `none`; citizens may only tighten them. `critical` is never capped.',
  },
  KABAR_FALLBACK_AFTER_SECONDS: {
    name: 'KABAR_FALLBACK_AFTER_SECONDS',
    defaultValue: '600',
    description: "How long a channel has to report delivery before the citizen's next channel is tried, when the event type sets none.",
  },
  KABAR_RETENTION_DAYS: {
    name: 'KABAR_RETENTION_DAYS',
    defaultValue: 'critical=90,transactional=7,reminder=7,informational=7',
    description:
      'Days rendered content and contact details stay on notifications, per message class (legal notices longer); delivery outcomes without personal data are kept.',
  },
  KABAR_PRIVACY_NOTICE_VERSION: {
    name: 'KABAR_PRIVACY_NOTICE_VERSION',
    defaultValue: '1',
    description:
      'The privacy notice in force (letters, digits, `.`, `_`, `-`; up to 32). Consents given in the preference centre are recorded under it; raise it when the notice changes.',
  },
  KABAR_BROADCAST_PAGE: {
    name: 'KABAR_BROADCAST_PAGE',
    defaultValue: '5000',
    description: 'Citizens of a broadcast audience planned and written per page (1 to 20,000): larger pages go faster and hold more memory per worker.',
  },
  KABAR_DELIVERY_ATTEMPTS: {
    name: 'KABAR_DELIVERY_ATTEMPTS',
    defaultValue: '6',
    description: 'Hand-overs of one notification to its plugin on retryable errors (timeouts, outages, rate limits), with exponential backoff and jitter from 30 s up to 30 min; then it fails and the next channel is tried.',
  },
  KABAR_BREAKER_THRESHOLD: {
    name: 'KABAR_BREAKER_THRESHOLD',
    defaultValue: '5',
    description: 'Consecutive outage failures of a plugin install that open its circuit breaker (no calls until a half-open probe succeeds).',
  },
  KABAR_BREAKER_COOLDOWN_MS: {
    name: 'KABAR_BREAKER_COOLDOWN_MS',
    defaultValue: '30000',
    description: 'How long an open circuit waits before one probe batch; doubled after each failed probe, up to ten times this.',
  },
  LOG_LEVEL: {
    name: 'LOG_LEVEL',
    defaultValue: 'info',
    description: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`. Logs are JSON lines (pino).',
  },
  KABAR_CONFIG_FILE: {
    name: 'KABAR_CONFIG_FILE',
    description: 'Optional JSON file whose keys are these variable names; the environment wins over the file.',
  },
} as const satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof VARIABLES;
