import { type AuditRecord, SecretBox } from '@kabar/core';
import { type RegisteredKey, SecretKeyRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Injectable, type OnModuleInit } from '@nestjs/common';

import { DatabaseReadiness } from '../database/database.module.js';
import { StartupError, StartupErrorCode } from '../errors/startup-error.js';

const SYSTEM = { kind: 'system', id: 'hub' } as const;

/**
 * Checks the process's SecretBox against the database's key registry once the schema is ready, before the hub serves
 * or consumes anything: a key under a known id must be the key that id stood for, and lookup hashes keep coming from
 * the key the database's hashes were made with, which must be held. Keys seen for the first time are registered,
 * each with an audit entry.
 */
@Injectable()
export class KeyringCheck implements OnModuleInit {
  constructor(
    private readonly em: EntityManager,
    private readonly box: SecretBox,
    private readonly database: DatabaseReadiness,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.database.ready();
    this.box.useLookupKey(await reconcileKeyring(this.em, this.box));
  }
}

/** Registers the box's keys with the database and returns the id of the database's lookup key. */
export async function reconcileKeyring(em: EntityManager, box: SecretBox): Promise<string> {
  const checks = box.keyChecks();
  const repository = new SecretKeyRepository(em);
  return repository.reconcile(async (registered, tx) => {
    for (const key of registered) {
      const check = checks.get(key.keyId);
      if (check !== undefined && check !== key.checkValue) {
        throw new StartupError(
          StartupErrorCode.SecretKeyMismatch,
          `the master key configured under id ${key.keyId} is not the key this database was written with under that id; give that key, or a new key under a new id (KABAR_SECRET_KEY_ID) with the old one in KABAR_RETIRED_SECRET_KEYS`,
        );
      }
    }
    const lookup = registered.find((k) => k.lookup)?.keyId ?? lookupKeyOf(box, await repository.sampleAddress(tx));
    if (!checks.has(lookup)) {
      throw new StartupError(
        StartupErrorCode.LookupKeyMissing,
        `this database's lookup hashes (national IDs, addresses) were made with master key ${lookup}; keep it in KABAR_RETIRED_SECRET_KEYS (or as KABAR_SECRET_KEY)`,
      );
    }
    const known = new Set(registered.map((k) => k.keyId));
    const hasLookup = registered.some((k) => k.lookup);
    const now = new Date();
    const add: RegisteredKey[] = [...checks]
      .filter(([id]) => !known.has(id))
      .map(([keyId, checkValue]) => ({ keyId, checkValue, lookup: !hasLookup && keyId === lookup, createdAt: now }));
    const audit: AuditRecord[] = add.map((k) => ({
      action: 'secret_key.registered',
      actor: SYSTEM,
      agencyId: null,
      target: { kind: 'secret_key', id: k.keyId },
      details: { current: k.keyId === box.currentId, lookup: k.lookup },
    }));
    return { add, audit, result: lookup };
  });
}

/**
 * Which held key made a database's lookup hashes, before the registry existed: the one whose hash of a stored
 * address matches the hash stored with it. A database with no address yet takes the current key.
 */
function lookupKeyOf(box: SecretBox, sample: { readonly valueSealed: string; readonly lookupHash: string } | null): string {
  if (sample === null) return box.currentId;
  const sealedUnder = SecretBox.keyIdOf(sample.valueSealed) ?? '';
  if (!box.keyChecks().has(sealedUnder)) {
    throw new StartupError(StartupErrorCode.LookupKeyMissing, `this database's addresses are sealed under master key ${sealedUnder}, which is not configured; add it to KABAR_RETIRED_SECRET_KEYS`);
  }
  const value = box.decrypt(sample.valueSealed);
  const match = [...box.keyChecks().keys()].find((id) => box.lookupHashUnder(id, value) === sample.lookupHash);
  if (match === undefined) {
    throw new StartupError(StartupErrorCode.LookupKeyMissing, "none of the configured master keys made this database's lookup hashes; add the one it ran with to KABAR_RETIRED_SECRET_KEYS");
  }
  return match;
}
