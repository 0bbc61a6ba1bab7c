import { parseArgs } from 'node:util';

import { ConfigError } from '@kabar/config';
import { describeError, type Logger } from '@kabar/core';
import { DatabaseUnavailableError } from '@kabar/persistence';

import { CliError, CliErrorCode } from './cli-error.js';
import { ADMIN_HELP, adminCommand } from './commands/admin.js';
import { AGENCIES_HELP, agenciesCommand } from './commands/agencies.js';
import { AUDIT_HELP, auditCommand } from './commands/audit.js';
import { CITIZENS_HELP, citizensCommand } from './commands/citizens.js';
import { COMPLAINTS_HELP, complaintsCommand } from './commands/complaints.js';
import { CONFIG_HELP, configCommand } from './commands/config.js';
import { DAYS_OFF_HELP, daysOffCommand } from './commands/days-off.js';
import { DEMO_HELP, demoCommand } from './commands/demo.js';
import { INBOUND_HELP, inboundCommand } from './commands/inbound.js';
import { KEYS_HELP, keysCommand } from './commands/keys.js';
import { MIGRATE_HELP, migrateCommand } from './commands/migrate.js';
import { PLUGINS_HELP, pluginsCommand } from './commands/plugins.js';
import { SECRETS_HELP, secretsCommand } from './commands/secrets.js';
import { SERVICES_HELP, servicesCommand } from './commands/services.js';
import { SMSC_HELP, smscCommand } from './commands/smsc.js';
import type { Io } from './output.js';

const HELP = `kabar — command line for the Kabar notification hub

Usage: kabar <command> [options]

Commands on the database (configured as for the hub: DATABASE_URL, or the embedded KABAR_DATA_DIR):
  migrate [--check]                      apply (or check) database migrations
  admin create [--name NAME]             create a platform-admin token (bootstrap); prints only the token

Commands on a running hub (KABAR_URL or --url, default http://127.0.0.1:3000; admin token in KABAR_TOKEN or --token):
  agencies create|list                   register and list agencies
  keys issue|list|revoke                 an agency's API keys
  citizens import FILE.csv               register or update citizens from a CSV file
  plugins discover|list|install|…        channel plugins: install, approve, configure, check, enable, route
  inbound list|route|remove              route citizens' own messages (short code, keyword) to agencies' complaint desks
  days-off list|set|import|remove        public holidays and agencies' days off, for answer times in working days
  complaints performance                 how each agency answers its complaints: follow-up and in-time rates
  audit list|verify                      who changed what on the platform, and whether the trail is intact
  secrets status|reencrypt               master-key rotation: what each key still seals, and moving it to the new key
  demo [--url URL]                       publish demo events with the keys in KABAR_DATA_DIR/demo.json

Local tooling:
  services up|down|status [service...]   local PostgreSQL and Kafka for tests and full mode
  smsc [--port 2775]                     a local SMPP server that prints the SMS it receives, to try the SMS plugin
  config [--markdown]                    print the effective configuration, or the README table
  help [command]                         this text, or one command's (also: kabar <command> --help)

Exit codes: 0 done, 1 failed (hub errors print as "kabar: CODE: message"), 2 usage or configuration,
3 the database or the hub is unavailable.`;

const COMMAND_HELP: Readonly<Record<string, string>> = {
  migrate: MIGRATE_HELP,
  admin: ADMIN_HELP,
  agencies: AGENCIES_HELP,
  keys: KEYS_HELP,
  citizens: CITIZENS_HELP,
  plugins: PLUGINS_HELP,
  inbound: INBOUND_HELP,
  'days-off': DAYS_OFF_HELP,
  complaints: COMPLAINTS_HELP,
  audit: AUDIT_HELP,
  secrets: SECRETS_HELP,
  demo: DEMO_HELP,
  services: SERVICES_HELP,
  smsc: SMSC_HELP,
  config: CONFIG_HELP,
};

const io: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Retries and warnings go to stderr as plain lines; stdout stays for results. */
const stderrLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (_fields, message) => process.stderr.write(`kabar: ${message}\n`),
  error: (_fields, message) => process.stderr.write(`kabar: ${message}\n`),
};

const isHelp = (arg: string): boolean => arg === '--help' || arg === '-h';

/** The command is the first word; each command parses the rest strictly, with its own options. */
async function run(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || isHelp(command)) {
    const topic = command === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !(topic in COMMAND_HELP)) throw new CliError(CliErrorCode.Usage, `no help for "${topic}"\n\n${HELP}`);
    io.out(topic === undefined ? HELP : (COMMAND_HELP[topic] ?? HELP));
    return 0;
  }
  const help = COMMAND_HELP[command];
  if (help === undefined) throw new CliError(CliErrorCode.Usage, `unknown ${command.startsWith('-') ? 'option' : 'command'} "${command}"\n\n${HELP}`);
  if (rest.some(isHelp)) {
    io.out(help);
    return 0;
  }
  const env = process.env;
  switch (command) {
    case 'migrate': {
      const { values } = parseArgs({ args: rest, strict: true, options: { check: { type: 'boolean' } } });
      await migrateCommand({ check: values.check === true }, io.out, stderrLogger);
      return 0;
    }
    case 'admin':
      return adminCommand(rest, io, env, stderrLogger);
    case 'agencies':
      return agenciesCommand(rest, io, env);
    case 'keys':
      return keysCommand(rest, io, env);
    case 'citizens':
      // The progress bar redraws itself with raw writes, which only a terminal shows as intended.
      return citizensCommand(rest, io, env, process.stderr.isTTY ? (text) => process.stderr.write(text) : null);
    case 'plugins':
      return pluginsCommand(rest, io, env);
    case 'inbound':
      return inboundCommand(rest, io, env);
    case 'days-off':
      return daysOffCommand(rest, io, env);
    case 'complaints':
      return complaintsCommand(rest, io, env);
    case 'audit':
      return auditCommand(rest, io, env);
    case 'secrets':
      return secretsCommand(rest, io, env);
    case 'demo':
      return demoCommand(rest, io, env);
    case 'services':
      return servicesCommand(rest);
    case 'smsc':
      return smscCommand(rest, io);
    case 'config': {
      const { values } = parseArgs({ args: rest, strict: true, options: { markdown: { type: 'boolean' } } });
      configCommand({ markdown: values.markdown === true }, io.out);
      return 0;
    }
    default:
      throw new CliError(CliErrorCode.Usage, `unknown command "${command}"\n\n${HELP}`);
  }
}

const EXIT_CODES: Readonly<Record<CliErrorCode, number>> = {
  [CliErrorCode.Usage]: 2,
  [CliErrorCode.Failed]: 1,
  [CliErrorCode.Unavailable]: 3,
};

/** Every failure becomes one message and an exit code: 2 for usage and configuration, 3 unavailable, 1 for anything else. */
function exitCodeFor(error: unknown): number {
  if (error instanceof ConfigError) return 2;
  if (error instanceof CliError) return EXIT_CODES[error.code];
  if (error instanceof TypeError && (error as { code?: unknown }).code?.toString().startsWith('ERR_PARSE_ARGS') === true) return 2;
  if (error instanceof DatabaseUnavailableError) return 3;
  return 1;
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`kabar: ${error instanceof Error ? error.message : describeError(error)}\n`);
  process.exitCode = exitCodeFor(error);
}
