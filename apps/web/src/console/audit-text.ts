import type { AuditActor } from './operations.js';

// The audit tab's words for an entry, kept apart from the view so that they are tested without a browser. They read
// as `kabar audit list` prints them, so an admin sees the same line in both.

/** Strings that would not split back out of a `k=v` line (spaces, quotes, `=`, `,`, nothing at all) are JSON-quoted. */
const valueText = (value: unknown): string => {
  if (typeof value === 'string') return /^[^\s"=,]+$/.test(value) ? value : JSON.stringify(value);
  if (Array.isArray(value)) return value.length === 0 ? '[]' : value.map(valueText).join(',');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
};

/**
 * An entry's details as compact `k=v` pairs in the hub's order, lists joined by commas; '' when there are none.
 * @example detailsText({ name: 'tax backend', kind: 'live' }) // 'name="tax backend" kind=live'
 */
export function detailsText(details: Readonly<Record<string, unknown>>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}=${valueText(value)}`)
    .join(' ');
}

/**
 * Who acted: the kind, then the admin's name or the agency's code (its id when the hub has no name), and for an
 * agency system the key it used.
 * @example actorText({ kind: 'agency', id: 'a1', name: 'bapenda-bdg', keyId: 'live_AbCdEfGhIjKl', ip: null }) // 'agency bapenda-bdg (key live_AbCdEfGhIjKl)'
 */
export function actorText(actor: AuditActor): string {
  const who = `${actor.kind} ${actor.name ?? actor.id}`;
  return actor.keyId === null ? who : `${who} (key ${actor.keyId})`;
}
