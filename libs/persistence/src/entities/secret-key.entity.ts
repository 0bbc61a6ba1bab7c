import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/**
 * The master keys this database has been written with, by id: each with a check value (libs/core
 * `SecretBox.keyChecks`), so a hub configured with a different key under a known id refuses to start instead of
 * writing data no other instance can read. Exactly one row is the lookup key: the one keyed hashes (national IDs,
 * addresses, dedup keys) are made with for the database's life, whichever key is current.
 */
export const SecretKeySchema = defineEntity({
  name: 'SecretKey',
  tableName: 'secret_key',
  properties: {
    keyId: p.string().length(32).primary(),
    checkValue: p.string().length(64),
    lookup: p.boolean().default(false),
    createdAt: p.datetime(),
  },
});

export type SecretKey = InferEntity<typeof SecretKeySchema>;
