import { type AuditActor, SecretBox, SecretBoxError, SecretBoxErrorCode } from '@kabar/core';
import { appendAudit, type ReencryptCursor, SEALED_COLUMNS, type SealedCount, SecretKeyRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';

import { SecretsError, SecretsErrorCode } from './secrets.errors.js';

/** What one master key id is still needed for; a retired key needed for nothing can leave the configuration. */
export interface SecretKeyStatus {
  readonly keyId: string;
  readonly current: boolean;
  readonly lookup: boolean;
  /** Configured in this hub (current or retired). */
  readonly held: boolean;
  readonly registeredAt: Date | null;
  readonly sealedValues: number;
  readonly auditEntries: number;
  readonly neededFor: readonly string[];
}

export interface SecretsStatus {
  readonly keys: readonly SecretKeyStatus[];
  readonly columns: readonly SealedCount[];
}

export interface ReencryptOutcome {
  readonly moved: number;
  /** Values that are not Kabar ciphertexts or fail authentication: left as they are, and counted so someone looks. */
  readonly unreadable: number;
  /** Where the next call goes on; null when every sealed column has been walked. */
  readonly cursor: string | null;
}

export const REENCRYPT_LIMIT_MAX = 50_000;

/**
 * Master-key rotation for operators: which key ids the data still needs, and moving sealed values (addresses,
 * national IDs, plugin and callback secrets) to the current key in resumable steps. Audit entries stay sealed under
 * the key that sealed them (the chain is append-only), so a retired key stays needed to check those.
 */
@Injectable()
export class SecretsService {
  private readonly repository: SecretKeyRepository;

  constructor(
    private readonly em: EntityManager,
    private readonly box: SecretBox,
  ) {
    this.repository = new SecretKeyRepository(em);
  }

  async status(): Promise<SecretsStatus> {
    const [registered, { columns, auditEntries }] = await Promise.all([this.repository.registered(), this.repository.sealedCounts()]);
    const held = this.box.keyChecks();
    const ids = [...new Set([...registered.map((k) => k.keyId), ...held.keys(), ...columns.map((c) => c.keyId), ...auditEntries.keys()])].sort();
    const keys = ids.map((keyId): SecretKeyStatus => {
      const row = registered.find((k) => k.keyId === keyId);
      const sealedValues = columns.filter((c) => c.keyId === keyId).reduce((sum, c) => sum + c.count, 0);
      const audit = auditEntries.get(keyId) ?? 0;
      const current = keyId === this.box.currentId;
      const lookup = keyId === this.box.lookupKeyId;
      const neededFor = [...(current ? ['current'] : []), ...(lookup ? ['lookup hashes'] : []), ...(sealedValues > 0 ? ['sealed values'] : []), ...(audit > 0 ? ['audit entries'] : [])];
      return { keyId, current, lookup, held: held.has(keyId), registeredAt: row?.createdAt ?? null, sealedValues, auditEntries: audit, neededFor };
    });
    return { keys, columns };
  }

  /** Moves up to `limit` sealed values to the current key, from where `after` says the last call stopped. */
  async reencrypt(after: string | null, limit: number, actor: AuditActor): Promise<ReencryptOutcome> {
    let unreadable = 0;
    const reseal = (sealed: string): string | null => {
      try {
        return this.box.reseal(sealed);
      } catch (error) {
        if (error instanceof SecretBoxError && error.code === SecretBoxErrorCode.UnknownKeyId) {
          throw new SecretsError(SecretsErrorCode.KeyNotHeld, `a value is sealed under master key ${SecretBox.keyIdOf(sealed) ?? '?'}, which this hub does not hold: add it to KABAR_RETIRED_SECRET_KEYS`);
        }
        if (error instanceof SecretBoxError) {
          unreadable++;
          return null;
        }
        throw error;
      }
    };
    const { moved, next } = await this.repository.reencrypt(this.box.currentId, reseal, parseCursor(after), Math.min(Math.max(limit, 1), REENCRYPT_LIMIT_MAX));
    if (moved > 0 || unreadable > 0) {
      await this.em.fork().transactional((tx) =>
        appendAudit(tx, { action: 'secrets.reencrypted', actor, agencyId: null, target: { kind: 'secret_key', id: this.box.currentId }, details: { moved, unreadable, done: next === null } }),
      );
    }
    return { moved, unreadable, cursor: next === null ? null : Buffer.from(`${String(next.column)}:${next.after ?? ''}`).toString('base64url') };
  }
}

function parseCursor(text: string | null): ReencryptCursor {
  if (text === null) return { column: 0, after: null };
  const match = /^(\d{1,2}):([0-9A-Za-z_-]{0,64})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  const column = Number(match?.[1]);
  if (match === null || !(column < SEALED_COLUMNS.length)) throw new SecretsError(SecretsErrorCode.CursorInvalid, 'after must be a cursor returned by reencryptSecrets');
  return { column, after: match[2] === '' ? null : (match[2] ?? null) };
}
