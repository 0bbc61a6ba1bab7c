import { randomUUID } from 'node:crypto';

import type { EntityManager } from '@mikro-orm/core';

import { type Audited,audited } from './audit.repository.js';
import { type EventType, EventTypeSchema, type Template, TemplateSchema } from './entities/index.js';
import { query } from './query.js';

export interface EventTypeInput {
  readonly type: string;
  readonly description: string | null;
  readonly messageClass: string;
  readonly dataSchema: Record<string, unknown>;
  readonly allowedChannels: string[];
  readonly defaultExpirySeconds: number;
  readonly requiredLocales: string[];
  readonly category?: string;
  readonly purpose?: string;
  readonly basis?: string;
  readonly dedupKey?: string | null;
  readonly dedupWindowSeconds?: number | null;
  readonly fallbackAfterSeconds?: number | null;
  readonly surveyCode?: string | null;
}

export interface TemplateInput {
  readonly channel: string;
  readonly locale: string;
  readonly subject: string | null;
  readonly body: string;
  readonly html: string | null;
}

/** The newest template version per (event type, channel, locale). */
export interface LatestTemplate {
  readonly id: string;
  readonly eventTypeId: string;
  readonly channel: string;
  readonly locale: string;
  readonly version: number;
  readonly subject: string | null;
  readonly body: string;
  readonly html: string | null;
}

/** An event type as ingest and the policy read it: what deciding and checking need, its agency as an id. */
export interface EventTypeRecord {
  readonly id: string;
  readonly agencyId: string;
  readonly type: string;
  readonly messageClass: string;
  readonly dataSchema: Record<string, unknown>;
  readonly allowedChannels: readonly string[];
  readonly defaultExpirySeconds: number;
  readonly category: string;
  readonly purpose: string;
  readonly basis: string;
  readonly dedupKey: string | null;
  readonly dedupWindowSeconds: number | null;
  readonly fallbackAfterSeconds: number | null;
  readonly surveyCode: string | null;
  /** Part of the compiled data schema's cache key: an edited type is compiled again. */
  readonly updatedAt: Date;
}

interface EventTypeRow {
  id: string;
  agency_id: string;
  type: string;
  message_class: string;
  data_schema: Record<string, unknown>;
  allowed_channels: string[];
  default_expiry_seconds: number;
  category: string;
  purpose: string;
  basis: string;
  dedup_key: string | null;
  dedup_window_seconds: number | null;
  fallback_after_seconds: number | null;
  survey_code: string | null;
  updated_at: Date | string;
}

/** A purpose that some agency's notices need consent for, with who asks and why. */
export interface ConsentPurposeRow {
  readonly purpose: string;
  /** Agency names, alphabetically. */
  readonly agencies: readonly string[];
  /** The event types' descriptions, where they have one. */
  readonly descriptions: readonly string[];
}

/** Event types and their versioned templates. */
export class CatalogRepository {
  constructor(private readonly em: EntityManager) {}

  /** Creates or updates the agency's type; `null` when the type name belongs to another agency. */
  async upsertEventType(agencyId: string, input: EventTypeInput, audit: Audited<EventType | null>): Promise<EventType | null> {
    return audited(this.em, audit, async (tx) => {
      const existing = await tx.findOne(EventTypeSchema, { type: input.type }, { populate: ['agency'] });
      if (existing !== null && existing.agency.id !== agencyId) return null;
      if (existing !== null) {
        tx.assign(existing, { ...input });
        await tx.flush();
        return existing;
      }
      const created = tx.create(EventTypeSchema, { id: randomUUID(), agency: agencyId, ...input });
      await tx.flush();
      return created;
    });
  }

  listEventTypes(agencyId: string): Promise<EventType[]> {
    return this.em.fork().find(EventTypeSchema, { agency: agencyId }, { orderBy: { type: 'asc' } });
  }

  /**
   * Types by name, with their agency id, for a whole ingest batch in one query (a batch names few types, many times).
   * Plain SQL, no entities: it runs for every ingest group, a request's worth of events when agencies post one by one.
   */
  async findEventTypes(types: readonly string[]): Promise<Map<string, EventTypeRecord>> {
    if (types.length === 0) return new Map();
    const rows = await query<EventTypeRow>(
      this.em.fork(),
      `select "id", "agency_id", "type", "message_class", "data_schema", "allowed_channels", "default_expiry_seconds", "category", "purpose",
              "basis", "dedup_key", "dedup_window_seconds", "fallback_after_seconds", "survey_code", "updated_at"
         from "event_type" where "type" = any(?::text[])`,
      [[...new Set(types)]],
    );
    return new Map(
      rows.map((r) => [
        r.type,
        {
          id: r.id,
          agencyId: r.agency_id,
          type: r.type,
          messageClass: r.message_class,
          dataSchema: r.data_schema,
          allowedChannels: r.allowed_channels,
          defaultExpirySeconds: r.default_expiry_seconds,
          category: r.category,
          purpose: r.purpose,
          basis: r.basis,
          dedupKey: r.dedup_key,
          dedupWindowSeconds: r.dedup_window_seconds,
          fallbackAfterSeconds: r.fallback_after_seconds,
          surveyCode: r.survey_code,
          updatedAt: new Date(r.updated_at),
        },
      ]),
    );
  }

  findEventType(agencyId: string, type: string): Promise<EventType | null> {
    return this.em.fork().findOne(EventTypeSchema, { type, agency: agencyId });
  }

  /** Adds the next version for each (channel, locale) given; versions are never overwritten. */
  async addTemplateVersions(eventTypeId: string, inputs: readonly TemplateInput[], audit: Audited<Template[]>): Promise<Template[]> {
    return audited(this.em, audit, async (tx) => {
      // Serialise concurrent saves for one type so two editors cannot both claim version n+1.
      await query(tx, 'select "id" from "event_type" where "id" = ? for update', [eventTypeId]);
      const current = await query<{ channel: string; locale: string; version: number | string }>(tx, 
        'select "channel", "locale", max("version") as "version" from "template" where "event_type_id" = ? group by "channel", "locale"',
        [eventTypeId],
      );
      const created = inputs.map((input) => {
        const previous = current.find((c) => c.channel === input.channel && c.locale === input.locale)?.version ?? 0;
        return tx.create(TemplateSchema, { id: randomUUID(), eventType: eventTypeId, version: Number(previous) + 1, ...input });
      });
      await tx.flush();
      return created;
    });
  }

  /**
   * Latest versions for many event types at once (ingest renders a batch with one query). Inside a transaction pass
   * it as `em`: embedded PGlite has one connection, so a query outside an open transaction waits for it to end.
   */
  async latestTemplates(eventTypeIds: readonly string[], em: EntityManager = this.em.fork()): Promise<LatestTemplate[]> {
    if (eventTypeIds.length === 0) return [];
    const rows = await query<
      { id: string; event_type_id: string; channel: string; locale: string; version: number | string; subject: string | null; body: string; html: string | null }>(em,
      `select distinct on ("event_type_id", "channel", "locale") "id", "event_type_id", "channel", "locale", "version", "subject", "body", "html"
       from "template" where "event_type_id" = any(?::uuid[]) order by "event_type_id", "channel", "locale", "version" desc`,
      [[...eventTypeIds]],
    );
    return rows.map((r) => ({
      id: r.id,
      eventTypeId: r.event_type_id,
      channel: r.channel,
      locale: r.locale,
      version: Number(r.version),
      subject: r.subject,
      body: r.body,
      html: r.html,
    }));
  }

  /** Every purpose that event types sent on the basis of consent name: what a citizen can grant or withdraw. */
  async consentPurposes(): Promise<ConsentPurposeRow[]> {
    const rows = await query<{ purpose: string; agencies: string[]; descriptions: string[] | null }>(
      this.em.fork(),
      `select t."purpose", array_agg(distinct a."name" order by a."name") as agencies,
              array_agg(distinct t."description" order by t."description") filter (where t."description" is not null) as descriptions
       from "event_type" t join "agency" a on a."id" = t."agency_id" where t."basis" = 'consent' group by t."purpose" order by t."purpose"`,
    );
    return rows.map((r) => ({ purpose: r.purpose, agencies: r.agencies, descriptions: r.descriptions ?? [] }));
  }
}
