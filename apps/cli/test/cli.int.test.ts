import { MIGRATION_NAMES } from '@kabar/persistence';
import { createTestDatabase, queryDatabase, type TestDatabase } from '@kabar/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { kabar } from './support/run-kabar.js';

describe('kabar CLI', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(inject('services').databaseUrl);
  });

  afterAll(async () => {
    await database.drop();
  });

  it('lists its commands with --help', async () => {
    const run = await kabar(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['migrate', 'admin', 'agencies', 'keys', 'audit', 'demo', 'services', 'config', 'help']) expect(run.stdout).toContain(`  ${command} `);
  });

  it('shows the help of one command', async () => {
    const run = await kabar(['help', 'migrate']);
    expect(run.stdout).toMatch(/^kabar migrate \[--check\]/);
    expect((await kabar(['keys', '--help'])).stdout).toMatch(/^kabar keys issue --agency CODE/);
    expect((await kabar(['help', 'agencies'])).stdout).toMatch(/^kabar agencies create --code CODE/);
    expect((await kabar(['admin', 'create', '-h'])).stdout).toMatch(/^kabar admin create \[--name NAME\]/);
    expect((await kabar(['help', 'demo'])).stdout).toMatch(/^kabar demo \[--url URL\]/);
    expect((await kabar(['audit', '--help'])).stdout).toMatch(/^kabar audit list \[--agency CODE\]/);
  });

  it('exits 2 on an unknown command or option', async () => {
    expect((await kabar(['frobnicate'])).code).toBe(2);
    expect((await kabar(['frobnicate'])).stderr).toContain('unknown command "frobnicate"');
    expect((await kabar(['migrate', '--force'])).code).toBe(2);
  });

  it('migrates a PostgreSQL database once, and --check tells whether anything is pending', async () => {
    const env = { DATABASE_URL: database.url };
    const before = await kabar(['migrate', '--check'], env);
    expect(before.code).toBe(1);
    expect(before.stderr).toContain(`${MIGRATION_NAMES.length} pending migration(s): ${MIGRATION_NAMES.join(', ')}`);

    const first = await kabar(['migrate'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/PostgreSQL at 127\.0\.0\.1:5432\/kabar_t_\w+: applied /);
    expect(first.stdout).toContain(MIGRATION_NAMES.join(', '));
    const tables = await queryDatabase<{ table_name: string }>(
      database.url,
      "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
    );
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['mikro_orm_migrations', 'outbox', 'probe', 'agency', 'event']));

    const second = await kabar(['migrate'], env);
    expect(second.stdout).toContain('schema is up to date');
    expect((await kabar(['migrate', '--check'], env)).code).toBe(0);
  });

  it('exits 3 with a reason when the database does not answer', async () => {
    const run = await kabar(['migrate'], { DATABASE_URL: 'postgres://kabar:pw@127.0.0.1:9/none', DATABASE_CONNECT_TIMEOUT_MS: '500' });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('the database is not reachable: PostgreSQL at 127.0.0.1:9/none');
  });

  it('prints the effective configuration without the database password, or exits 2 naming bad variables', async () => {
    const run = await kabar(['config'], { DATABASE_URL: 'postgres://kabar:topsecret@db:5432/kabar', PORT: '8080' });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ port: 8080, database: 'PostgreSQL at db:5432/kabar' });
    expect(run.stdout).not.toContain('topsecret');
    const bad = await kabar(['config'], { PORT: 'eighty' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('PORT: expected an integer from 0 to 65535, got "eighty"');
  });

  it('reports the local services as up (npm test provisioned them)', async () => {
    const run = await kabar(['services', 'status']);
    expect(run.code).toBe(0);
    expect((await kabar(['services', 'sideways'])).code).toBe(2);
  });
});
