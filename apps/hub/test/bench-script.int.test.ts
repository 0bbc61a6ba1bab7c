import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs a command to its end and gives its exit code and everything it printed. */
function run(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

// `npm run bench` is a script outside the type check, so a change to what it calls could leave it broken unnoticed
// (a repository's new audit parameter once did). This runs it on a small load against the real services and checks
// that it gets through and prints its figures; never their values, which depend on the machine.
describe('the benchmark script', () => {
  it('takes a small load through the whole path and prints events/s, latency, memory, the ratio to the floor and the hub CPU by area', async () => {
    // With the hub's CPU profile, so its summary by area is exercised on a real profile too.
    const profiles = mkdtempSync(join(tmpdir(), 'kabar-bench-prof-'));
    const { code, output } = await run(['scripts/bench/bench.mjs', '--events', '500', '--broadcast', '0'], { BENCH_CPU_PROF: profiles });
    rmSync(profiles, { recursive: true, force: true });
    expect(code, output).toBe(0);
    // A run of 500 events is mostly the hub's start-up.
    expect(output).toMatch(/hub CPU by area \(V8 profile[^)]*\): .*module loading \(start-up\) [\d.]+ %/);
    expect(output).toMatch(/kabar: 500 notifications delivered \(inbox plugin\); [\d,]+ events\/s/);
    expect(output).toMatch(/latency p50 [\d,]+ ms, p99 [\d,]+ ms; peak RSS per hub [\d,]+ MiB/);
    expect(output).toMatch(/CPU per 1,000 notifications delivered/);
    expect(output).toMatch(/floor: [\d,]+ events\/s/);
    expect(output).toMatch(/floor: CPU per 1,000 events: consumer \d+ ms, PostgreSQL \d+ ms, broker \d+ ms; whole machine \d+ ms/);
    expect(output).toMatch(/ratio kabar\/floor: [\d.]+ %/);
    // The contract floor checks its own work (each event stored, delivered and told twice) before it prints.
    expect(output).toMatch(/contract floor: [\d,]+ events\/s/);
    expect(output).toMatch(/contract floor: CPU per 1,000 events, its start-up included: process \d+ ms, PostgreSQL \d+ ms, broker \d+ ms; whole machine \d+ ms/);
    expect(output).toMatch(/ratio contract floor\/floor: [\d.]+ %; kabar\/contract floor: [\d.]+ %/);
  }, 300_000);

  it('takes SMS through the sms-smpp plugin to kabar smsc, with its receipts and the agency callbacks, and prints when the last arrived', async () => {
    const { code, output } = await run(['scripts/bench/bench.mjs', '--events', '300', '--broadcast', '0', '--channel', 'sms', '--callbacks']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/kabar: 300 notifications sent \(sms-smpp plugin to kabar smsc\); [\d,]+ events\/s/);
    expect(output).toMatch(/the last delivery receipt was applied [\d.]+ s after the last send/);
    // accepted, sent and delivered for each SMS
    expect(output).toMatch(/kabar: 900 status callbacks received, the last [\d.]+ s after the last send/);
    expect(output).toMatch(/the SMPP peer \d+ ms/);
  }, 300_000);

  it('publishes over HTTP, one event per request from several connections, and prints when the last was answered', async () => {
    const { code, output } = await run(['scripts/bench/bench.mjs', '--events', '300', '--broadcast', '0', '--transport', 'http', '--batch', '1', '--connections', '4']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/for the floor; the hubs get them over HTTP/);
    expect(output).toMatch(/kabar: 300 notifications delivered \(inbox plugin\); [\d,]+ events\/s/);
    expect(output).toMatch(/published over HTTP \(one structured event per request, 4 kept-alive connections, 1 hub\): the last request answered [\d.]+ s after the hubs started/);
    expect(output).toMatch(/ratio kabar\/floor: [\d.]+ %/);
  }, 300_000);

  it('refuses a transport or a batch it does not know, before touching anything', async () => {
    const unknown = await run(['scripts/bench/bench.mjs', '--transport', 'smtp']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.output).toContain('--transport must be kafka or http, not smtp');
    const tooBig = await run(['scripts/bench/bench.mjs', '--transport', 'http', '--batch', '5000']);
    expect(tooBig.code).not.toBe(0);
    expect(tooBig.output).toContain("--batch must be 1 to 1000 (the hub's batch limit)");
  }, 60_000);
});
