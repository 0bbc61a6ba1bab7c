import { parseArgs } from 'node:util';

import { type KabarConfig, loadConfig } from '@kabar/config';
import { hashSecret, type Logger, newCredential } from '@kabar/core';
import { AgencyRepository, describeDatabase, migrate, openDatabase } from '@kabar/persistence';

import { CliError, CliErrorCode } from '../cli-error.js';
import type { Env } from '../hub-client.js';
import type { Io } from '../output.js';

export const ADMIN_HELP = `kabar admin create [--name NAME]

Creates a platform-admin credential directly in the configured database (DATABASE_URL, or the embedded database
under KABAR_DATA_DIR): the way to bootstrap a fresh installation. Prints only the token on stdout, once, so
  export KABAR_TOKEN=$(npx kabar admin create --name "Ops Bandung")
works; the hub keeps only a hash. --name (default "admin") is up to 100 characters.
A PostgreSQL database must be migrated first (\`kabar migrate\`). The embedded database serves one process at a time:
stop the hub first (its first start already wrote a demo admin token to KABAR_DATA_DIR/demo.json).`;

export async function adminCommand(args: readonly string[], io: Io, env: Env, logger: Logger): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'create') throw new CliError(CliErrorCode.Usage, `expected create\n\n${ADMIN_HELP}`);
  const { values } = parseArgs({ args: [...rest], strict: true, options: { name: { type: 'string' } } });
  const name = (values.name ?? 'admin').trim();
  if (name === '' || name.length > 100) throw new CliError(CliErrorCode.Usage, '--name must be 1 to 100 characters');

  const config = loadConfig(env);
  const where = describeDatabase(config.database);
  if (config.database.kind === 'pglite') await refuseIfHubRuns(config, env);
  const orm = await openDatabase(config.database, config.databaseConnectTimeoutMs, logger);
  try {
    const pending = await orm.migrator.getPending();
    if (pending.length > 0 && config.database.kind === 'postgres') {
      throw new CliError(CliErrorCode.Unavailable, `${where}: the schema is behind by ${pending.length} migration(s); run \`kabar migrate\` first`);
    }
    // The embedded database migrates itself, as the hub does at start: a laptop has no operator.
    if (pending.length > 0) await migrate(orm);
    const credential = newCredential('adm');
    // A local command with database access, not a credential: the trail names it as the system's own.
    await new AgencyRepository(orm.em).addAdmin(credential.id, name, hashSecret(credential.secret), () => ({
      action: 'admin.created',
      actor: { kind: 'system', id: 'cli' },
      agencyId: null,
      target: { kind: 'admin', id: credential.id },
      details: { name },
    }));
    io.out(credential.token);
    io.err(`kabar: admin "${name}" (${credential.id}) created in ${where}. The token above is shown only this once:`);
    io.err('kabar: use it as KABAR_TOKEN for `kabar agencies` and `kabar keys`, or as `Authorization: Bearer <token>` on /graphql.');
  } finally {
    await orm.close();
  }
  return 0;
}

/**
 * PGlite has one writer and no lock file: opening its directory while the hub has it open would corrupt it. A hub
 * answering on the configured address, or on a local KABAR_URL, is the sign that it is open.
 */
async function refuseIfHubRuns(config: KabarConfig, env: Env): Promise<void> {
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const candidates = new Set<string>();
  if (config.port !== 0) candidates.add(`http://${host.includes(':') ? `[${host}]` : host}:${config.port}`);
  const local = env.KABAR_URL === undefined ? undefined : URL.parse(env.KABAR_URL);
  if (local !== null && local !== undefined && ['127.0.0.1', 'localhost', '[::1]'].includes(local.hostname)) candidates.add(local.origin);
  for (const base of candidates) {
    const answered = await fetch(`${base}/health/live`, { signal: AbortSignal.timeout(1_000) }).then(
      () => true,
      () => false,
    );
    if (answered) {
      throw new CliError(
        CliErrorCode.Failed,
        `a hub is running at ${base} and the embedded database (${config.dataDir}) serves one process at a time: stop the hub first, or use the admin token in ${config.dataDir}/demo.json`,
      );
    }
  }
}
