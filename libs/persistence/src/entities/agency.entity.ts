import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

import { JsonbType } from './jsonb.type.js';

/** A public-service organisation that publishes events (tax office, civil registry, complaint desk). */
export const AgencySchema = defineEntity({
  name: 'Agency',
  tableName: 'agency',
  properties: {
    id: p.uuid().primary(),
    code: p.string().length(64).unique(),
    name: p.string().length(200),
    defaultLocale: p.string().length(8),
    /** Per channel, the identity messages go out under, e.g. { sms: 'BAPENDA-BDG', email: 'Bapenda <noreply@…>' }. */
    senderIds: p.json<Record<string, string>>().type(JsonbType),
    callbackUrl: p.string().length(2048).nullable(),
    /** Standard Webhooks secret for status callbacks, sealed by SecretBox. */
    callbackSecretSealed: p.text().nullable(),
    ratePerMinute: p.integer(),
    dailyQuota: p.integer(),
    /** How long a citizen's complaint may wait for this agency's answer before it is overdue. */
    complaintResponseHours: p.integer().default(72),
    /** When set, the answer time is this many working days instead (libs/core `answerDueAt`), and the hours are not used. */
    complaintResponseWorkingDays: p.integer().nullable(),
    /** WIB, WITA or WIT: where the agency's working days begin and end. */
    timezone: p.string().length(8).default('WIB'),
    /** The ISO weekdays (1 Monday … 7 Sunday) its working days fall on, as digits: '12345' Monday to Friday. */
    workingWeekdays: p.string().length(7).default('12345'),
    /** The agency told, besides this one, when one of this agency's complaints goes unanswered past its due time (a supervisor, the city's desk). */
    escalationAgencyId: p.uuid().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type Agency = InferEntity<typeof AgencySchema>;

/** CloudEvents `source` values an agency may publish under; unique, so no agency can speak for another. */
export const AgencySourceSchema = defineEntity({
  name: 'AgencySource',
  tableName: 'agency_source',
  properties: {
    source: p.string().length(512).primary(),
    agency: () => p.manyToOne(AgencySchema).deleteRule('cascade'),
  },
});
export type AgencySource = InferEntity<typeof AgencySourceSchema>;

/** An agency's API key. The secret is shown once; stored as a hash (bearer) and sealed (to verify JWT signatures). */
export const ApiKeySchema = defineEntity({
  name: 'ApiKey',
  tableName: 'api_key',
  properties: {
    id: p.string().length(40).primary(),
    agency: () => p.manyToOne(AgencySchema).deleteRule('cascade'),
    name: p.string().length(100),
    kind: p.string().length(8),
    secretHash: p.string().length(64),
    secretSealed: p.text(),
    createdAt: p.datetime().onCreate(() => new Date()),
    revokedAt: p.datetime().nullable(),
  },
});
export type ApiKey = InferEntity<typeof ApiKeySchema>;

/** Platform administrators' bearer credentials (hash only). */
export const AdminCredentialSchema = defineEntity({
  name: 'AdminCredential',
  tableName: 'admin_credential',
  properties: {
    id: p.string().length(40).primary(),
    name: p.string().length(100),
    secretHash: p.string().length(64),
    createdAt: p.datetime().onCreate(() => new Date()),
    revokedAt: p.datetime().nullable(),
  },
});
export type AdminCredential = InferEntity<typeof AdminCredentialSchema>;

/** Requests counted per key and time bucket; shared by every hub instance through the database. */
export const RateCounterSchema = defineEntity({
  name: 'RateCounter',
  tableName: 'rate_counter',
  properties: {
    keyId: p.string().length(40).primary(),
    bucket: p.string().length(32).primary(),
    count: p.integer(),
    expiresAt: p.datetime().index(),
  },
});
export type RateCounter = InferEntity<typeof RateCounterSchema>;
