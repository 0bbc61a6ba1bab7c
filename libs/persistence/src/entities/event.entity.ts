import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

import { AgencySchema } from './agency.entity.js';
import { CitizenSchema, ContactPointSchema } from './citizen.entity.js';
import { JsonbType } from './jsonb.type.js';

/** An accepted CloudEvent. `(source, ce_id)` is unique: a replay on any transport finds the original. */
export const EventSchema = defineEntity({
  name: 'Event',
  tableName: 'event',
  uniques: [{ properties: ['source', 'ceId'] }],
  properties: {
    id: p.uuid().primary(),
    // No foreign-key constraint here or on the other hot-path references to agencies, events and notifications below
    // (migration LeanWrites): each cost PostgreSQL a locked lookup of the parent per row written, every writer locking
    // the same agency row, for rows the hub writes only in the transaction that read or wrote their parent; and no
    // parent is ever deleted (retention purges content in place). References to citizens and contact points went the
    // same way later (migration UnlockedReferences): see the notification's.
    agency: () => p.manyToOne(AgencySchema).createForeignKeyConstraint(false),
    source: p.string().length(512),
    ceId: p.string().length(255),
    type: p.string().length(255),
    subjectHash: p.string().length(64).nullable(),
    time: p.datetime().nullable(),
    expiresAt: p.datetime().nullable(),
    data: p.json<unknown>().type(JsonbType).nullable(),
    receivedVia: p.string().length(8),
    status: p.string().length(16),
    /** Published with a test key (or the kabarsandbox extension): nothing is sent to anyone. */
    sandbox: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type Event = InferEntity<typeof EventSchema>;

/** One message to one citizen about one event, with where it stands and why. */
export const NotificationSchema = defineEntity({
  name: 'Notification',
  tableName: 'notification',
  // Only event types with a dedup key set a hash: the dedup index leaves the rest out.
  indexes: [
    { properties: ['citizen', 'createdAt'] },
    { properties: ['citizen', 'dedupKeyHash'], where: '"dedup_key_hash" is not null' },
    // A citizen's history also lists what went to their guardian on their behalf; only those rows carry it, so the
    // index costs the rest nothing (migration CitizenIndexes).
    { properties: ['onBehalfOf', 'createdAt'], where: '"on_behalf_of" is not null' },
    // The hourly retention purge finds what fell due among notifications not yet purged; a purged one leaves the index
    // (migration PurgeIndex). Dispatch's update of the state stays HOT: it changes none of these columns.
    { properties: ['messageClass', 'createdAt'], where: '"purged_at" is null' },
  ],
  properties: {
    id: p.uuid().primary(),
    event: () => p.manyToOne(EventSchema).createForeignKeyConstraint(false).index(),
    agency: () => p.manyToOne(AgencySchema).createForeignKeyConstraint(false),
    // No foreign keys to citizens and contact points either (migration UnlockedReferences). A check cost PostgreSQL a
    // locked lookup per row, and the contact point's `on delete set null` read the whole table (no index leads with
    // the column) each time a citizen removed a phone number. No citizen is ever deleted; a removed contact point
    // leaves its id here as the fallback chain always did, and dispatch finds no address behind it, as it found none
    // behind the null.
    citizen: () => p.manyToOne(CitizenSchema).nullable().createForeignKeyConstraint(false),
    /** The point chosen for delivery; null for the inbox or when nothing was sent. */
    contactPoint: () => p.manyToOne(ContactPointSchema).nullable().createForeignKeyConstraint(false),
    channel: p.string().length(16).nullable(),
    locale: p.string().length(8).nullable(),
    templateVersion: p.integer().nullable(),
    /** Hand-overs to a plugin so far; bumped when dispatch claims the notification, before the plugin is called. */
    attempts: p.integer().default(0),
    state: p.string().length(16),
    reason: p.string().length(64).nullable(),
    renderedSubject: p.text().nullable(),
    renderedBody: p.text().nullable(),
    /** The HTML part, for e-mail; values in it were HTML-escaped when rendered. */
    renderedHtml: p.text().nullable(),
    /** subject | delegate | audience; for a delegate, whom the event is about. */
    recipientRole: p.string().length(12).default('subject'),
    onBehalfOf: p.uuid().nullable(),
    messageClass: p.string().length(16).nullable(),
    /** The policy's findings, step by step, without personal data: shown to the citizen in plain words. */
    decisions: p.json<unknown[]>().type(JsonbType).default('[]'),
    /** When a held or deferred notification is due. */
    dueAt: p.datetime().nullable(),
    /** The notification a merged one was folded into (cross-agency dedup), or the digest that carried a deferred one. */
    mergedInto: p.uuid().nullable(),
    /** Channels still to try, in order, if this one is not delivered within `fallbackAfterSeconds`. */
    fallback: p.json<{ channel: string; contactPointId: string | null }[]>().type(JsonbType).default('[]'),
    fallbackAfterSeconds: p.integer().nullable(),
    /** Keyed hash of the dedup key, so equal keys match without storing the subject. */
    dedupKeyHash: p.string().length(64).nullable(),
    /** When rendered content and contact details were purged under the retention policy. */
    purgedAt: p.datetime().nullable(),
    /** A test-mode notification: its magic address (not a citizen's) decides the outcome; no provider is called. */
    sandboxTo: p.string().length(320).nullable(),
    /** An address that is no contact point (a complaint's sender, who may not be registered), sealed. */
    addressSealed: p.text().nullable(),
    /** The sender this message goes out from instead of the agency's (a complaint's answer comes from its short code). */
    sender: p.string().length(32).nullable(),
    /** Answers offered as buttons (a survey question's choices on WhatsApp): `[{ id, title }]`. */
    replyOptions: p.json<{ id: string; title: string }[]>().type(JsonbType).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type Notification = InferEntity<typeof NotificationSchema>;

/** Each try to hand a notification to a plugin; written before the call so a crash can be reconciled. */
export const DeliveryAttemptSchema = defineEntity({
  name: 'DeliveryAttempt',
  tableName: 'delivery_attempt',
  // Receipts find their attempt by the provider's message id; attempts without one (the inbox's) are left out.
  indexes: [{ properties: ['plugin', 'providerMessageId'], where: '"provider_message_id" is not null' }],
  properties: {
    id: p.bigint().primary().autoincrement(),
    notification: () => p.manyToOne(NotificationSchema).createForeignKeyConstraint(false).index(),
    plugin: p.string().length(64),
    attemptNo: p.integer(),
    status: p.string().length(16),
    providerMessageId: p.string().length(255).nullable(),
    errorCode: p.string().length(64).nullable(),
    latencyMs: p.integer().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    finishedAt: p.datetime().nullable(),
  },
});
export type DeliveryAttempt = InferEntity<typeof DeliveryAttemptSchema>;

/** The citizen's in-app inbox; keyed by notification so a redelivery cannot create a second copy. */
export const InboxItemSchema = defineEntity({
  name: 'InboxItem',
  tableName: 'inbox_item',
  properties: {
    notificationId: p.uuid().primary(),
    // Written by dispatch for a citizen the planner read; no check per row (migration UnlockedReferences).
    citizen: () => p.manyToOne(CitizenSchema).createForeignKeyConstraint(false).index(),
    agencyCode: p.string().length(64),
    eventType: p.string().length(255),
    subject: p.text().nullable(),
    body: p.text(),
    locale: p.string().length(8),
    createdAt: p.datetime(),
    readAt: p.datetime().nullable(),
  },
});
export type InboxItem = InferEntity<typeof InboxItemSchema>;

/** A status CloudEvent owed to an agency's callback URL; retried with backoff until delivered or given up. */
export const CallbackDeliverySchema = defineEntity({
  name: 'CallbackDelivery',
  tableName: 'callback_delivery',
  // The hourly purge finds deliveries that are done (delivered or given up: nothing left to attempt) by age; a
  // delivery still being retried is not in this index (migration Housekeeping).
  indexes: [{ properties: ['createdAt'], where: '"next_attempt_at" is null' }],
  properties: {
    id: p.bigint().primary().autoincrement(),
    agency: () => p.manyToOne(AgencySchema).deleteRule('cascade'),
    webhookId: p.string().length(64).unique(),
    payload: p.text(),
    attempts: p.integer(),
    nextAttemptAt: p.datetime().nullable().index(),
    lastStatus: p.integer().nullable(),
    lastError: p.string().length(255).nullable(),
    deliveredAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type CallbackDelivery = InferEntity<typeof CallbackDeliverySchema>;

export const CallbackAttemptSchema = defineEntity({
  name: 'CallbackAttempt',
  tableName: 'callback_attempt',
  properties: {
    id: p.bigint().primary().autoincrement(),
    delivery: () => p.manyToOne(CallbackDeliverySchema).deleteRule('cascade').index(),
    attemptNo: p.integer(),
    status: p.integer().nullable(),
    error: p.string().length(255).nullable(),
    latencyMs: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type CallbackAttempt = InferEntity<typeof CallbackAttemptSchema>;

/**
 * Waiting done as rows (ARCHITECTURE §3): release after quiet hours, digests, fallback deadlines, broadcast pages,
 * purges. Any worker claims due rows with FOR UPDATE SKIP LOCKED; a claim is a lease, so a crashed worker's rows
 * come due again.
 */
export const ScheduledJobSchema = defineEntity({
  name: 'ScheduledJob',
  tableName: 'scheduled_job',
  indexes: [{ properties: ['dueAt'] }],
  uniques: [{ properties: ['kind', 'ref'] }],
  properties: {
    id: p.bigint().primary().autoincrement(),
    kind: p.string().length(16),
    /** What the job is about (a notification, a citizen's digest, a broadcast event); unique per kind. */
    ref: p.string().length(64),
    dueAt: p.datetime(),
    /** Job state, e.g. a broadcast's paging cursor. */
    payload: p.json<Record<string, unknown>>().type(JsonbType).default('{}'),
    attempts: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ScheduledJob = InferEntity<typeof ScheduledJobSchema>;

/**
 * A citizen's reply already published on `kabar.inbound.v1`, by a keyed hash of its plugin and provider message id
 * (a WhatsApp message id encodes the sender's number, so it is not kept as is): a peer that sends a webhook again
 * (Meta, after any answer other than 200) adds no second record. Purged after INBOUND_DEDUP_DAYS, past every
 * provider's retries.
 */
export const InboundSeenSchema = defineEntity({
  name: 'InboundSeen',
  tableName: 'inbound_seen',
  properties: {
    keyHash: p.string().length(64).primary(),
    receivedAt: p.datetime().index(),
  },
});
export type InboundSeen = InferEntity<typeof InboundSeenSchema>;
