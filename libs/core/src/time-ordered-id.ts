import { randomUUID } from 'node:crypto';

/**
 * A UUID version 7 (RFC 9562): the first 48 bits are the Unix time in milliseconds, the rest random (74 bits).
 * Rows keyed by it are inserted in time order, so their B-tree indexes grow at the right edge instead of touching a
 * random leaf each time: the insert takes PostgreSQL's rightmost-leaf fast path, a checkpoint is followed by a full-page
 * image of a few hot pages rather than of every page, and a table of billions of notifications keeps its working set
 * in memory. The random part comes from `randomUUID`'s pooled generator; within one millisecond ids are not ordered,
 * which the index does not need.
 */
export function timeOrderedId(now: number = Date.now()): string {
  const random = randomUUID();
  const time = Math.trunc(now).toString(16).padStart(12, '0');
  // randomUUID: xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx (V holds the RFC variant, kept as it is).
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}
