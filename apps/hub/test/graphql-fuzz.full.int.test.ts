import 'reflect-metadata';

import { AgencyService } from '@kabar/hub';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { anAgency } from './support/agency-fixture.js';
import { aCitizenRow, type Call, caller, importCitizens, signInByEmail, SmtpInbox } from './support/citizen-fixture.js';
import { type FullHub, startFullHub } from './support/full-hub.js';

// Every query and mutation of the schema, called by an admin, an agency and a citizen with awkward arguments built
// from the schema itself (long, empty and odd strings, extreme numbers, odd JSON, long lists): each must answer with
// data or a typed error, never INTERNAL_SERVER_ERROR or a 5xx. Seeded, so a failure names a call that can be replayed.
// It found two 500s when it was written: a DateTime of `[]` (an Invalid Date reached the complaint reports) and, by
// hand before it, half a character in a name (jsonb refused it).

interface TypeRef {
  readonly kind: string;
  readonly name: string | null;
  readonly ofType: TypeRef | null;
}
interface InputValue {
  readonly name: string;
  readonly type: TypeRef;
}
interface SchemaType {
  readonly name: string;
  readonly kind: string;
  readonly enumValues: readonly { name: string }[] | null;
  readonly inputFields: readonly InputValue[] | null;
  readonly fields: readonly { name: string; args: readonly InputValue[]; type: TypeRef }[] | null;
}
interface Schema {
  readonly queryType: { name: string };
  readonly mutationType: { name: string };
  readonly types: readonly SchemaType[];
}

const INTROSPECTION = `{ __schema { queryType { name } mutationType { name }
  types { name kind enumValues { name } inputFields { name type { ...T } } fields { name args { name type { ...T } } type { ...T } } } } }
  fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }`;

/** Calls per field and caller; every field of the schema is called this often by each of the three. */
const ROUNDS = 4;
/** Rotates the master key over every sealed value: maintenance that is slow by design, with no arguments to vary. */
const NOT_CALLED = new Set(['reencryptSecrets']);

const STRINGS = [
  '',
  ' ',
  'x'.repeat(5_000),
  'x'.repeat(300),
  '-1',
  '0',
  'id',
  'sms',
  'bapenda-bdg',
  '3273014507850001',
  '+6281210000001',
  'a@b.c',
  '2026-13-45',
  '2026-01-01T00:00:00Z',
  '00000000-0000-0000-0000-000000000000',
  '{"a":1}',
  "'; drop table agency;--",
  'https://x.y/z',
  '%',
  '\\',
  '\u{1F680}'.repeat(50),
  '{{#each}}',
  '{{nope x}}',
  'Lampu \ud83d',
  'a\u0000b',
];
const IDS = ['', 'x', '00000000-0000-4000-8000-000000000000', 'x'.repeat(2_000), '-1'];
const INTS = [0, -1, 1, 2_147_483_647, -2_147_483_648, 100_000];
const OTHER_SCALARS: readonly unknown[] = [{}, [], 'x', 1, { a: { b: [1, 'x'] } }, { type: 'object', properties: { a: { type: 'nope' } } }, 'x'.repeat(3_000), { '': 1 }, true];

/** A linear congruential generator: the same seed gives the same calls. */
function generator(seed: number): <T>(choices: readonly T[]) => T {
  let state = seed;
  return <T>(choices: readonly T[]): T => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return choices[Math.floor((state / 2_147_483_648) * choices.length)] as T;
  };
}

describe('every GraphQL operation with awkward arguments (PostgreSQL and Kafka)', () => {
  const services = inject('services');
  let hub: FullHub;
  let inbox: SmtpInbox;
  let callers: Record<'admin' | 'agency' | 'citizen', Call>;

  beforeAll(async () => {
    inbox = await SmtpInbox.start();
    hub = await startFullHub(services, (config) => config.with({ plugins: inbox.pluginConfig }));
    const adminToken = await hub.app.get(AgencyService).createAdmin('fuzz admin', { kind: 'system', id: 'test' });
    const agency = await anAgency(hub.app, hub.url, 'bapenda-bdg', { ratePerMinute: 100_000 });
    const admin = caller(hub.url, adminToken);
    const row = aCitizenRow().withEmail('fuzz@example.org').build();
    await importCitizens(admin, [row]);
    callers = { admin, agency: caller(hub.url, agency.key), citizen: caller(hub.url, await signInByEmail(hub.url, inbox, 'fuzz@example.org')) };
  });

  afterAll(async () => {
    await hub.close();
    await inbox.close();
  });

  it('answers every call with data or a typed error, never a server error', async () => {
    const introspected = await callers.admin<{ __schema: Schema }>(INTROSPECTION);
    const schema = introspected.data?.__schema;
    if (schema === undefined) throw new Error(JSON.stringify(introspected.errors));
    const types = new Map(schema.types.map((t) => [t.name, t]));
    const pick = generator(20_261_203);
    const coin = (): boolean => pick([true, false]);

    const value = (type: TypeRef, depth: number): unknown => {
      if (type.kind === 'NON_NULL' && type.ofType !== null) return value(type.ofType, depth);
      if (type.kind === 'LIST' && type.ofType !== null) {
        const item = type.ofType;
        return Array.from({ length: pick([0, 1, 1, 2, 60]) }, () => value(item, depth + 1));
      }
      const named = types.get(type.name ?? '');
      if (type.kind === 'ENUM') return pick(named?.enumValues ?? [{ name: 'x' }]).name;
      if (type.kind === 'INPUT_OBJECT') {
        const fields = (named?.inputFields ?? []).filter((f) => f.type.kind === 'NON_NULL' || coin());
        return Object.fromEntries(fields.map((f) => [f.name, depth > 4 ? null : value(f.type, depth + 1)]));
      }
      switch (type.name) {
        case 'Int':
          return pick(INTS);
        case 'Float':
          return pick([0, -1.5, 1e308]);
        case 'Boolean':
          return coin();
        case 'ID':
          return pick(IDS);
        case 'String':
          return pick(STRINGS);
        default:
          return pick(OTHER_SCALARS);
      }
    };
    const reference = (type: TypeRef): string =>
      type.kind === 'NON_NULL' && type.ofType !== null ? `${reference(type.ofType)}!` : type.kind === 'LIST' && type.ofType !== null ? `[${reference(type.ofType)}]` : (type.name ?? '');
    const namedOf = (type: TypeRef): string => (type.ofType === null ? (type.name ?? '') : namedOf(type.ofType));
    const selection = (type: TypeRef): string => (['OBJECT', 'INTERFACE', 'UNION'].includes(types.get(namedOf(type))?.kind ?? '') ? '{ __typename }' : '');

    const failures: string[] = [];
    let calls = 0;
    const roots = [
      ['query', schema.queryType.name],
      ['mutation', schema.mutationType.name],
    ] as const;
    for (const [operation, root] of roots) {
      for (const field of types.get(root)?.fields ?? []) {
        if (NOT_CALLED.has(field.name)) continue;
        for (let round = 0; round < ROUNDS; round++) {
          const args = field.args.filter((a) => a.type.kind === 'NON_NULL' || coin());
          const variables = Object.fromEntries(args.map((a) => [a.name, value(a.type, 0)]));
          const definitions = args.length === 0 ? '' : `(${args.map((a) => `$${a.name}: ${reference(a.type)}`).join(', ')})`;
          const passed = args.length === 0 ? '' : `(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})`;
          const query = `${operation}${definitions} { ${field.name}${passed} ${selection(field.type)} }`;
          for (const [who, call] of Object.entries(callers)) {
            const res = await call(query, variables);
            calls++;
            const codes = (res.errors ?? []).map((e) => e.extensions?.code);
            if (res.status >= 500 || codes.includes('INTERNAL_SERVER_ERROR')) failures.push(`${who} ${field.name} ${JSON.stringify(variables).slice(0, 300)}`);
          }
        }
      }
    }
    expect(calls).toBeGreaterThan(500);
    expect(failures).toEqual([]);
  });
});
