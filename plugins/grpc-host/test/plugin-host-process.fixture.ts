import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface PluginHostProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout so far (JSON lines). */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process ends. */
  readonly exited: Promise<number | string>;
  /** Resolves with `host:port` once the host says it listens; rejects if it exits first. */
  readonly listening: Promise<string>;
  stop(): Promise<number | string>;
  kill9(): Promise<number | string>;
}

/**
 * Starts the built plugin host (plugins/grpc-host/dist/main.js) as a child process, as an operator would, with only
 * the given environment on top of PATH. `npm test` builds first; locally: `npx tsc -b plugins/grpc-host`.
 */
export function startPluginHost(env: Readonly<Record<string, string>>): PluginHostProcess {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onListening: ((address: string) => void) | undefined;
  const listening = new Promise<string>((resolve, reject) => {
    onListening = resolve;
    child.once('exit', (code, signal) => reject(new Error(`plugin host exited (${code ?? signal ?? '?'}) before listening:\n${stdout}${stderr}`)));
  });
  listening.catch(() => undefined); // callers that only want `exited` must not see an unhandled rejection
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    const match = /"msg":"plugin [a-z0-9-]+ listening on ([^"]+)"/.exec(stdout);
    if (match?.[1] !== undefined) onListening?.(match[1]);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const signal = async (name: NodeJS.Signals): Promise<number | string> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    return exited;
  };
  return { child, stdout: () => stdout, stderr: () => stderr, exited, listening, stop: () => signal('SIGTERM'), kill9: () => signal('SIGKILL') };
}
