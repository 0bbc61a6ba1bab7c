import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

import { AgencySchema } from './agency.entity.js';
import { CitizenSchema } from './citizen.entity.js';
import { JsonbType } from './jsonb.type.js';

/**
 * Where citizens' own messages go (libs/core `InboundRoute`): by channel, the address they wrote to and their first
 * word; an empty `to` or `keyword` takes any. One agency per combination.
 */
export const InboundRouteSchema = defineEntity({
  name: 'InboundRoute',
  tableName: 'inbound_route',
  uniques: [{ properties: ['channel', 'to', 'keyword'] }],
  properties: {
    id: p.uuid().primary(),
    agency: () => p.manyToOne(AgencySchema).deleteRule('cascade'),
    channel: p.string().length(16),
    to: p.string().length(32),
    keyword: p.string().length(20),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type InboundRoute = InferEntity<typeof InboundRouteSchema>;

/**
 * A complaint or question a citizen sent on their own, routed to one agency, and the thread of messages both ways.
 * The answer goes back to the address it came from (sealed here, as contact points are), which may belong to no
 * registered citizen. Its messages travel as notifications of one event the hub writes for it (`event_id`).
 */
export const ComplaintSchema = defineEntity({
  name: 'Complaint',
  tableName: 'complaint',
  // A message finds its address's latest thread on its channel; an agency pages its complaints newest first.
  indexes: [
    { properties: ['fromHash', 'channel', 'lastActivityAt'] },
    { properties: ['agency', 'number'] },
    // The deadline sweep finds complaints past their answer time.
    { properties: ['dueAt'] },
    // A citizen's own complaints in the preference centre, newest first (migration CitizenIndexes).
    { properties: ['citizen', 'openedAt'] },
    // An agency's complaints in one state (its desk's "open" list), the answer-time report over a period, and the
    // hourly retention purge of complaints not yet purged (migration ReportAndPurgeIndexes).
    { properties: ['agency', 'state', 'number'] },
    { properties: ['openedAt'] },
    { properties: ['lastActivityAt'], where: '"purged_at" is null' },
  ],
  properties: {
    id: p.uuid().primary(),
    /** What citizens quote (ADU-000042): a sequence, so it is short and never repeats. */
    number: p.bigint('number').autoincrement().unique(),
    agency: () => p.manyToOne(AgencySchema).createForeignKeyConstraint(false),
    /** The event its messages are sent as. */
    eventId: p.uuid(),
    channel: p.string().length(16),
    /** The plugin install the first message came through. */
    plugin: p.string().length(64),
    /** The keyed hash of the citizen's address, as contact points and inbound records carry it. */
    fromHash: p.string().length(64),
    /** The address, sealed; emptied under the retention policy. */
    fromSealed: p.text().nullable(),
    /** The address the citizen wrote to (a short code): answers by SMS come from it, so the citizen can reply. */
    replyFrom: p.string().length(32).nullable(),
    /** The registered citizen the address belongs to, when it does. */
    citizen: () => p.manyToOne(CitizenSchema).nullable().deleteRule('set null'),
    locale: p.string().length(8),
    state: p.string().length(12),
    openedAt: p.datetime(),
    lastActivityAt: p.datetime(),
    closedAt: p.datetime().nullable(),
    purgedAt: p.datetime().nullable(),
    /** While the agency's answer is awaited: when it is due, by the agency's response target. Null otherwise. */
    dueAt: p.datetime().nullable(),
    /** When the agency's answer clock started (opened, written again after an answer, transferred): `due_at` is counted from it. */
    dueFrom: p.datetime().nullable(),
    /** When the agency was told it had let the answer time pass (once per wait). */
    remindedAt: p.datetime().nullable(),
    /** How many of its waits went past their due time: the record of lateness once an answer clears `reminded_at`. */
    overdueCount: p.integer().default(0),
    /** When the agency holding it first answered in words (closing without words is no answer). */
    firstAnsweredAt: p.datetime().nullable(),
  },
});
export type Complaint = InferEntity<typeof ComplaintSchema>;

/** One message of a complaint's thread: the citizen's (`in`, keyed by its inbound record) or the agency's (`out`). */
export const ComplaintMessageSchema = defineEntity({
  name: 'ComplaintMessage',
  tableName: 'complaint_message',
  indexes: [{ properties: ['complaint', 'at'] }],
  properties: {
    id: p.uuid().primary(),
    complaint: () => p.manyToOne(ComplaintSchema).createForeignKeyConstraint(false),
    direction: p.string().length(3),
    kind: p.string().length(16),
    /** Emptied under the retention policy, with the media reference. */
    text: p.text().nullable(),
    media: p.json<unknown>().type(JsonbType).nullable(),
    /** The notification an agency's message went out as. */
    notificationId: p.uuid().nullable(),
    at: p.datetime(),
  },
});
export type ComplaintMessage = InferEntity<typeof ComplaintMessageSchema>;

/**
 * A date on which no agency (`scope` empty) or one agency (`scope` its id) works, besides weekends: public holidays,
 * collective leave (cuti bersama), a regional holiday. Answer times in working days skip them. `scope` is text rather
 * than a nullable agency id so that a date is unique per scope under the primary key.
 */
export const DayOffSchema = defineEntity({
  name: 'DayOff',
  tableName: 'day_off',
  properties: {
    day: p.string().columnType('date').primary(),
    scope: p.string().length(36).primary(),
    name: p.string().length(200),
    createdAt: p.datetime(),
  },
});
export type DayOff = InferEntity<typeof DayOffSchema>;
