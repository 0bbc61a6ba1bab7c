import { appendTo } from '../collections.js';
import type { MessageClass } from '../notify/message-class.js';
import { countInWindow } from './caps.js';
import type { DedupHit, FrequencyCap, PolicyHistory } from './policy.types.js';

/**
 * What `decide` has already concluded earlier in the same batch, layered over stored history: two agencies' events in
 * one batch must merge and count against caps exactly as if they had arrived in two batches.
 */
export class BatchMemory {
  private readonly dedup = new Map<string, DedupHit>();
  private readonly counted = new Map<string, Map<MessageClass, Date[]>>();

  constructor(private readonly history: PolicyHistory) {}

  /** An earlier notification with this key at most `windowSeconds` away from `at` (both ends inclusive), this batch's first. */
  findDuplicate(citizenId: string, key: string, at: Date, windowSeconds: number): DedupHit | undefined {
    const id = `${citizenId} ${key}`;
    const near = (hit: DedupHit | undefined): hit is DedupHit =>
      hit !== undefined && Math.abs(at.getTime() - hit.at.getTime()) <= windowSeconds * 1000;
    const inBatch = this.dedup.get(id);
    if (near(inBatch)) return inBatch;
    const stored = this.history.dedup.get(id);
    return near(stored) ? stored : undefined;
  }

  /** Makes a notification the one later duplicates in this batch merge into (replacing an older, out-of-window one). */
  rememberForDedup(citizenId: string, key: string, hit: DedupHit): void {
    this.dedup.set(`${citizenId} ${key}`, hit);
  }

  /** Notifications of this class for this citizen inside the cap's window ending at `at`, stored and from this batch. */
  countFor(citizenId: string, messageClass: MessageClass, at: Date, cap: FrequencyCap): number {
    const stored = this.history.counted.get(citizenId)?.get(messageClass) ?? [];
    const inBatch = this.counted.get(citizenId)?.get(messageClass) ?? [];
    return countInWindow(stored, at, cap) + countInWindow(inBatch, at, cap);
  }

  /** Counts a notification that will go out on its own (accepted or held) against the citizen's caps. */
  rememberSent(citizenId: string, messageClass: MessageClass, at: Date): void {
    const byClass = this.counted.get(citizenId) ?? new Map<MessageClass, Date[]>();
    this.counted.set(citizenId, byClass);
    appendTo(byClass, messageClass, at);
  }
}
