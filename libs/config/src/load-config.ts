import { readFileSync } from 'node:fs';

import { type KabarConfig, KAFKA_EVENT_AUTH, type KafkaEventAuth, LOG_LEVELS, type LogLevel, type PolicyConfig, type Role, ROLES, type SecretKeyConfig } from './config.js';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { type VariableName, VARIABLES } from './variables.js';

export type ConfigSource = Readonly<Record<string, string | undefined>>;

/** Reads one variable at a time and collects every problem instead of stopping at the first. */
class Reader {
  readonly problems: ConfigProblem[] = [];

  constructor(private readonly source: ConfigSource) {}

  raw(name: VariableName): string | undefined {
    const value = this.source[name]?.trim();
    return value === '' || value === undefined ? undefined : value;
  }

  string(name: VariableName): string {
    return this.raw(name) ?? defaultOf(name);
  }

  integer(name: VariableName, min: number, max: number): number {
    const text = this.string(name);
    const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.fail(name, `an integer from ${min} to ${max}`, text);
      return min;
    }
    return value;
  }

  oneOf<T extends string>(name: VariableName, allowed: readonly [T, ...T[]]): T {
    const text = this.string(name);
    const match = allowed.find((candidate) => candidate === text);
    if (match === undefined) this.fail(name, `one of ${allowed.join(', ')}`, text);
    return match ?? allowed[0]; // after a failure the value is never used: the error stops the boot
  }

  fail(name: VariableName, expected: string, got: string | undefined): void {
    const secret = 'secret' in VARIABLES[name] && VARIABLES[name].secret;
    this.problems.push({ variable: name, expected, ...(secret || got === undefined ? {} : { got }) });
  }
}

/** 0 switches the bound off; below a second it would cancel ordinary statements under load. */
function parseQueryTimeout(reader: Reader): number {
  const text = reader.string('DATABASE_QUERY_TIMEOUT_MS');
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (value === 0 || (Number.isSafeInteger(value) && value >= 1_000 && value <= 3_600_000)) return value;
  reader.fail('DATABASE_QUERY_TIMEOUT_MS', '0 (none) or an integer from 1000 to 3600000', text);
  return 0;
}

function defaultOf(name: VariableName): string {
  const spec = VARIABLES[name];
  return 'defaultValue' in spec ? spec.defaultValue : '';
}

function parseDatabaseUrl(reader: Reader): string | undefined {
  const url = reader.raw('DATABASE_URL');
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new Error('protocol');
    if (parsed.hostname === '' || parsed.pathname.length < 2) throw new Error('host or database');
    return url;
  } catch {
    reader.fail('DATABASE_URL', 'a postgres://user:password@host:port/database URL', url);
    return undefined;
  }
}

function parseBrokers(reader: Reader): string[] | undefined {
  const text = reader.raw('KAFKA_BROKERS');
  if (text === undefined) return undefined;
  const brokers = text.split(',').map((b) => b.trim());
  const valid = brokers.every((b) => /^[A-Za-z0-9.-]+:\d{1,5}$/.test(b) && Number(b.split(':')[1]) <= 65_535);
  if (!valid || brokers.length === 0) {
    reader.fail('KAFKA_BROKERS', 'a comma-separated list of host:port', text);
    return undefined;
  }
  return brokers;
}

const KEY_ID = /^[a-zA-Z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/=_-]+$/;

function parseSecretKey(reader: Reader): SecretKeyConfig | null {
  const id = reader.string('KABAR_SECRET_KEY_ID');
  if (!KEY_ID.test(id)) reader.fail('KABAR_SECRET_KEY_ID', 'up to 32 letters, digits, dashes or underscores', id);
  const text = reader.raw('KABAR_SECRET_KEY');
  if (text === undefined) return null;
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32 || !BASE64.test(text)) {
    reader.fail('KABAR_SECRET_KEY', 'a base64 32-byte key (`openssl rand -base64 32`)', text);
    return null;
  }
  return { id, key };
}

/** `id:base64,id:base64`: base64 has no colon, so the first one ends the id. */
function parseRetiredSecretKeys(reader: Reader, current: SecretKeyConfig | null): SecretKeyConfig[] {
  const text = reader.raw('KABAR_RETIRED_SECRET_KEYS');
  if (text === undefined) return [];
  const keys: SecretKeyConfig[] = [];
  for (const entry of text.split(',').map((part) => part.trim())) {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    const encoded = entry.slice(colon + 1);
    const key = Buffer.from(encoded, 'base64');
    if (!KEY_ID.test(id) || key.length !== 32 || !BASE64.test(encoded)) {
      reader.fail('KABAR_RETIRED_SECRET_KEYS', 'a comma-separated list of id:key, each key a base64 32-byte key', undefined);
      return [];
    }
    if (id === (current?.id ?? reader.string('KABAR_SECRET_KEY_ID')) || keys.some((k) => k.id === id)) {
      reader.fail('KABAR_RETIRED_SECRET_KEYS', `each key id once, and not the current KABAR_SECRET_KEY_ID (${id} repeats)`, undefined);
      return [];
    }
    keys.push({ id, key });
  }
  return keys;
}

function parsePlugins(reader: Reader): Record<string, unknown> {
  const text = reader.raw('KABAR_PLUGINS');
  if (text === undefined) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  reader.fail('KABAR_PLUGINS', 'a JSON object of plugin id to configuration', undefined);
  return {};
}

const CLASSES = ['critical', 'transactional', 'reminder', 'informational'];
const PERIODS: Readonly<Record<string, number>> = { day: 86_400, week: 604_800 };

function minuteOfDay(text: string): number | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return match === null ? null : Number(match[1]) * 60 + Number(match[2]);
}

/** `class=value` pairs, comma-separated; null when malformed or naming an unknown class. */
function classPairs(text: string): [string, string][] | null {
  if (text.trim() === '') return [];
  const pairs = text.split(',').map((part) => part.split('=').map((s) => s.trim()));
  return pairs.every((p): p is [string, string] => p.length === 2 && CLASSES.includes(p[0] ?? '')) ? pairs : null;
}

function parsePolicy(reader: Reader): PolicyConfig {
  const quietText = reader.string('KABAR_QUIET_HOURS').trim();
  const [from, to] = quietText.split('-');
  const start = minuteOfDay(from ?? '');
  const end = minuteOfDay(to ?? '');
  let quietHours: PolicyConfig['quietHours'] = null;
  if (quietText !== 'none') {
    if (start === null || end === null) reader.fail('KABAR_QUIET_HOURS', 'HH:MM-HH:MM (e.g. 21:00-06:00) or none', quietText);
    else quietHours = { start, end };
  }
  const digestText = reader.string('KABAR_DIGEST_AT');
  const digestAt = minuteOfDay(digestText);
  if (digestAt === null) reader.fail('KABAR_DIGEST_AT', 'HH:MM (e.g. 19:00)', digestText);

  const capsText = reader.string('KABAR_CAPS');
  const caps: Record<string, { count: number; periodSeconds: number }> = {};
  const capPairs = capsText === 'none' ? [] : classPairs(capsText);
  for (const [messageClass, value] of capPairs ?? []) {
    const match = /^(\d{1,6})\/(day|week)$/.exec(value);
    if (match === null || messageClass === 'critical') {
      reader.fail('KABAR_CAPS', 'class=count/day or class=count/week for transactional, reminder or informational', capsText);
      break;
    }
    caps[messageClass] = { count: Number(match[1]), periodSeconds: PERIODS[match[2] ?? 'day'] ?? 86_400 };
  }
  if (capPairs === null) reader.fail('KABAR_CAPS', 'class=count/day or class=count/week pairs, comma-separated', capsText);

  const retentionText = reader.string('KABAR_RETENTION_DAYS');
  const retentionDays: Record<string, number> = { critical: 90, transactional: 7, reminder: 7, informational: 7 };
  const retentionPairs = classPairs(retentionText);
  for (const [messageClass, value] of retentionPairs ?? []) {
    if (!/^\d{1,5}$/.test(value) || Number(value) < 1) {
      reader.fail('KABAR_RETENTION_DAYS', 'class=days pairs with whole days of at least 1', retentionText);
      break;
    }
    retentionDays[messageClass] = Number(value);
  }
  if (retentionPairs === null) reader.fail('KABAR_RETENTION_DAYS', 'class=days pairs, comma-separated, for the four message classes', retentionText);

  const privacyNoticeVersion = reader.string('KABAR_PRIVACY_NOTICE_VERSION');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/.test(privacyNoticeVersion)) reader.fail('KABAR_PRIVACY_NOTICE_VERSION', 'a version of letters, digits, ., _ and - (up to 32, e.g. 2026-01)', privacyNoticeVersion);

  return {
    quietHours,
    digestAt: digestAt ?? 19 * 60,
    privacyNoticeVersion,
    caps,
    fallbackAfterSeconds: reader.integer('KABAR_FALLBACK_AFTER_SECONDS', 1, 7 * 86_400),
    retentionDays,
    broadcastPage: reader.integer('KABAR_BROADCAST_PAGE', 1, 20_000),
  };
}

const PROXY = /^(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/\d{1,3})?)$/;

function parseTrustProxy(reader: Reader): false | number | readonly string[] {
  const text = reader.string('KABAR_TRUST_PROXY').trim();
  if (text === '') return false;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops >= 1 && hops <= 10) return hops;
  }
  const proxies = text.split(',').map((p) => p.trim());
  if (proxies.every((p) => PROXY.test(p)) && !/^\d+$/.test(text)) return proxies;
  reader.fail('KABAR_TRUST_PROXY', 'a hop count from 1 to 10, or comma-separated addresses, CIDR ranges, loopback, linklocal or uniquelocal', text);
  return false;
}

function parseNamespace(reader: Reader): string {
  const namespace = reader.string('KAFKA_NAMESPACE');
  if (/^[a-zA-Z0-9._-]{0,100}$/.test(namespace)) return namespace;
  reader.fail('KAFKA_NAMESPACE', 'up to 100 letters, digits, dots, dashes or underscores', namespace);
  return '';
}

/**
 * Reads `KABAR_CONFIG_FILE` (JSON object of variable names to values) if set. The environment wins over the file so a
 * deployment can override one value without editing the file.
 */
function readConfigFile(env: ConfigSource): { values: ConfigSource; problem?: ConfigProblem } {
  const path = env.KABAR_CONFIG_FILE?.trim();
  if (path === undefined || path === '') return { values: {} };
  const bad = (expected: string): { values: ConfigSource; problem: ConfigProblem } => ({
    values: {},
    problem: { variable: 'KABAR_CONFIG_FILE', expected, got: path },
  });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return bad('a readable file');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return bad('a file holding a JSON object');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return bad('a file holding a JSON object');
  const values: Record<string, string> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(json)) {
    if (!(key in VARIABLES)) unknown.push(key);
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') values[key] = String(value);
    else return bad(`a string, number or boolean for ${key}`);
  }
  if (unknown.length > 0) return bad(`only known variable names as keys (unknown: ${unknown.join(', ')})`);
  return { values };
}

/**
 * Parses the environment (and the optional config file) into a checked `KabarConfig`.
 * Throws `ConfigError` listing every problem.
 * @example const config = loadConfig(process.env)
 */
export function loadConfig(env: ConfigSource): KabarConfig {
  const file = readConfigFile(env);
  const reader = new Reader({ ...file.values, ...env });
  if (file.problem !== undefined) reader.problems.push(file.problem);

  const dataDir = reader.string('KABAR_DATA_DIR');
  const secretKey = parseSecretKey(reader);
  const databaseUrl = parseDatabaseUrl(reader);
  // Parsed without a URL too, so a typo is reported before someone points the hub at PostgreSQL.
  const poolSize = reader.integer('DATABASE_POOL_SIZE', 2, 500);
  const queryTimeoutMs = parseQueryTimeout(reader);
  const brokers = parseBrokers(reader);
  // Parsed even without brokers so a typo is reported before someone switches Kafka on.
  const kafkaSettings = {
    clientId: reader.string('KAFKA_CLIENT_ID'),
    namespace: parseNamespace(reader),
    partitions: reader.integer('KAFKA_PARTITIONS', 1, 10_000),
    replicationFactor: reader.integer('KAFKA_REPLICATION_FACTOR', 1, 32),
    connectTimeoutMs: reader.integer('KAFKA_CONNECT_TIMEOUT_MS', 0, 3_600_000),
  };
  const config: KabarConfig = {
    port: reader.integer('PORT', 0, 65_535),
    host: reader.string('HOST'),
    trustProxy: parseTrustProxy(reader),
    role: reader.oneOf<Role>('KABAR_ROLE', ROLES),
    dataDir,
    database: databaseUrl === undefined ? { kind: 'pglite', dataDir: `${dataDir}/pglite` } : { kind: 'postgres', url: databaseUrl, poolSize, queryTimeoutMs },
    databaseConnectTimeoutMs: reader.integer('DATABASE_CONNECT_TIMEOUT_MS', 0, 3_600_000),
    kafka: brokers === undefined ? null : { brokers, ...kafkaSettings },
    kafkaEventAuth: reader.oneOf<KafkaEventAuth>('KABAR_KAFKA_EVENT_AUTH', KAFKA_EVENT_AUTH),
    logLevel: reader.oneOf<LogLevel>('LOG_LEVEL', LOG_LEVELS),
    secretKey,
    retiredSecretKeys: parseRetiredSecretKeys(reader, secretKey),
    plugins: parsePlugins(reader),
    demo: reader.oneOf('KABAR_DEMO', ['true', 'false']) === 'true',
    policy: parsePolicy(reader),
    delivery: {
      maxAttempts: reader.integer('KABAR_DELIVERY_ATTEMPTS', 1, 50),
      breakerThreshold: reader.integer('KABAR_BREAKER_THRESHOLD', 1, 1_000),
      breakerCooldownMs: reader.integer('KABAR_BREAKER_COOLDOWN_MS', 100, 3_600_000),
    },
  };
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return config;
}
