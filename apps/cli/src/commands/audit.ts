import { parseArgs } from 'node:util';

import { CliError, CliErrorCode } from '../cli-error.js';
import { adminToken, type Env, HUB_OPTIONS, HubClient, hubUrl } from '../hub-client.js';
import { type Io, printJson, table } from '../output.js';

export const AUDIT_HELP = `kabar audit list [--agency CODE] [--action ACTION] [--before SEQ] [--first N]
kabar audit verify [--head SEQ:MAC]

The platform's audit trail on a running hub: who changed what (agencies, keys, plugins, routes, event types,
templates, surveys, complaint answers), newest first. Each entry is sealed to the one before it by a MAC.
  list      one line per entry: place (seq), time, who, agency, action, target and details
  --agency  only the changes that concern this agency (its code)
  --action  only this action, e.g. api_key.issued, plugin.configured, complaint.answered
  --before  only entries placed before this seq: the last seq of the previous page
  --first   how many entries (default 50, at most 200)
  verify    checks every entry against its MAC and the one before it, from the first; exits 1 at the first
            broken link. Keep the head it prints (seq and MAC) outside Kabar: a later check that ends before it
            means the trail was cut short.
  --head    also check that the chain still reaches this head, as verify printed it or the hub logged it
            ("audit trail sealed", auditHead): exits 1 if the chain ends before it (cut) or holds another MAC (head)

Common options: --url URL, --token TOKEN (default KABAR_URL, KABAR_TOKEN), --json.
Example: kabar audit list --agency bapenda-bdg --action api_key.issued`;

export interface AuditEntryView {
  seq: number;
  at: string;
  action: string;
  actor: { kind: string; id: string; name: string | null; keyId: string | null; ip: string | null };
  agencyCode: string | null;
  targetKind: string;
  targetId: string;
  details: Record<string, unknown>;
  mac: string;
}

export interface AuditIntegrityView {
  checked: number;
  headSeq: number | null;
  headMac: string | null;
  broken: { seq: number; reason: string } | null;
}

const ENTRY_FIELDS = 'seq at action actor { kind id name keyId ip } agencyCode targetKind targetId details mac';

/** The hub's page size when none is asked for. */
const PAGE = 50;
/** The hub's largest page: it would quietly answer fewer than asked, so a larger --first is refused here instead. */
const PAGE_MAX = 200;
/** GraphQL's `Int` is 32-bit: a larger number would be refused by the hub's parser with a message about types. */
const MAX_INT = 2_147_483_647;

export async function auditCommand(args: readonly string[], io: Io, env: Env): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'list':
      return list(rest, io, env);
    case 'verify':
      return verify(rest, io, env);
    default:
      throw new CliError(CliErrorCode.Usage, `expected list or verify\n\n${AUDIT_HELP}`);
  }
}

/** A whole number from 1 to `max` for `flag`, checked before anything needs the hub. */
function wholeNumber(flag: string, text: string | undefined, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) throw new CliError(CliErrorCode.Usage, `${flag} must be a whole number from 1 to ${max}, got "${text}"`);
  return Number(text);
}

/** Strings that would not split back out of a `k=v` line (spaces, quotes, `=`, `,`, nothing at all) are JSON-quoted. */
const valueText = (value: unknown): string => {
  if (typeof value === 'string') return /^[^\s"=,]+$/.test(value) ? value : JSON.stringify(value);
  if (Array.isArray(value)) return value.length === 0 ? '[]' : value.map(valueText).join(',');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
};

/**
 * The details as compact `k=v` pairs in the hub's order, lists joined by commas; `-` when there are none.
 * @example detailsText({ name: 'tax backend', kind: 'live', sources: ['/pbb', '/bphtb'] }) // 'name="tax backend" kind=live sources=/pbb,/bphtb'
 */
export function detailsText(details: Readonly<Record<string, unknown>>): string {
  const pairs = Object.entries(details).map(([key, value]) => `${key}=${valueText(value)}`);
  return pairs.length === 0 ? '-' : pairs.join(' ');
}

/**
 * Who acted, in words: the kind, then the admin's name or the agency's code (its id when the hub has no name), and
 * for an agency system the key it used.
 * @example actorText({ kind: 'agency', id: 'a1', name: 'bapenda-bdg', keyId: 'live_AbCdEfGhIjKl', ip: null }) // 'agency bapenda-bdg (key live_AbCdEfGhIjKl)'
 */
export function actorText(actor: AuditEntryView['actor']): string {
  const who = `${actor.kind} ${actor.name ?? actor.id}`;
  return actor.keyId === null ? who : `${who} (key ${actor.keyId})`;
}

/** One row of `kabar audit list`: seq, time, actor, agency, action, target, details. */
export function auditRow(entry: AuditEntryView): string[] {
  return [String(entry.seq), entry.at, actorText(entry.actor), entry.agencyCode ?? '-', entry.action, `${entry.targetKind}:${entry.targetId}`, detailsText(entry.details)];
}

const entries = (n: number): string => (n === 1 ? '1 entry checks' : `${n} entries check`);

/**
 * What `kabar audit verify` says: the head to keep when every entry checks out, or where the chain breaks.
 * @example integrityText({ checked: 16, headSeq: 16, headMac: 'm', broken: { seq: 17, reason: 'mac' } }) // { ok: false, text: 'audit trail broken at 17 (mac): 16 entries check out before it' }
 */
export function integrityText(integrity: AuditIntegrityView): { ok: boolean; text: string } {
  if (integrity.broken !== null) return { ok: false, text: `audit trail broken at ${integrity.broken.seq} (${integrity.broken.reason}): ${entries(integrity.checked)} out before it` };
  if (integrity.headSeq === null) return { ok: true, text: 'audit trail: no entries yet, nothing to check' };
  return { ok: true, text: `audit trail: ${entries(integrity.checked)} out; head ${integrity.headSeq} ${integrity.headMac ?? '-'}` };
}

async function list(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: { ...HUB_OPTIONS, agency: { type: 'string' }, action: { type: 'string' }, before: { type: 'string' }, first: { type: 'string' } },
  });
  if (positionals.length > 0) throw new CliError(CliErrorCode.Usage, `audit list takes no arguments\n\n${AUDIT_HELP}`);
  const before = wholeNumber('--before', values.before, MAX_INT);
  const first = wholeNumber('--first', values.first, PAGE_MAX) ?? PAGE;
  const hub = new HubClient(hubUrl(values.url, env));
  const { auditLog } = await hub.graphql<{ auditLog: AuditEntryView[] }>(
    adminToken(values.token, env),
    `query($agencyCode: String, $action: String, $before: Int, $first: Int!) { auditLog(agencyCode: $agencyCode, action: $action, before: $before, first: $first) { ${ENTRY_FIELDS} } }`,
    { agencyCode: values.agency ?? null, action: values.action ?? null, before: before ?? null, first },
  );
  if (values.json === true) {
    printJson(io, auditLog);
    return 0;
  }
  for (const line of table(['SEQ', 'AT', 'ACTOR', 'AGENCY', 'ACTION', 'TARGET', 'DETAILS'], auditLog.map(auditRow))) io.out(line);
  const filtered = values.agency !== undefined || values.action !== undefined || before !== undefined;
  if (auditLog.length === 0) io.err(filtered ? 'kabar: no audit entries match' : 'kabar: no audit entries yet');
  const last = auditLog.at(-1);
  // A full page may have more behind it; the next command keeps the filters, so paging is a copy and paste.
  if (auditLog.length === first && last !== undefined) {
    const flags = [values.agency === undefined ? '' : ` --agency ${values.agency}`, values.action === undefined ? '' : ` --action ${values.action}`, values.first === undefined ? '' : ` --first ${first}`];
    io.err(`kabar: older entries: kabar audit list${flags.join('')} --before ${last.seq}`);
  }
  return 0;
}

async function verify(args: readonly string[], io: Io, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: { ...HUB_OPTIONS, head: { type: 'string' } } });
  if (positionals.length > 0) throw new CliError(CliErrorCode.Usage, `audit verify takes no arguments\n\n${AUDIT_HELP}`);
  const known = values.head === undefined ? null : /^(\d{1,15}):(\S+)$/.exec(values.head);
  if (values.head !== undefined && (known === null || Number(known[1]) < 1)) throw new CliError(CliErrorCode.Usage, `--head must be SEQ:MAC as verify prints them, got "${values.head}"`);
  const hub = new HubClient(hubUrl(values.url, env));
  const { auditIntegrity } = await hub.graphql<{ auditIntegrity: AuditIntegrityView }>(
    adminToken(values.token, env),
    'query($headSeq: Int, $headMac: String) { auditIntegrity(headSeq: $headSeq, headMac: $headMac) { checked headSeq headMac broken { seq reason } } }',
    { headSeq: known === null ? null : Number(known[1]), headMac: known?.[2] ?? null },
  );
  if (values.json === true) printJson(io, auditIntegrity);
  const { ok, text } = integrityText(auditIntegrity);
  // A broken chain is a failed check, as `kabar migrate --check` and `kabar plugins check` fail: exit 1, on stderr.
  if (!ok) throw new CliError(CliErrorCode.Failed, text);
  if (values.json !== true) io.out(text);
  return 0;
}
