import { loadConfig } from '@kabar/config';
import { type Logger } from '@kabar/core';
import { describeDatabase, migrate, openDatabase } from '@kabar/persistence';

import { CliError, CliErrorCode } from '../cli-error.js';

export const MIGRATE_HELP = `kabar migrate [--check]

Applies pending database migrations to the database the hub is configured for (DATABASE_URL, or the embedded
PGlite database under KABAR_DATA_DIR). With --check, applies nothing and exits 1 if any are pending.`;

export async function migrateCommand(args: { check: boolean }, out: (line: string) => void, logger: Logger): Promise<void> {
  const config = loadConfig(process.env);
  const where = describeDatabase(config.database);
  // A migration may rebuild an index over millions of rows: no statement timeout here.
  const database = config.database.kind === 'postgres' ? { ...config.database, queryTimeoutMs: 0 } : config.database;
  const orm = await openDatabase(database, config.databaseConnectTimeoutMs, logger);
  try {
    if (args.check) {
      const pending = (await orm.migrator.getPending()).map((m) => m.name);
      if (pending.length > 0) throw new CliError(CliErrorCode.Failed, `${where}: ${pending.length} pending migration(s): ${pending.join(', ')}`);
      out(`${where}: schema is up to date`);
      return;
    }
    const applied = await migrate(orm);
    out(applied.length === 0 ? `${where}: schema is up to date` : `${where}: applied ${applied.join(', ')}`);
  } finally {
    await orm.close();
  }
}
