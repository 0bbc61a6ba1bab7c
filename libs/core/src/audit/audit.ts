/**
 * The audit trail: who changed what on the platform (agencies, keys, plugins, routes, event types, templates, surveys,
 * complaint answers), kept append-only and chained. Each entry's MAC covers its fields and the previous entry's MAC, under
 * a key derived from the hub's master key, so an entry edited, removed or inserted in the database (where a trigger already
 * refuses updates and deletes) shows as a broken link to anyone holding the key. Details carry ids, names and counts:
 * never a secret, a citizen's contact point or what a citizen wrote.
 */

export const AUDIT_ACTIONS = [
  'admin.created',
  'agency.created',
  'agency.updated',
  'api_key.issued',
  'api_key.revoked',
  'status_callback.set',
  'event_type.registered',
  'template.saved',
  'survey.saved',
  'event.cancelled',
  'plugin.installed',
  'plugin.configured',
  'plugin.approved',
  'plugin.checked',
  'plugin.enabled',
  'plugin.disabled',
  'plugin.uninstalled',
  'plugin.route_set',
  'plugin.rate_limit_set',
  'citizens.imported',
  'inbound_route.set',
  'inbound_route.removed',
  'complaint.answered',
  'complaint.closed',
  'complaint.transferred',
  'secret_key.registered',
  'secrets.reencrypted',
  'day_off.set',
  'day_off.removed',
  // A read, not a change: an agency's helpdesk looked a citizen up by the national ID its events name them by.
  'citizen.looked_up',
  // Not a change either: credentials the hub refused, tallied per minute (who tried which key from where, how often).
  'credentials.refused',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}

/**
 * Who acted. `ip` is the client address the hub saw (behind a proxy, the proxy's unless it forwards one); kept for
 * admins and agency systems, whose privileged actions are what the trail is for. `system` is the hub itself or a local
 * command (`kabar admin create`, the demo seed).
 */
export type AuditActor =
  | { readonly kind: 'admin'; readonly id: string; readonly ip: string | null }
  | { readonly kind: 'agency'; readonly id: string; readonly keyId: string; readonly ip: string | null }
  | { readonly kind: 'system'; readonly id: string };

export type AuditValue = string | number | boolean | null | readonly string[];
export type AuditDetails = Readonly<Record<string, AuditValue>>;

export interface AuditTarget {
  readonly kind: string;
  readonly id: string;
}

/** One change to record, written in the transaction that makes the change. */
export interface AuditRecord {
  readonly action: AuditAction;
  readonly actor: AuditActor;
  /** The agency the change concerns, so that agency can read it too; null for platform-wide changes. */
  readonly agencyId: string | null;
  readonly target: AuditTarget;
  readonly details: AuditDetails;
}

/**
 * A record as stored: its time and, once sealed into the chain, its place and MAC. Its action is a plain string: a
 * newer hub in a rolling upgrade may write actions this one does not know, and they must still seal and verify.
 */
export interface AuditRow extends Omit<AuditRecord, 'action'> {
  readonly action: string;
  readonly id: string;
  readonly at: Date;
  readonly seq: number | null;
  readonly keyId: string | null;
  readonly mac: string | null;
}

export interface SealedAuditRow extends AuditRow {
  readonly seq: number;
  readonly keyId: string;
  readonly mac: string;
}

/** The link before the first entry. */
export const AUDIT_GENESIS = 'kabar-audit-genesis';

/**
 * The exact text an entry's MAC covers. Details are written with sorted keys, since the database's jsonb does not keep
 * the order they were written in.
 */
export function auditPayload(row: Omit<AuditRow, 'keyId' | 'mac' | 'id'> & { readonly seq: number }, previousMac: string): string {
  const credential = row.actor.kind === 'agency' ? row.actor.keyId : null;
  const ip = row.actor.kind === 'system' ? null : row.actor.ip;
  return JSON.stringify([
    row.seq,
    row.at.toISOString(),
    row.actor.kind,
    row.actor.id,
    credential,
    ip,
    row.agencyId,
    row.action,
    row.target.kind,
    row.target.id,
    sortedDetails(row.details),
    previousMac,
  ]);
}

function sortedDetails(details: AuditDetails): [string, AuditValue][] {
  return Object.keys(details)
    .sort()
    .map((key) => [key, details[key] ?? null]);
}

/**
 * `gap`: a place in the chain is missing; `mac`: an entry does not match its MAC (changed, inserted or re-sealed);
 * `key`: an entry was sealed under a master key this hub does not hold (KABAR_RETIRED_SECRET_KEYS), so it cannot say;
 * against a head kept elsewhere, `cut`: the chain ends before it, `head`: its place holds another MAC.
 */
export type AuditBreak = { readonly seq: number; readonly reason: 'gap' | 'mac' | 'key' | 'cut' | 'head' };

/** A head of the chain kept outside Kabar (the sealer logs each; `kabar audit verify` prints one). */
export interface AuditHead {
  readonly seq: number;
  readonly mac: string;
}

/**
 * Checks one page of sealed entries (in seq order) against the chain so far. `expectedSeq` and `previousMac` carry over
 * from the page before (1 and AUDIT_GENESIS at the start). Returns the first break, or where the next page starts.
 */
export function checkAuditChain(
  rows: readonly SealedAuditRow[],
  from: { readonly expectedSeq: number; readonly previousMac: string },
  macOf: (payload: string, keyId: string) => string | null,
): { readonly broken: AuditBreak | null; readonly next: { readonly expectedSeq: number; readonly previousMac: string } } {
  let expectedSeq = from.expectedSeq;
  let previousMac = from.previousMac;
  for (const row of rows) {
    if (row.seq !== expectedSeq) return { broken: { seq: expectedSeq, reason: 'gap' }, next: { expectedSeq, previousMac } };
    const mac = macOf(auditPayload(row, previousMac), row.keyId);
    if (mac === null) return { broken: { seq: row.seq, reason: 'key' }, next: { expectedSeq, previousMac } };
    if (mac !== row.mac) return { broken: { seq: row.seq, reason: 'mac' }, next: { expectedSeq, previousMac } };
    expectedSeq++;
    previousMac = row.mac;
  }
  return { broken: null, next: { expectedSeq, previousMac } };
}

/**
 * Plugin config for the trail: every top-level field set, with its value unless a secret lies in it (`secretPointers`
 * are the JSON Pointers the plugin's schema marks secret, e.g. `/password` or `/auth/token`).
 */
export function auditConfig(config: Readonly<Record<string, unknown>>, secretPointers: readonly string[]): AuditDetails {
  const out: Record<string, AuditValue> = {};
  for (const [key, value] of Object.entries(config)) {
    const pointer = `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const name = `config.${key}`;
    if (secretPointers.some((p) => p === pointer || p.startsWith(`${pointer}/`))) out[name] = '(secret)';
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) out[name] = value;
    else out[name] = JSON.stringify(value).slice(0, 500);
  }
  return out;
}
