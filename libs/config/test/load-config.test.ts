import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigError, type ConfigProblem, loadConfig, resolveSecretKey } from '@kabar/config';
import { describe, expect, it } from 'vitest';

function problemsOf(env: Record<string, string>): readonly ConfigProblem[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

function tempFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'kabar-config-')), 'kabar.json');
  writeFileSync(path, content);
  return path;
}

describe('loadConfig', () => {
  it('defaults to the embedded mode on port 3000', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      trustProxy: false,
      role: 'all',
      dataDir: '.kabar',
      database: { kind: 'pglite', dataDir: '.kabar/pglite' },
      databaseConnectTimeoutMs: 15_000,
      kafka: null,
      kafkaEventAuth: 'signed',
      logLevel: 'info',
      secretKey: null,
      retiredSecretKeys: [],
      plugins: {},
      demo: true,
      policy: {
        quietHours: { start: 21 * 60, end: 6 * 60 },
        digestAt: 19 * 60,
        caps: { transactional: { count: 20, periodSeconds: 86_400 }, reminder: { count: 5, periodSeconds: 604_800 }, informational: { count: 3, periodSeconds: 604_800 } },
        fallbackAfterSeconds: 600,
        retentionDays: { critical: 90, transactional: 7, reminder: 7, informational: 7 },
        privacyNoticeVersion: '1',
        broadcastPage: 5_000,
      },
      delivery: { maxAttempts: 6, breakerThreshold: 5, breakerCooldownMs: 30_000 },
    });
  });

  it('reads the platform policy: quiet hours, digest time, caps, fallback deadline and retention', () => {
    const { policy } = loadConfig({
      KABAR_QUIET_HOURS: 'none',
      KABAR_DIGEST_AT: '07:30',
      KABAR_CAPS: 'reminder=3/week',
      KABAR_FALLBACK_AFTER_SECONDS: '120',
      KABAR_RETENTION_DAYS: 'critical=365,informational=3',
      KABAR_BROADCAST_PAGE: '250',
      KABAR_PRIVACY_NOTICE_VERSION: '2026-01',
    });
    expect(policy).toEqual({
      quietHours: null,
      digestAt: 7 * 60 + 30,
      caps: { reminder: { count: 3, periodSeconds: 604_800 } },
      fallbackAfterSeconds: 120,
      retentionDays: { critical: 365, transactional: 7, reminder: 7, informational: 3 },
      privacyNoticeVersion: '2026-01',
      broadcastPage: 250,
    });
  });

  it('reads which proxies to believe for the client address: a hop count or addresses and ranges', () => {
    expect(loadConfig({ KABAR_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ KABAR_TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8']);
    for (const wrong of ['0', '11', 'everyone', '10.0.0.0/8;rm']) {
      expect(() => loadConfig({ KABAR_TRUST_PROXY: wrong }), wrong).toThrow(/KABAR_TRUST_PROXY/);
    }
  });

  it('reads KABAR_CAPS=none as no platform caps', () => {
    expect(loadConfig({ KABAR_CAPS: 'none' }).policy.caps).toEqual({});
  });

  it.each([
    ['KABAR_QUIET_HOURS', '21-6', 'HH:MM-HH:MM'],
    ['KABAR_QUIET_HOURS', '25:00-06:00', 'HH:MM-HH:MM'],
    ['KABAR_DIGEST_AT', '7pm', 'HH:MM'],
    ['KABAR_CAPS', 'critical=1/day', 'class=count/day'],
    ['KABAR_CAPS', 'reminder=3/month', 'class=count/day'],
    ['KABAR_CAPS', 'spam=3/day', 'class=count/day'],
    ['KABAR_RETENTION_DAYS', 'reminder=0', 'class=days'],
    ['KABAR_PRIVACY_NOTICE_VERSION', 'v 2', 'a version of letters'],
    ['KABAR_FALLBACK_AFTER_SECONDS', '0', 'an integer from 1'],
    ['KABAR_BROADCAST_PAGE', '50000', 'an integer from 1 to 20000'],
  ])('rejects %s=%s naming what it expects', (variable, value, expected) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(expect.objectContaining({ message: expect.stringContaining(expected) as unknown }) as Error);
    expect(() => loadConfig({ [variable]: value })).toThrow(variable);
  });

  it('selects PostgreSQL and Kafka when their variables are set', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://kabar:secret@db.internal:5432/kabar',
      KAFKA_BROKERS: 'k1:9092, k2:9092',
      KAFKA_NAMESPACE: 'staging.',
      KAFKA_PARTITIONS: '12',
      PORT: '8080',
      KABAR_ROLE: 'worker',
      KABAR_KAFKA_EVENT_AUTH: 'source',
    });
    expect(config.kafkaEventAuth).toBe('source');
    expect(loadConfig({ DATABASE_URL: 'postgres://db.internal/kabar', DATABASE_POOL_SIZE: '40' }).database).toMatchObject({ poolSize: 40 });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://kabar:secret@db.internal:5432/kabar', poolSize: 10, queryTimeoutMs: 30_000 });
    expect(loadConfig({ DATABASE_URL: 'postgres://db.internal/kabar', DATABASE_QUERY_TIMEOUT_MS: '0' }).database).toMatchObject({ queryTimeoutMs: 0 });
    expect(config.kafka).toEqual({
      brokers: ['k1:9092', 'k2:9092'],
      clientId: 'kabar-hub',
      namespace: 'staging.',
      partitions: 12,
      replicationFactor: 1,
      connectTimeoutMs: 120_000,
    });
    expect(config.port).toBe(8080);
    expect(config.role).toBe('worker');
  });

  it.each([
    ['PORT', 'abc', 'an integer from 0 to 65535'],
    ['PORT', '70000', 'an integer from 0 to 65535'],
    ['PORT', '3.5', 'an integer from 0 to 65535'],
    ['KABAR_ROLE', 'boss', 'one of api, worker, all'],
    ['LOG_LEVEL', 'loud', 'one of fatal, error, warn, info, debug, trace, silent'],
    ['KAFKA_BROKERS', 'localhost', 'a comma-separated list of host:port'],
    ['KAFKA_BROKERS', 'a:1,b:99999', 'a comma-separated list of host:port'],
    ['KAFKA_PARTITIONS', '0', 'an integer from 1 to 10000'],
    ['DATABASE_POOL_SIZE', '1', 'an integer from 2 to 500'],
    ['DATABASE_QUERY_TIMEOUT_MS', '500', '0 (none) or an integer from 1000 to 3600000'],
    ['DATABASE_QUERY_TIMEOUT_MS', '30s', '0 (none) or an integer from 1000 to 3600000'],
    ['KAFKA_NAMESPACE', 'has space', 'up to 100 letters, digits, dots, dashes or underscores'],
    ['KABAR_SECRET_KEY_ID', 'no spaces please', 'up to 32 letters, digits, dashes or underscores'],
    ['KABAR_DEMO', 'yes', 'one of true, false'],
    ['KABAR_KAFKA_EVENT_AUTH', 'none', 'one of signed, source'],
  ])('rejects %s=%s, naming the variable and what it expects', (variable, value, expected) => {
    expect(problemsOf({ [variable]: value })).toEqual([{ variable, expected, got: value }]);
  });

  it('never echoes a rejected DATABASE_URL, which may hold a password', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(problems).toEqual([{ variable: 'DATABASE_URL', expected: 'a postgres://user:password@host:port/database URL' }]);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('reads a 32-byte base64 master key and never echoes a wrong one', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ KABAR_SECRET_KEY: key }).secretKey).toEqual({ id: 'k1', key: Buffer.alloc(32, 7) });
    expect(problemsOf({ KABAR_SECRET_KEY: 'c2hvcnQ=' })).toEqual([
      { variable: 'KABAR_SECRET_KEY', expected: 'a base64 32-byte key (`openssl rand -base64 32`)' },
    ]);
  });

  it('reads retired master keys by id, refusing a malformed list, a repeated id or the current one without echoing keys', () => {
    const old = Buffer.alloc(32, 1).toString('base64');
    const older = Buffer.alloc(32, 2).toString('base64');
    const config = loadConfig({ KABAR_SECRET_KEY: Buffer.alloc(32, 3).toString('base64'), KABAR_SECRET_KEY_ID: 'k3', KABAR_RETIRED_SECRET_KEYS: `k2:${old}, k1:${older}` });
    expect(config.retiredSecretKeys).toEqual([
      { id: 'k2', key: Buffer.alloc(32, 1) },
      { id: 'k1', key: Buffer.alloc(32, 2) },
    ]);
    const malformed = 'a comma-separated list of id:key, each key a base64 32-byte key';
    for (const value of [old, `k2:c2hvcnQ=`, `k 2:${old}`, `k2:${old},`]) {
      expect(problemsOf({ KABAR_RETIRED_SECRET_KEYS: value })).toEqual([{ variable: 'KABAR_RETIRED_SECRET_KEYS', expected: malformed }]);
    }
    expect(problemsOf({ KABAR_RETIRED_SECRET_KEYS: `k1:${old}` })).toEqual([
      { variable: 'KABAR_RETIRED_SECRET_KEYS', expected: 'each key id once, and not the current KABAR_SECRET_KEY_ID (k1 repeats)' },
    ]);
    expect(problemsOf({ KABAR_SECRET_KEY_ID: 'k3', KABAR_RETIRED_SECRET_KEYS: `k2:${old},k2:${older}` })).toHaveLength(1);
    expect(JSON.stringify(problemsOf({ KABAR_RETIRED_SECRET_KEYS: `k2:${old}x` }))).not.toContain(old);
  });

  it('requires a master key for a PostgreSQL deployment and makes one for the embedded mode', () => {
    const postgres = loadConfig({ DATABASE_URL: 'postgres://k:p@db:5432/kabar' });
    expect(() => resolveSecretKey(postgres)).toThrow(ConfigError);
    const dataDir = mkdtempSync(join(tmpdir(), 'kabar-key-'));
    const embedded = loadConfig({ KABAR_DATA_DIR: dataDir });
    const first = resolveSecretKey(embedded);
    expect(first.key).toHaveLength(32);
    expect(resolveSecretKey(embedded)).toEqual(first);
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
  });

  it('reports every problem at once, in a message an operator can act on', () => {
    const error = (() => {
      try {
        loadConfig({ PORT: '-1', KABAR_ROLE: 'x' });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(
      'Invalid configuration:\n  PORT: expected an integer from 0 to 65535, got "-1"\n  KABAR_ROLE: expected one of api, worker, all, got "x"',
    );
  });

  it('reads a JSON config file, with the environment winning', () => {
    const file = tempFile(JSON.stringify({ PORT: 4000, LOG_LEVEL: 'debug' }));
    const config = loadConfig({ KABAR_CONFIG_FILE: file, LOG_LEVEL: 'warn' });
    expect(config.port).toBe(4000);
    expect(config.logLevel).toBe('warn');
  });

  it.each([
    ['{not json', 'a file holding a JSON object'],
    ['[1,2]', 'a file holding a JSON object'],
    ['{"PROT": 1}', 'only known variable names as keys (unknown: PROT)'],
    ['{"PORT": {"nested": true}}', 'a string, number or boolean for PORT'],
  ])('rejects a config file holding %s', (content, expected) => {
    const file = tempFile(content);
    expect(problemsOf({ KABAR_CONFIG_FILE: file })).toEqual([{ variable: 'KABAR_CONFIG_FILE', expected, got: file }]);
  });

  it('rejects a config file that does not exist', () => {
    expect(problemsOf({ KABAR_CONFIG_FILE: '/nonexistent/kabar.json' })).toEqual([
      { variable: 'KABAR_CONFIG_FILE', expected: 'a readable file', got: '/nonexistent/kabar.json' },
    ]);
  });
});
