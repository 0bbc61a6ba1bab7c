import { type KabarConfig, loadConfig } from '@kabar/config';
import { configurationTable } from '@kabar/config';
import { describeDatabase } from '@kabar/persistence';

export const CONFIG_HELP = `kabar config [--markdown]

Prints the configuration the hub would run with, from the environment and KABAR_CONFIG_FILE (passwords hidden),
or exits 2 naming each invalid variable. --markdown prints the table of every variable for the README.`;

/** The effective configuration, safe to paste into a ticket: the database appears without its password. */
function printable(config: KabarConfig): Record<string, unknown> {
  return { ...config, database: describeDatabase(config.database) };
}

export function configCommand(args: { markdown: boolean }, out: (line: string) => void): void {
  if (args.markdown) {
    out(configurationTable());
    return;
  }
  out(JSON.stringify(printable(loadConfig(process.env)), null, 2));
}
