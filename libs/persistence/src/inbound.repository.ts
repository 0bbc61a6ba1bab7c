import type { EntityManager } from '@mikro-orm/core';

import { query } from './query.js';

/** Days a reply's key is kept: past every provider's retries (Meta retries a webhook for up to 7 days). */
export const INBOUND_DEDUP_DAYS = 8;

/** Which citizens' replies were already published, so a peer's retry of the same one adds nothing. */
export class InboundRepository {
  /**
   * Records the reply's key in the caller's transaction; true the first time, false for a copy already recorded
   * (committed by another transaction, or this one).
   */
  async firstSighting(tx: EntityManager, keyHash: string, at: Date): Promise<boolean> {
    const rows = await query(tx, 'insert into "inbound_seen" ("key_hash", "received_at") values (?, ?) on conflict do nothing returning 1', [keyHash, at]);
    return rows.length > 0;
  }
}
