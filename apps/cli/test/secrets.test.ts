import { afterEach, describe, expect, it } from 'vitest';

import { CliErrorCode } from '../src/cli-error.js';
import { keyRow, type SecretKeyView, secretsCommand } from '../src/commands/secrets.js';
import type { Io } from '../src/output.js';
import { type FakeGraphqlHub, startFakeGraphqlHub } from './support/fake-graphql-hub.js';

// The unit is the command; a fake hub (a real HTTP server) answers scripted bodies, so the tests see the exact
// operations and variables `kabar secrets` sends. secret-rotation.full.int.test.ts runs it against a real hub.

const TOKEN = 'adm_test0000test.secret';
const STATUS = '{ secretKeys { keys { keyId current lookup held registeredAt sealedValues auditEntries neededFor } } }';
const REENCRYPT = 'mutation($after: String, $limit: Int!) { reencryptSecrets(after: $after, limit: $limit) { moved unreadable cursor } }';

const data = (value: Record<string, unknown>): unknown => ({ data: value });

const aKey = (fields: Partial<SecretKeyView> = {}): SecretKeyView => ({
  keyId: 'k1',
  current: false,
  lookup: true,
  held: true,
  registeredAt: '2026-11-23T00:00:00.000Z',
  sealedValues: 1200,
  auditEntries: 40,
  neededFor: ['lookup hashes', 'sealed values', 'audit entries'],
  ...fields,
});

describe('kabar secrets', () => {
  let hub: FakeGraphqlHub | undefined;

  const run = async (args: readonly string[], answers: readonly unknown[] = []) => {
    await hub?.close();
    hub = await startFakeGraphqlHub((_request, n) => answers[n] ?? { errors: [{ message: 'unexpected request', extensions: { code: 'TEST' } }] });
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (line) => out.push(line), err: (line) => err.push(line) };
    const result = secretsCommand(args, io, { KABAR_URL: hub.url, KABAR_TOKEN: TOKEN });
    await result.catch(() => undefined);
    return { result, out, err, requests: hub.requests.map((r) => ({ query: r.body.query, variables: r.body.variables })) };
  };

  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });

  it('prints each key with its role and what still needs it', async () => {
    const keys = [aKey(), aKey({ keyId: 'k2', current: true, lookup: false, sealedValues: 0, auditEntries: 3, neededFor: ['current', 'audit entries'] }), aKey({ keyId: 'k0', lookup: false, sealedValues: 0, auditEntries: 0, neededFor: [] })];
    const { result, out, requests } = await run(['status'], [data({ secretKeys: { keys } })]);
    await expect(result).resolves.toBe(0);
    expect(requests).toEqual([{ query: STATUS, variables: {} }]);
    expect(out).toEqual([
      'KEY  ROLE     LOOKUP  HELD  SEALED  AUDIT  NEEDED FOR',
      'k1   retired  yes     yes   1200    40     lookup hashes, sealed values, audit entries',
      'k2   current  -       yes   0       3      current, audit entries',
      'k0   retired  -       yes   0       0      nothing: can be dropped',
    ]);
  });

  it('fails when values are sealed under a key the hub does not hold', async () => {
    const { result, out } = await run(['status'], [data({ secretKeys: { keys: [aKey({ keyId: 'k0', held: false, lookup: false, sealedValues: 7 })] } })]);
    await expect(result).rejects.toMatchObject({ code: CliErrorCode.Failed, message: expect.stringContaining('sealed under k0, which the hub does not hold') as unknown });
    expect(out[1]).toContain('not held');
  });

  it('re-encrypts step by step from each cursor until the hub says done, and totals the steps', async () => {
    const steps = [
      data({ reencryptSecrets: { moved: 100, unreadable: 0, cursor: 'c1' } }),
      data({ reencryptSecrets: { moved: 100, unreadable: 1, cursor: 'c2' } }),
      data({ reencryptSecrets: { moved: 5, unreadable: 0, cursor: null } }),
    ];
    const { result, out, err, requests } = await run(['reencrypt', '--batch', '100'], steps);
    await expect(result).resolves.toBe(0);
    expect(requests).toEqual([
      { query: REENCRYPT, variables: { after: null, limit: 100 } },
      { query: REENCRYPT, variables: { after: 'c1', limit: 100 } },
      { query: REENCRYPT, variables: { after: 'c2', limit: 100 } },
    ]);
    expect(err).toEqual(['kabar: 100 moved so far', 'kabar: 200 moved so far']);
    expect(out).toEqual(['205 sealed value(s) moved to the current key; 1 unreadable, left as they were']);
  });

  it.each([
    [['rotate'], 'expected status or reencrypt'],
    [['reencrypt', '--batch', '0'], '--batch must be a whole number from 1 to 50000, got "0"'],
    [['reencrypt', '--batch', '1e3'], '--batch must be a whole number from 1 to 50000, got "1e3"'],
    [['status', 'extra'], 'secrets status takes no arguments'],
  ])('refuses %j before calling the hub', async (args, message) => {
    const { result, requests } = await run(args);
    await expect(result).rejects.toMatchObject({ code: CliErrorCode.Usage, message: expect.stringContaining(message) as unknown });
    expect(requests).toEqual([]);
  });

  it('names a key by role in one row', () => {
    expect(keyRow(aKey({ neededFor: ['lookup hashes', 'audit entries'], sealedValues: 0 }))).toEqual(['k1', 'retired', 'yes', 'yes', '0', '40', 'lookup hashes, audit entries']);
  });
});
