import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { CliError, CliErrorCode } from '../cli-error.js';

export const SERVICES_HELP = `kabar services up|down|status [postgres|kafka|chromium]...

Local PostgreSQL and Apache Kafka for tests and full local mode, and Debian's Chromium for the web UI's browser
tests (scripts/services.sh in a Kabar checkout).
up writes .kabar/services.env; down stops only what up started; status exits 1 if a service is down.`;

const SCRIPT = fileURLToPath(new URL('../../../../scripts/services.sh', import.meta.url));
const ACTIONS = new Set(['up', 'down', 'status']);
const SERVICES = new Set(['postgres', 'kafka', 'chromium']);

/** Hands over to the services script with the terminal attached; resolves with its exit code. */
export function servicesCommand(args: readonly string[]): Promise<number> {
  const [action, ...services] = args;
  if (action === undefined || !ACTIONS.has(action)) throw new CliError(CliErrorCode.Usage, `expected up, down or status\n\n${SERVICES_HELP}`);
  const unknown = services.filter((s) => !SERVICES.has(s));
  if (unknown.length > 0) throw new CliError(CliErrorCode.Usage, `unknown service(s): ${unknown.join(', ')} (known: postgres, kafka, chromium)`);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, action, ...services], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}
