import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { VARIABLES } from '@kabar/config';
import { graphql, type HubProcess, readWalkthrough, runInOrder, startHubProcess } from '@kabar/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Runs the README's agency-contract examples (the walkthrough:agency blocks) as written against the built hub on a
// fresh embedded database with its demo data, as `npm start` runs it: default quiet hours and caps included, since
// the examples once addressed a demo citizen whose own weekly cap the start-up showcase had already spent, and
// answered `deferred` where the README promised `accepted`. Only the port and the data directory are substituted.

const ROOT = resolve(import.meta.dirname, '../../..');
const WALKTHROUGH = readWalkthrough(join(ROOT, 'README.md'), 'agency');

/** Whether the README's "between 21:00 and 06:00 WIB" holds at this instant (WIB is UTC+7, no daylight saving). */
function inDefaultQuietHours(at: Date): boolean {
  const [start, end] = VARIABLES.KABAR_QUIET_HOURS.defaultValue.split('-').map((hhmm) => {
    const [h, m] = hhmm.split(':').map(Number);
    return (h ?? 0) * 60 + (m ?? 0);
  });
  const minute = (at.getUTCHours() * 60 + at.getUTCMinutes() + 7 * 60) % (24 * 60);
  return minute >= (start ?? 0) || minute < (end ?? 0);
}

/** The statuses the README allows for a reminder published between two instants (both, across a boundary). */
function expectedStatuses(before: Date, after: Date): string[] {
  return [...new Set([before, after].map((at) => (inDefaultQuietHours(at) ? 'held' : 'accepted')))];
}

describe('README: the agency contract examples, as written, against npm start', () => {
  const dataDir = join(ROOT, '.kabar', `readme-agency-${String(process.pid)}`);
  let hub: HubProcess;
  let port: string;

  beforeAll(async () => {
    hub = startHubProcess({
      KABAR_DATA_DIR: dataDir,
      KABAR_QUIET_HOURS: VARIABLES.KABAR_QUIET_HOURS.defaultValue,
      KABAR_CAPS: VARIABLES.KABAR_CAPS.defaultValue,
    });
    port = new URL(await hub.listening).port;
  });

  afterAll(async () => {
    await hub.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes over HTTP and GraphQL with the demo key, as the README says: accepted (held in quiet hours), then duplicate', async () => {
    expect(WALKTHROUGH.prose).toContain('"status":"accepted"');
    expect(WALKTHROUGH.prose).toContain('"status":"held"` between 21:00 and 06:00 WIB');
    expect(VARIABLES.KABAR_QUIET_HOURS.defaultValue).toBe('21:00-06:00');
    const commands = WALKTHROUGH.commands.map((c) => c.text.replaceAll('localhost:3000', `localhost:${port}`).replaceAll('./.kabar/', `${dataDir}/`));
    const [keyStep, httpStep, graphqlStep] = commands;
    expect(commands).toHaveLength(3);
    expect(keyStep).toMatch(/^KEY=/);
    expect(httpStep).toMatch(/\/v1\/events/);
    expect(graphqlStep).toMatch(/\/graphql/);

    const before = new Date();
    // The HTTP command twice, as the README says: the second is a replay.
    const run = await runInOrder([...commands, httpStep ?? ''], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } });
    const after = new Date();
    const output = run.steps.map((s) => s.stdout + s.stderr);
    expect(run.code, output.join('\n---\n')).toBe(0);

    const statuses = expectedStatuses(before, after);
    const http = JSON.parse(output[1] ?? '') as { eventId: string; id: string; duplicate: boolean; status: string };
    expect(http).toMatchObject({ id: 'pbb-2026-0001', duplicate: false });
    expect(statuses).toContain(http.status);
    const viaGraphql = (JSON.parse(output[2] ?? '') as { data: { publishEvent: { eventId: string; duplicate: boolean; status: string } } }).data.publishEvent;
    expect(viaGraphql.duplicate).toBe(false);
    expect(statuses).toContain(viaGraphql.status);
    expect(JSON.parse(output[3] ?? '')).toEqual({ ...http, duplicate: true });

    // The README's follow-up query with the same key shows where the GraphQL example went.
    const demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as { agencies: { key: { token: string } }[] };
    const res = await graphql<{ event: { status: string; notifications: { channel: string | null; state: string }[] } }>(
      `http://127.0.0.1:${port}`,
      '{ event(source: "https://bapenda.bandung.go.id/pbb", id: "pbb-2026-0002") { status notifications { channel state } } }',
      {},
      { authorization: `Bearer ${demo.agencies[0]?.key.token ?? ''}` },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.event.status).toBe(viaGraphql.status);
    // Dewi's own order puts e-mail first.
    expect(res.data?.event.notifications[0]?.channel).toBe('email');
  }, 120_000);
});
