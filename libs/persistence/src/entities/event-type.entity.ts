import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

import { AgencySchema } from './agency.entity.js';
import { JsonbType } from './jsonb.type.js';

/** A kind of event an agency publishes, e.g. `id.go.bapenda.tax-due.v1`, with the schema its `data` must match. */
export const EventTypeSchema = defineEntity({
  name: 'EventType',
  tableName: 'event_type',
  properties: {
    id: p.uuid().primary(),
    agency: () => p.manyToOne(AgencySchema).deleteRule('cascade'),
    type: p.string().length(255).unique(),
    description: p.text().nullable(),
    messageClass: p.string().length(16),
    dataSchema: p.json<Record<string, unknown>>().type(JsonbType),
    allowedChannels: p.json<string[]>().type(JsonbType),
    defaultExpirySeconds: p.integer(),
    requiredLocales: p.json<string[]>().type(JsonbType),
    /** Groups types for citizens' channel order, e.g. `tax`; `general` when the agency sets none. */
    category: p.string().length(32).default('general'),
    /** The purpose named by consents when `basis` is `consent`. */
    purpose: p.string().length(64).default('service-notices'),
    basis: p.string().length(24).default('public_task'),
    /** Cross-agency dedup: a key template over subject and data, and the window in which equal keys merge. */
    dedupKey: p.string().length(255).nullable(),
    dedupWindowSeconds: p.integer().nullable(),
    /** How long the first channel has to report delivery before the next one is tried; null: the platform default. */
    fallbackAfterSeconds: p.integer().nullable(),
    /** The agency's survey whose first question follows this type's message on channels citizens can answer on. */
    surveyCode: p.string().length(40).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type EventType = InferEntity<typeof EventTypeSchema>;

/** One version of the Handlebars text for (event type, channel, locale). Versions are never edited, only added. */
export const TemplateSchema = defineEntity({
  name: 'Template',
  tableName: 'template',
  uniques: [{ properties: ['eventType', 'channel', 'locale', 'version'] }],
  properties: {
    id: p.uuid().primary(),
    eventType: () => p.manyToOne(EventTypeSchema).deleteRule('cascade'),
    channel: p.string().length(16),
    locale: p.string().length(8),
    version: p.integer(),
    subject: p.text().nullable(),
    body: p.text(),
    html: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type Template = InferEntity<typeof TemplateSchema>;

/**
 * A survey an agency sends to citizens (libs/core `SurveyDefinition`, checked before it is stored), versioned like
 * templates: a new save is a new version, and a survey under way keeps the version it started with.
 */
export const SurveySchema = defineEntity({
  name: 'Survey',
  tableName: 'survey',
  uniques: [{ properties: ['agency', 'code', 'version'] }],
  properties: {
    id: p.uuid().primary(),
    agency: () => p.manyToOne(AgencySchema).deleteRule('cascade'),
    code: p.string().length(40),
    version: p.integer(),
    definition: p.json<Record<string, unknown>>().type(JsonbType),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type Survey = InferEntity<typeof SurveySchema>;

/**
 * One citizen's way through one survey (libs/core `SurveyProgress`), opened by their first reply to the notification
 * that asked the first question, and stepped by each reply after it. Keyed by that notification: one survey per
 * notification, however often the citizen writes.
 */
export const SurveySessionSchema = defineEntity({
  name: 'SurveySession',
  tableName: 'survey_session',
  // A reply finds its address's open survey (only open ones indexed); an agency reads a survey's sessions in the
  // order they began (ids are time-ordered).
  indexes: [
    { name: 'survey_session_open_index', properties: ['contactHash', 'channel'], where: `"state" = 'open'` },
    { name: 'survey_session_survey_id_id_index', properties: ['survey', 'id'] },
    // A survey's summary over a period, and the hourly purge of answers past retention, which finds only sessions
    // that still hold answers (migration ReportAndPurgeIndexes).
    { properties: ['survey', 'startedAt'] },
    { properties: ['finishedAt'], where: `"answers" <> '[]'` },
  ],
  properties: {
    id: p.uuid().primary(),
    /** The notification that asked the first question. */
    openedBy: p.uuid().unique(),
    survey: () => p.manyToOne(SurveySchema).deleteRule('cascade'),
    agencyId: p.uuid(),
    eventId: p.uuid(),
    citizenId: p.uuid(),
    /** Null in the inbox, where the citizen answers in the preference centre. */
    contactPointId: p.uuid().nullable(),
    channel: p.string().length(16),
    /** The keyed hash of the address the citizen answers from, as replies carry it; null in the inbox. */
    contactHash: p.string().length(64).nullable(),
    locale: p.string().length(8),
    state: p.string().length(12),
    questionId: p.string().length(40).nullable(),
    answers: p.json<unknown[]>().type(JsonbType),
    refusals: p.integer(),
    seen: p.json<string[]>().type(JsonbType),
    startedAt: p.datetime(),
    updatedAt: p.datetime(),
    finishedAt: p.datetime().nullable(),
    expiresAt: p.datetime(),
  },
});
export type SurveySession = InferEntity<typeof SurveySessionSchema>;
