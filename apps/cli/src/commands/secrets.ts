import { parseArgs } from 'node:util';

import { CliError, CliErrorCode } from '../cli-error.js';
import { adminToken, type Env, HUB_OPTIONS, HubClient, hubUrl } from '../hub-client.js';
import { type Io, printJson, table } from '../output.js';

export const SECRETS_HELP = `kabar secrets status
kabar secrets reencrypt [--batch N]

Master-key rotation on a running hub. To rotate: give every hub instance the new key as KABAR_SECRET_KEY under a new
KABAR_SECRET_KEY_ID, and the old one in KABAR_RETIRED_SECRET_KEYS (id:key); restart them; run reencrypt; then drop
from KABAR_RETIRED_SECRET_KEYS each key that status shows needed for nothing.
  status     each key id: current, lookup (the key lookup hashes are made with, kept for the database's life),
             held by the hub, values still sealed under it, audit entries it sealed, and what still needs it
  reencrypt  moves every sealed value (addresses, names, national IDs, plugin and callback secrets) to the current
             key, a batch at a time, printing progress; safe to stop and run again. Audit entries keep the key that
             sealed them: checking them (kabar audit verify) needs that key.
  --batch    values per step (default 5000, at most 50000)

Common options: --url URL, --token TOKEN (default KABAR_URL, KABAR_TOKEN), --json.`;

export interface SecretKeyView {
  keyId: string;
  current: boolean;
  lookup: boolean;
  held: boolean;
  registeredAt: string | null;
  sealedValues: number;
  auditEntries: number;
  neededFor: string[];
}

interface ReencryptView {
  moved: number;
  unreadable: number;
  cursor: string | null;
}

const BATCH_MAX = 50_000;

export async function secretsCommand(args: readonly string[], io: Io, env: Env): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'status':
      return status(rest, io, env);
    case 'reencrypt':
      return reencrypt(rest, io, env);
    default:
      throw new CliError(CliErrorCode.Usage, `expected status or reencrypt\n\n${SECRETS_HELP}`);
  }
}

/**
 * One row of `kabar secrets status`.
 * @example keyRow({ keyId: 'k1', current: false, lookup: true, held: true, registeredAt: null, sealedValues: 0, auditEntries: 40, neededFor: ['lookup hashes', 'audit entries'] }) // ['k1', 'retired', 'yes', 'yes', '0', '40', 'lookup hashes, audit entries']
 */
export function keyRow(key: SecretKeyView): string[] {
  const role = key.current ? 'current' : key.held ? 'retired' : 'not held';
  return [key.keyId, role, key.lookup ? 'yes' : '-', key.held ? 'yes' : 'no', String(key.sealedValues), String(key.auditEntries), key.neededFor.length === 0 ? 'nothing: can be dropped' : key.neededFor.join(', ')];
}

async function status(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: HUB_OPTIONS });
  if (positionals.length > 0) throw new CliError(CliErrorCode.Usage, `secrets status takes no arguments\n\n${SECRETS_HELP}`);
  const hub = new HubClient(hubUrl(values.url, env));
  const { secretKeys } = await hub.graphql<{ secretKeys: { keys: SecretKeyView[] } }>(
    adminToken(values.token, env),
    '{ secretKeys { keys { keyId current lookup held registeredAt sealedValues auditEntries neededFor } } }',
  );
  if (values.json === true) {
    printJson(io, secretKeys.keys);
    return 0;
  }
  for (const line of table(['KEY', 'ROLE', 'LOOKUP', 'HELD', 'SEALED', 'AUDIT', 'NEEDED FOR'], secretKeys.keys.map(keyRow))) io.out(line);
  // A value under a key the hub does not hold cannot be read: name it, as the hub would refuse it later anyway.
  const lost = secretKeys.keys.filter((k) => !k.held && k.sealedValues > 0);
  if (lost.length > 0) throw new CliError(CliErrorCode.Failed, `values are sealed under ${lost.map((k) => k.keyId).join(', ')}, which the hub does not hold: add to KABAR_RETIRED_SECRET_KEYS`);
  return 0;
}

async function reencrypt(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: { ...HUB_OPTIONS, batch: { type: 'string' } } });
  if (positionals.length > 0) throw new CliError(CliErrorCode.Usage, `secrets reencrypt takes no arguments\n\n${SECRETS_HELP}`);
  const batch = values.batch === undefined ? 5_000 : Number(values.batch);
  if (values.batch !== undefined && (!/^\d+$/.test(values.batch) || batch < 1 || batch > BATCH_MAX)) {
    throw new CliError(CliErrorCode.Usage, `--batch must be a whole number from 1 to ${String(BATCH_MAX)}, got "${values.batch}"`);
  }
  const hub = new HubClient(hubUrl(values.url, env));
  const token = adminToken(values.token, env);
  let after: string | null = null;
  let moved = 0;
  let unreadable = 0;
  do {
    const { reencryptSecrets }: { reencryptSecrets: ReencryptView } = await hub.graphql<{ reencryptSecrets: ReencryptView }>(
      token,
      'mutation($after: String, $limit: Int!) { reencryptSecrets(after: $after, limit: $limit) { moved unreadable cursor } }',
      { after, limit: batch },
    );
    moved += reencryptSecrets.moved;
    unreadable += reencryptSecrets.unreadable;
    after = reencryptSecrets.cursor;
    if (values.json !== true && after !== null) io.err(`kabar: ${String(moved)} moved so far`);
  } while (after !== null);
  if (values.json === true) printJson(io, { moved, unreadable });
  else io.out(`${String(moved)} sealed value(s) moved to the current key${unreadable > 0 ? `; ${String(unreadable)} unreadable, left as they were` : ''}`);
  return 0;
}
