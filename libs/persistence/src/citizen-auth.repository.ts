import { randomUUID } from 'node:crypto';

import type { EntityManager } from '@mikro-orm/core';

import { query } from './query.js';

/** A contact point as the one-time-code flows need it: whose it is, where to send, in which language. */
export interface CodeTarget {
  readonly id: string;
  readonly citizenId: string;
  readonly channel: string;
  readonly valueSealed: string;
  readonly locale: string;
  readonly verified: boolean;
}

export interface NewOneTimeCode {
  readonly contactPointId: string;
  readonly purpose: string;
  readonly codeHash: string;
  readonly expiresAt: Date;
}

/** A code that can still be tried: not used, not expired. `attempts` counts wrong tries so far. */
export interface LiveCode {
  readonly id: string;
  readonly contactPointId: string;
  readonly codeHash: string;
  readonly attempts: number;
}

export interface CitizenSessionRow {
  readonly citizenId: string;
  readonly expiresAt: Date;
}

type TargetRow = { id: string; citizen_id: string; channel: string; value_sealed: string; locale: string; verified: boolean };
const toTarget = (r: TargetRow): CodeTarget => ({ id: r.id, citizenId: r.citizen_id, channel: r.channel, valueSealed: r.value_sealed, locale: r.locale, verified: r.verified });
const TARGET_COLUMNS = `cp."id", cp."citizen_id", cp."channel", cp."value_sealed", c."locale", (cp."verified_at" is not null and cp."invalid_at" is null) as "verified"`;

/** One-time codes (sign-in, contact point verification) and citizen sessions; codes and tokens are stored hashed. */
export class CitizenAuthRepository {
  constructor(private readonly em: EntityManager) {}

  /** Verified, still valid contact points on `channel` whose value hashes to `lookupHash` (a shared phone gives several). */
  async signInTargets(channel: string, lookupHash: string): Promise<CodeTarget[]> {
    const rows = await query<TargetRow>(
      this.em.fork(),
      `select ${TARGET_COLUMNS} from "contact_point" cp join "citizen" c on c."id" = cp."citizen_id"
       where cp."channel" = ? and cp."lookup_hash" = ? and cp."verified_at" is not null and cp."invalid_at" is null order by cp."created_at", cp."id"`,
      [channel, lookupHash],
    );
    return rows.map(toTarget);
  }

  /** One of the citizen's own contact points, or null when the id is not theirs. */
  async contactPointOf(citizenId: string, contactPointId: string): Promise<CodeTarget | null> {
    const [row] = await query<TargetRow>(
      this.em.fork(),
      `select ${TARGET_COLUMNS} from "contact_point" cp join "citizen" c on c."id" = cp."citizen_id" where cp."id" = ? and cp."citizen_id" = ?`,
      [contactPointId, citizenId],
    );
    return row === undefined ? null : toTarget(row);
  }

  /**
   * Stores a code unless the contact point already had `limit` codes (any purpose) since `since`; returns its id, or
   * null when over the limit. The point's row is locked, so concurrent requests cannot both slip under the limit.
   */
  async addCodeWithinLimit(code: NewOneTimeCode, limit: number, since: Date): Promise<string | null> {
    return this.em.fork().transactional(async (tx) => {
      await query(tx, 'select "id" from "contact_point" where "id" = ? for update', [code.contactPointId]);
      const [counted] = await query<{ n: number | string }>(tx, 'select count(*) as "n" from "one_time_code" where "contact_point_id" = ? and "created_at" > ?', [
        code.contactPointId,
        since,
      ]);
      if (Number(counted?.n ?? 0) >= limit) return null;
      const id = randomUUID();
      await query(
        tx,
        `insert into "one_time_code" ("id", "contact_point_id", "purpose", "code_hash", "attempts", "expires_at", "created_at") values (?, ?, ?, ?, 0, ?, clock_timestamp())`,
        [id, code.contactPointId, code.purpose, code.codeHash, code.expiresAt],
      );
      return id;
    });
  }

  /** The newest unused, unexpired code of `purpose` for each of the points (older ones are superseded). */
  async liveCodes(contactPointIds: readonly string[], purpose: string, now: Date): Promise<LiveCode[]> {
    if (contactPointIds.length === 0) return [];
    const rows = await query<{ id: string; contact_point_id: string; code_hash: string; attempts: number | string }>(
      this.em.fork(),
      `select distinct on ("contact_point_id") "id", "contact_point_id", "code_hash", "attempts" from "one_time_code"
       where "contact_point_id" = any(?::uuid[]) and "purpose" = ? and "used_at" is null and "expires_at" > ?
       order by "contact_point_id", "created_at" desc, "id"`,
      [[...new Set(contactPointIds)], purpose, now],
    );
    return rows.map((r) => ({ id: r.id, contactPointId: r.contact_point_id, codeHash: r.code_hash, attempts: Number(r.attempts) }));
  }

  /** Counts a wrong try against each code. */
  async recordWrongAttempt(codeIds: readonly string[]): Promise<void> {
    if (codeIds.length === 0) return;
    await query(this.em.fork(), 'update "one_time_code" set "attempts" = "attempts" + 1 where "id" = any(?::uuid[])', [[...new Set(codeIds)]]);
  }

  /** Marks the code used; false when it was used meanwhile or has run out of tries (a code works once). */
  async consumeCode(codeId: string, maxAttempts: number): Promise<boolean> {
    const rows = await query(this.em.fork(), 'update "one_time_code" set "used_at" = now() where "id" = ? and "used_at" is null and "attempts" < ? returning "id"', [
      codeId,
      maxAttempts,
    ]);
    return rows.length > 0;
  }

  async addSession(tokenHash: string, citizenId: string, expiresAt: Date): Promise<void> {
    await query(this.em.fork(), 'insert into "citizen_session" ("token_hash", "citizen_id", "expires_at", "created_at") values (?, ?, ?, now())', [tokenHash, citizenId, expiresAt]);
  }

  async endSession(tokenHash: string): Promise<void> {
    await query(this.em.fork(), 'delete from "citizen_session" where "token_hash" = ?', [tokenHash]);
  }

  async session(tokenHash: string): Promise<CitizenSessionRow | null> {
    const [row] = await query<{ citizen_id: string; expires_at: Date | string }>(this.em.fork(), 'select "citizen_id", "expires_at" from "citizen_session" where "token_hash" = ?', [
      tokenHash,
    ]);
    return row === undefined ? null : { citizenId: row.citizen_id, expiresAt: new Date(row.expires_at) };
  }
}
