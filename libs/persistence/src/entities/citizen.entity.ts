import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

import { JsonbType } from './jsonb.type.js';

/** A person Kabar may notify. Found by the keyed hash of their national ID; the ID itself is not stored in clear. */
export const CitizenSchema = defineEntity({
  name: 'Citizen',
  tableName: 'citizen',
  // A broadcast to a region pages through `region_code = ? or region_code like '32.73.%'` in id order; without this
  // a small region read the whole register for every page. The pattern operator class makes `like 'prefix%'` an index
  // range whatever the database's collation (migration ReportAndPurgeIndexes).
  indexes: [{ name: 'citizen_region_code_id_index', expression: 'create index "citizen_region_code_id_index" on "citizen" ("region_code" varchar_pattern_ops, "id")' }],
  properties: {
    id: p.uuid().primary(),
    subjectHash: p.string().length(64).unique(),
    /** The national ID and name, sealed by SecretBox: shown back to the citizen in their export, never logged. */
    nationalIdSealed: p.text().nullable(),
    nameSealed: p.text().nullable(),
    /** Indonesian administrative code, province.regency.district.village (e.g. 32.73.01.1001); broadcasts match prefixes. */
    regionCode: p.string().length(16).nullable(),
    locale: p.string().length(8),
    /** WIB, WITA or WIT. */
    timezone: p.string().length(4).default('WIB'),
    /** Minutes after local midnight; null: the platform default; equal start and end: none. */
    quietStart: p.integer().nullable(),
    quietEnd: p.integer().nullable(),
    /** Informational messages gathered into one daily digest. */
    digest: p.boolean().default(false),
    /** The citizen's own caps per message class, { reminder: { count, periodSeconds } }; only tighter ones count. */
    caps: p.json<Record<string, { count: number; periodSeconds: number }>>().type(JsonbType).default('{}'),
    /** Channel order per category, { tax: ['push', 'sms'], '*': ['sms'] }. */
    channelOrder: p.json<Record<string, string[]>>().type(JsonbType).default('{}'),
    createdAt: p.datetime().onCreate(() => new Date()),
    // A database default, so the column could be added to a table that already has citizens.
    updatedAt: p.datetime().defaultRaw('now()').onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type Citizen = InferEntity<typeof CitizenSchema>;

/** A phone, e-mail, device token… sealed at rest; `lookupHash` finds it without decrypting. */
export const ContactPointSchema = defineEntity({
  name: 'ContactPoint',
  tableName: 'contact_point',
  // A citizen's points in their order: what the policy reads for every batch (`citizen_id = any(…)`), the preference
  // centre shows, and a new point's position counts from (migration CitizenIndexes).
  indexes: [{ properties: ['citizen', 'position'] }],
  properties: {
    id: p.uuid().primary(),
    citizen: () => p.manyToOne(CitizenSchema).deleteRule('cascade'),
    channel: p.string().length(16),
    valueSealed: p.text(),
    lookupHash: p.string().length(64).index(),
    verifiedAt: p.datetime().nullable(),
    /** How it was verified: `code` (double opt-in), `import` (an authoritative register), `demo`. */
    verifiedBy: p.string().length(16).nullable(),
    /** Set when the provider says the point is dead (e.g. FCM: unregistered token); never used again. */
    invalidAt: p.datetime().nullable(),
    position: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ContactPoint = InferEntity<typeof ContactPointSchema>;

/**
 * A consent given or withdrawn, append-only: the latest record for a purpose at the time an event is processed
 * decides. Evidence says how and where (e.g. { via: 'preference-centre', ip: '…' } without personal data beyond that).
 */
export const ConsentRecordSchema = defineEntity({
  name: 'ConsentRecord',
  tableName: 'consent_record',
  properties: {
    id: p.bigint().primary().autoincrement(),
    citizen: () => p.manyToOne(CitizenSchema).deleteRule('cascade').index(),
    purpose: p.string().length(64),
    basis: p.string().length(24),
    noticeVersion: p.string().length(32),
    action: p.string().length(12),
    /** Where it was given: preference-centre, paper form at a service counter, import… */
    channel: p.string().length(32).nullable(),
    evidence: p.json<Record<string, string>>().type(JsonbType),
    recordedAt: p.datetime(),
  },
});
export type ConsentRecord = InferEntity<typeof ConsentRecordSchema>;

/** Someone who receives a citizen's notices on their behalf (a guardian for a minor), itself a citizen. */
export const DelegateSchema = defineEntity({
  name: 'Delegate',
  tableName: 'delegate',
  uniques: [{ properties: ['citizen', 'delegate'] }],
  properties: {
    id: p.uuid().primary(),
    citizen: () => p.manyToOne(CitizenSchema).deleteRule('cascade').index(),
    delegate: () => p.manyToOne(CitizenSchema).deleteRule('cascade').index(),
    relation: p.string().length(32),
    createdAt: p.datetime().onCreate(() => new Date()),
    endedAt: p.datetime().nullable(),
  },
});
export type Delegate = InferEntity<typeof DelegateSchema>;

/** A one-time code sent to a contact point, for verifying it or signing in; only its hash is kept. */
export const OneTimeCodeSchema = defineEntity({
  name: 'OneTimeCode',
  tableName: 'one_time_code',
  properties: {
    id: p.uuid().primary(),
    contactPoint: () => p.manyToOne(ContactPointSchema).deleteRule('cascade').index(),
    purpose: p.string().length(12),
    codeHash: p.string().length(64),
    attempts: p.integer().default(0),
    /** Indexed for the hourly purge of expired codes (migration Housekeeping). */
    expiresAt: p.datetime().index(),
    usedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type OneTimeCode = InferEntity<typeof OneTimeCodeSchema>;

/** A citizen's signed-in session; the bearer token is stored hashed. */
export const CitizenSessionSchema = defineEntity({
  name: 'CitizenSession',
  tableName: 'citizen_session',
  properties: {
    tokenHash: p.string().length(64).primary(),
    citizen: () => p.manyToOne(CitizenSchema).deleteRule('cascade').index(),
    /** Indexed for the hourly purge of expired sessions (migration Housekeeping). */
    expiresAt: p.datetime().index(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type CitizenSession = InferEntity<typeof CitizenSessionSchema>;

/** Programme membership (e.g. PKH, BPJS PBI) for broadcasts to a programme's audience. */
export const ProgrammeMemberSchema = defineEntity({
  name: 'ProgrammeMember',
  tableName: 'programme_member',
  properties: {
    programme: p.string().length(64).primary(),
    citizen: () => p.manyToOne(CitizenSchema).deleteRule('cascade').primary(),
  },
});
export type ProgrammeMember = InferEntity<typeof ProgrammeMemberSchema>;
