import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { loadConfig } from '@kabar/config';

import { CliError, CliErrorCode } from '../cli-error.js';
import { type Env, HubClient, hubUrl } from '../hub-client.js';
import { type Io, table } from '../output.js';

export const DEMO_HELP = `kabar demo [--url URL]

Publishes a few realistic events to a running hub, as the demo agencies would: HTTP POST /v1/events in CloudEvents
structured mode, with the agencies' keys from KABAR_DATA_DIR/demo.json (the embedded hub writes it on its first
start). One event per demo citizen, one replay (answered as a duplicate) and one for a national ID nobody registered
(suppressed); then it shows each notification's state, read back with the GraphQL query event(source, id).
--url defaults to KABAR_URL, else http://127.0.0.1:3000.`;

/** The parts of the hub's demo.json this command uses, checked when read. */
interface DemoData {
  readonly agencies: readonly {
    readonly code: string;
    readonly source: string;
    readonly token: string;
    readonly eventTypes: readonly { readonly type: string; readonly example: Readonly<Record<string, unknown>> }[];
  }[];
  readonly citizens: readonly { readonly nationalId: string; readonly name: string; readonly locale: string }[];
}

interface Published {
  readonly agency: DemoData['agencies'][number];
  readonly id: string;
}

interface EventView {
  readonly status: string;
  readonly notifications: readonly { readonly channel: string | null; readonly state: string; readonly reason: string | null; readonly templateVersion: number | null }[];
}

/** Nobody in the demo has this national ID, so its event is suppressed with UNKNOWN_SUBJECT. */
const UNKNOWN_SUBJECT = '3273010101700099';
const SETTLE_MS = 10_000;

export async function demoCommand(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values } = parseArgs({ args: [...args], strict: true, options: { url: { type: 'string' } } });
  const hub = new HubClient(hubUrl(values.url, env));
  const file = join(loadConfig(env).dataDir, 'demo.json');
  const demo = readDemo(file);
  const run = Date.now().toString(36);

  io.out(`Publishing to ${hub.url}/v1/events as the demo agencies (keys from ${file}):`);
  const published: Published[] = [];
  const rows: string[][] = [];
  const publish = async (agency: DemoData['agencies'][number], event: CloudEventJson, to: string): Promise<void> => {
    const result = await publishEvent(hub, agency, event);
    published.push({ agency, id: event.id });
    rows.push([agency.code, event.id, to, result]);
  };
  let first: { agency: DemoData['agencies'][number]; event: CloudEventJson; to: string } | undefined;
  for (const [index, citizen] of demo.citizens.entries()) {
    const agency = demo.agencies[index % demo.agencies.length];
    if (agency === undefined) continue;
    const event = eventFor(agency, `demo-${run}-${index + 1}`, citizen.nationalId);
    const to = `${citizen.name} (${citizen.locale})`;
    first ??= { agency, event, to };
    await publish(agency, event, to);
  }
  if (first !== undefined) {
    // The same event again, as an agency's retry would send it: answered, not sent twice.
    await publish(first.agency, first.event, `${first.to}, again`);
    await publish(first.agency, eventFor(first.agency, `demo-${run}-unknown`, UNKNOWN_SUBJECT), 'an unregistered national ID');
  }
  for (const line of table(['AGENCY', 'EVENT ID', 'TO', 'RESULT'], rows)) io.out(`  ${line}`);

  io.out('');
  io.out('Notifications (GraphQL event(source, id)):');
  const fresh = published.filter((p, index) => published.findIndex((q) => q.id === p.id) === index);
  const states = await settle(hub, fresh);
  const stateRows = fresh.flatMap((p) => {
    const event = states.get(p.id);
    if (event === undefined) return [[p.agency.code, p.id, '-', 'not found', '-']];
    return event.notifications.map((n) => [
      p.agency.code,
      p.id,
      n.channel ?? '-',
      n.reason === null ? n.state : `${n.state} (${n.reason})`,
      n.templateVersion === null ? '-' : `v${n.templateVersion}`,
    ]);
  });
  for (const line of table(['AGENCY', 'EVENT ID', 'CHANNEL', 'STATE', 'TEMPLATE'], stateRows)) io.out(`  ${line}`);
  io.err('kabar: the embedded hub sends SMS and e-mail to its console: its log shows one line per message.');
  return 0;
}

interface CloudEventJson {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: Readonly<Record<string, unknown>>;
}

function eventFor(agency: DemoData['agencies'][number], id: string, subject: string): CloudEventJson {
  const eventType = agency.eventTypes[0];
  if (eventType === undefined) throw new CliError(CliErrorCode.Failed, `demo.json lists no event type for ${agency.code}`);
  return { specversion: '1.0', id, source: agency.source, type: eventType.type, subject, time: new Date().toISOString(), datacontenttype: 'application/json', data: eventType.example };
}

async function publishEvent(hub: HubClient, agency: DemoData['agencies'][number], event: CloudEventJson): Promise<string> {
  const answer = await hub.post('/v1/events', agency.token, 'application/cloudevents+json', JSON.stringify(event));
  const body = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as { status?: unknown; duplicate?: unknown; code?: unknown; detail?: unknown };
  if (answer.status !== 200 && answer.status !== 202) {
    const code = typeof body.code === 'string' ? body.code : `HTTP_${answer.status}`;
    throw new CliError(CliErrorCode.Failed, `${code}: ${typeof body.detail === 'string' ? body.detail : 'the hub refused the event'} (${agency.code}, event ${event.id})`);
  }
  if (body.duplicate === true) return 'duplicate';
  return typeof body.status === 'string' ? body.status : 'accepted';
}

/** Polls until no notification is still on its way (or SETTLE_MS passes), then returns what each event shows. */
async function settle(hub: HubClient, published: readonly Published[]): Promise<Map<string, EventView>> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const states = new Map<string, EventView>();
    for (const p of published) {
      const { event } = await hub.graphql<{ event: EventView | null }>(
        p.agency.token,
        'query($source: String!, $id: String!) { event(source: $source, id: $id) { status notifications { channel state reason templateVersion } } }',
        { source: p.agency.source, id: p.id },
      );
      if (event !== null) states.set(p.id, event);
    }
    const moving = [...states.values()].some((e) => e.notifications.some((n) => n.state === 'accepted'));
    if (!moving || Date.now() > deadline) return states;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Parses demo.json into what this command needs, or says how to get one. */
function readDemo(file: string): DemoData {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CliError(
      CliErrorCode.Failed,
      `no demo data at ${file}: start the hub in the embedded mode on an empty KABAR_DATA_DIR (\`npm start\`) and it writes one, unless KABAR_DEMO=false`,
    );
  }
  const invalid = (): CliError => new CliError(CliErrorCode.Failed, `${file} is not a demo.json written by the Kabar hub`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid();
  }
  const root = record(json);
  const agencies = array(root?.agencies).map((raw) => {
    const agency = record(raw);
    const key = record(agency?.key);
    const source = array(agency?.sources)[0];
    const eventTypes = array(agency?.eventTypes).map((t) => ({ type: record(t)?.type, example: record(record(t)?.example) }));
    if (typeof agency?.code !== 'string' || typeof source !== 'string' || typeof key?.token !== 'string') throw invalid();
    return {
      code: agency.code,
      source,
      token: key.token,
      eventTypes: eventTypes.map((t) => {
        if (typeof t.type !== 'string' || t.example === undefined) throw invalid();
        return { type: t.type, example: t.example };
      }),
    };
  });
  const citizens = array(root?.citizens).map((raw) => {
    const citizen = record(raw);
    if (typeof citizen?.nationalId !== 'string' || typeof citizen.name !== 'string' || typeof citizen.locale !== 'string') throw invalid();
    return { nationalId: citizen.nationalId, name: citizen.name, locale: citizen.locale };
  });
  if (agencies.length === 0 || citizens.length === 0) throw invalid();
  return { agencies, citizens };
}

function record(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function array(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}
