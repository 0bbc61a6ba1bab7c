import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../apps/hub/dist/main.js', import.meta.url));

export interface HubProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process ends. */
  readonly exited: Promise<number | string>;
  /** Resolves with the base URL once the hub says it listens; rejects if it exits first. */
  readonly listening: Promise<string>;
  stop(): Promise<number | string>;
  kill9(): Promise<number | string>;
}

/**
 * Starts the built hub (apps/hub/dist) as a child process, the way an operator does, with only the given environment
 * on top of PATH: tests that need a real process (exit codes, crash safety, ports) use this; `npm test` builds first.
 */
export function startHubProcess(env: Readonly<Record<string, string>>): HubProcess {
  const child = spawn(process.execPath, [MAIN], {
    // No platform quiet hours or caps unless a test asks: outcomes must not depend on the hour or on earlier cases.
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', KABAR_QUIET_HOURS: 'none', KABAR_CAPS: 'none', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let onListening: ((url: string) => void) | undefined;
  const listening = new Promise<string>((resolve, reject) => {
    onListening = resolve;
    child.once('exit', (code, signal) => reject(new Error(`hub exited (${code ?? signal ?? '?'}) before listening:\n${output}`)));
  });
  listening.catch(() => undefined); // callers that only want `exited` must not see an unhandled rejection
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    const match = /Kabar hub listening on (http:\/\/[^\s)]+)/.exec(output);
    if (match?.[1] !== undefined) onListening?.(match[1]);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const signal = async (name: NodeJS.Signals): Promise<number | string> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    return exited;
  };
  return { child, output: () => output, exited, listening, stop: () => signal('SIGTERM'), kill9: () => signal('SIGKILL') };
}
