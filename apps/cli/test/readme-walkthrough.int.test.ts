import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { eventually, graphql, type HubProcess, readWalkthrough, runInOrder, startHubProcess, type WalkthroughCommand } from '@kabar/testing';
import { afterAll, describe, expect, it } from 'vitest';

// Runs the README's plugin walkthrough (the block between the walkthrough:plugins markers) as written, so that the
// README cannot rot: terminal 1 is the built hub as a child process on a fresh embedded database, terminal 2 is
// `npx kabar smsc`, and terminal 3's commands run in order in one bash, from the repository root. Only what must differ
// in a test is substituted: the ports (a free one each), /tmp (a temporary directory) and ./.kabar (a data directory
// of its own; under the checkout, so that the unpacked plugin finds its dependencies in node_modules, as in a
// deployment). Uses the built hub and CLI (`npm start` builds first; `npm test` builds before running tests).

const ROOT = resolve(import.meta.dirname, '../../..');
const WALKTHROUGH = readWalkthrough(join(ROOT, 'README.md'), 'plugins');

interface Places {
  readonly hubPort: string;
  readonly smscPort: string;
  readonly work: string;
  readonly dataDir: string;
}

/** The README's local addresses and directories, replaced by the test's own. */
function substitute(text: string, places: Places): string {
  return text
    .replaceAll('127.0.0.1:3000', `127.0.0.1:${places.hubPort}`)
    .replace(/\b2775\b/g, places.smscPort)
    .replace(/(?<![\w./])\/tmp(?=[/\s]|$)/g, places.work)
    .replaceAll('./.kabar/', `${places.dataDir}/`);
}

/** What the README's prose or comments say a step prints: `"text…"` or `` `text…` ``, up to the ellipsis. */
function claimsIn(text: string, quote: '"' | '`'): string[] {
  return [...text.matchAll(new RegExp(`${quote}([^${quote}]+?)…${quote}`, 'g'))].map((match) => match[1] ?? '');
}

/** The environment of a fresh terminal: no Kabar or service variables from the test run leak into the steps. */
const TERMINAL_ENV: Readonly<Record<string, string>> = {
  PATH: process.env.PATH ?? '',
  ...(process.env.HOME === undefined ? {} : { HOME: process.env.HOME }),
};

interface Terminal {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  stop(): Promise<void>;
}

/** A long-running command in its own process group, so that stopping it reaches npx's children too. */
function openTerminal(command: string): Terminal {
  const child = spawn('bash', ['-c', `exec ${command}`], { cwd: ROOT, env: TERMINAL_ENV, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async () => {
      const group = child.pid;
      if (child.exitCode !== null || child.signalCode !== null || group === undefined) return;
      // Ctrl-C in a terminal signals its foreground process group; `group` leads it, as `detached` made it. Should
      // something ignore it, the group is killed rather than left running after the test.
      process.kill(-group, 'SIGINT');
      const fallback = setTimeout(() => process.kill(-group, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(fallback);
    },
  };
}

/** The one command of a terminal, checked to be what this test knows how to stand in for. */
function onlyCommand(terminal: number, shape: RegExp): WalkthroughCommand {
  const commands = WALKTHROUGH.commands.filter((c) => c.terminal === terminal);
  const [command] = commands;
  if (commands.length !== 1 || command === undefined || !shape.test(command.text)) {
    throw new Error(`the README's walkthrough no longer has one \`${shape.source}\` in terminal ${terminal} (found ${JSON.stringify(commands.map((c) => c.text))}): update this test`);
  }
  return command;
}

describe('README: the plugin walkthrough, as written', () => {
  const dataDir = join(ROOT, '.kabar', `walkthrough-${String(process.pid)}`);
  const work = mkdtempSync(join(tmpdir(), 'kabar-walkthrough-'));
  let hub: HubProcess | undefined;
  let smsc: Terminal | undefined;

  afterAll(async () => {
    await smsc?.stop();
    await hub?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('installs sms-smpp from its tarball, configures, checks, enables and routes it, and the SMS reaches `kabar smsc`', async () => {
    // Terminal 1: `npm start` is the build, then the hub; the hub is built already, so it is started as `npm start` would.
    const start = onlyCommand(1, /^((?:[A-Z_][A-Z0-9_]*=\S*\s+)*)npm start$/);
    const startEnv = Object.fromEntries([...start.text.matchAll(/([A-Z_][A-Z0-9_]*)=(\S*)\s+/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
    hub = startHubProcess({ ...startEnv, KABAR_DATA_DIR: dataDir });
    const hubPort = new URL(await hub.listening).port;

    // Terminal 2: the SMSC on a free port (0), which it reports.
    smsc = openTerminal(substitute(onlyCommand(2, /^npx kabar smsc\b/).text, { hubPort, smscPort: '0', work, dataDir }));
    const terminal2 = smsc;
    const smscPort = await eventually(() => Promise.resolve(/listening on 127\.0\.0\.1:(\d+)/.exec(terminal2.stderr())?.[1]), 60_000);
    const places: Places = { hubPort, smscPort, work, dataDir };

    // Terminal 3, in order.
    const steps = WALKTHROUGH.commands.filter((c) => c.terminal === 3);
    expect(steps.length).toBeGreaterThan(0);
    const commands = steps.map((step) => substitute(step.text, places));
    const run = await runInOrder(commands, { cwd: ROOT, env: TERMINAL_ENV });
    const last = run.steps.findLastIndex((s) => s.started);
    expect(run.code, `\`${commands[last] ?? ''}\` failed (exit ${run.code}):\n${run.steps[last]?.stdout ?? ''}${run.steps[last]?.stderr ?? ''}`).toBe(0);
    steps.forEach((step, i) => {
      const output = `${run.steps[i]?.stdout ?? ''}${run.steps[i]?.stderr ?? ''}`;
      for (const claim of claimsIn(substitute(step.comment, places), '"')) expect(output, `\`${step.text}\` should print "${claim}…"`).toContain(claim);
    });

    // What the README says terminal 2 then shows, and the receipt that makes the notification delivered.
    const printed = claimsIn(WALKTHROUGH.prose, '`').filter((claim) => claim.includes('→'));
    expect(printed.length, 'the README says what terminal 2 prints').toBeGreaterThan(0);
    for (const claim of printed) {
      await eventually(() => Promise.resolve(terminal2.stdout().includes(claim) ? true : undefined)).catch((error: unknown) => {
        throw new Error(`terminal 2 never printed "${claim}…" (${String(error)}); it printed:\n${terminal2.stdout()}\n${terminal2.stderr()}`);
      });
    }
    const published = publishedEvent(steps);
    const demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as { agencies: { sources: string[]; key: { token: string } }[] };
    const key = demo.agencies.find((a) => a.sources.includes(published.source))?.key.token ?? '';
    const states = await eventually(async () => {
      const res = await graphql<{ event: { notifications: { channel: string | null; state: string }[] } | null }>(
        `http://127.0.0.1:${hubPort}`,
        'query($source: String!, $id: String!) { event(source: $source, id: $id) { notifications { channel state } } }',
        published,
        { authorization: `Bearer ${key}` },
      );
      const notifications = res.data?.event?.notifications ?? [];
      return notifications.some((n) => n.state === 'delivered') ? notifications : undefined;
    });
    expect(states).toEqual([{ channel: 'sms', state: 'delivered' }]);
  }, 180_000);
});

/** The CloudEvent the walkthrough's `curl … -d '{…}'` publishes: its source and id, to look it up afterwards. */
function publishedEvent(steps: readonly WalkthroughCommand[]): { source: string; id: string } {
  const body = steps.map((step) => /^curl\b[\s\S]*?\s-d\s+'([^']*)'/.exec(step.text)?.[1]).find((text) => text !== undefined);
  if (body === undefined) throw new Error("the README's walkthrough no longer publishes an event with `curl … -d '{…}'`: update this test");
  const { source, id } = JSON.parse(body) as { source: string; id: string };
  return { source, id };
}
