import { asksSurvey, type AuditActor, checkTemplate, DataValidator, isChannel, isLocale, isMessageClass, LAWFUL_BASES, REQUIRED_LOCALES, SURVEY_CHANNELS, type TemplateProblem } from '@kabar/core';
import { CatalogRepository, type EventType, SurveyRepository, type Template } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';

import { CatalogError, CatalogErrorCode } from './catalog.errors.js';

export interface RegisterEventType {
  readonly type: string;
  readonly description: string | null;
  readonly messageClass: string;
  readonly dataSchema: Record<string, unknown>;
  readonly allowedChannels: readonly string[];
  readonly defaultExpirySeconds: number;
  readonly requiredLocales: readonly string[];
  /** Policy settings; the defaults are `general`, `service-notices`, `public_task`, no dedup, the platform's fallback. */
  readonly category?: string;
  readonly purpose?: string;
  readonly basis?: string;
  readonly dedup?: { readonly key: string; readonly windowSeconds: number } | null;
  readonly fallbackAfterSeconds?: number | null;
  /** One of the agency's surveys, asked after the message where the citizen can reply. */
  readonly survey?: string | null;
}

export interface SaveTemplates {
  readonly eventType: string;
  readonly channel: string;
  readonly locales: readonly { locale: string; subject?: string | null; body: string; html?: string | null }[];
}

const isLawfulBasis = (v: string): boolean => (LAWFUL_BASES as readonly string[]).includes(v);
const SLUG = /^[a-z0-9][a-z0-9-]{0,31}$/;
const TYPE_NAME = /^[a-z0-9]+(\.[a-z0-9-]+)+\.v[0-9]+$/;

/** Event types and templates, checked when saved so that nothing fails when a citizen is waiting. */
@Injectable()
export class CatalogService {
  private readonly catalog: CatalogRepository;
  private readonly surveys: SurveyRepository;
  private readonly validator = new DataValidator();

  constructor(em: EntityManager) {
    this.catalog = new CatalogRepository(em);
    this.surveys = new SurveyRepository(em);
  }

  async register(agencyId: string, given: RegisterEventType, actor: AuditActor): Promise<EventType> {
    const input = { category: 'general', purpose: 'service-notices', basis: 'public_task', dedup: null, fallbackAfterSeconds: null, survey: null, ...given };
    const problems: string[] = [];
    if (!TYPE_NAME.test(input.type) || input.type.length > 255) problems.push('type must be a reverse-DNS name ending in a version, e.g. id.go.bapenda.tax-due.v1');
    if (!isMessageClass(input.messageClass)) problems.push('messageClass must be critical, transactional, reminder or informational');
    const channels = [...new Set(input.allowedChannels)];
    if (channels.length === 0) problems.push('allowedChannels needs at least one channel');
    for (const channel of channels) if (!isChannel(channel)) problems.push(`unknown channel "${channel}"`);
    const locales = [...new Set(input.requiredLocales)];
    for (const locale of locales) if (!isLocale(locale)) problems.push(`unsupported locale "${locale}"`);
    for (const locale of REQUIRED_LOCALES) if (!locales.includes(locale)) problems.push(`requiredLocales must include "${locale}"`);
    if (!Number.isInteger(input.defaultExpirySeconds) || input.defaultExpirySeconds < 60 || input.defaultExpirySeconds > 366 * 24 * 3600) {
      problems.push('defaultExpirySeconds must be between 60 seconds and a year');
    }
    if (!SLUG.test(input.category)) problems.push('category must be lowercase letters, digits and dashes, up to 32 characters');
    if (!SLUG.test(input.purpose) || input.purpose.length > 64) problems.push('purpose must be lowercase letters, digits and dashes');
    if (!isLawfulBasis(input.basis)) problems.push('basis must be consent, legal_obligation, public_task or vital_interest');
    if (input.dedup !== null) {
      const placeholders = [...input.dedup.key.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].map((m) => m[1] ?? '');
      if (input.dedup.key.length > 255 || placeholders.length === 0) problems.push('dedup.key must name at least one {{subject}} or {{data.field}} and be at most 255 characters');
      for (const path of placeholders) if (path !== 'subject' && !/^data(\.[A-Za-z0-9_]+)+$/.test(path)) problems.push(`dedup.key: "{{${path}}}" must be {{subject}} or {{data.<field>}}`);
      if (!Number.isInteger(input.dedup.windowSeconds) || input.dedup.windowSeconds < 1 || input.dedup.windowSeconds > 31 * 24 * 3600) {
        problems.push('dedup.windowSeconds must be between 1 second and 31 days');
      }
    }
    if (input.fallbackAfterSeconds !== null && (!Number.isInteger(input.fallbackAfterSeconds) || input.fallbackAfterSeconds < 1 || input.fallbackAfterSeconds > 7 * 24 * 3600)) {
      problems.push('fallbackAfterSeconds must be between 1 second and 7 days');
    }
    problems.push(...this.validator.schemaProblems(input.dataSchema).map((p) => `dataSchema: ${p.message}`));
    if (input.survey !== null) {
      // Another agency's survey is reported as unknown, as its types are.
      if (!(await this.surveys.latest(agencyId)).some((s) => s.code === input.survey)) problems.push(`survey: you have no survey "${input.survey}"`);
      if (!channels.some(asksSurvey)) problems.push(`survey: a survey needs a channel citizens can answer on (${SURVEY_CHANNELS.join(', ')}) among allowedChannels`);
    }
    if (problems.length > 0) throw new CatalogError(CatalogErrorCode.InvalidEventType, problems.join('; '), { problems });
    const saved = await this.catalog.upsertEventType(agencyId, {
      type: input.type,
      description: input.description,
      messageClass: input.messageClass,
      dataSchema: input.dataSchema,
      allowedChannels: channels,
      defaultExpirySeconds: input.defaultExpirySeconds,
      requiredLocales: locales,
      category: input.category,
      purpose: input.purpose,
      basis: input.basis,
      dedupKey: input.dedup?.key ?? null,
      dedupWindowSeconds: input.dedup?.windowSeconds ?? null,
      fallbackAfterSeconds: input.fallbackAfterSeconds,
      surveyCode: input.survey,
    }, (type) =>
      type === null
        ? null
        : {
            action: 'event_type.registered',
            actor,
            agencyId,
            target: { kind: 'event_type', id: type.type },
            details: { messageClass: type.messageClass, allowedChannels: type.allowedChannels, requiredLocales: type.requiredLocales, category: type.category, purpose: type.purpose, basis: type.basis, survey: type.surveyCode ?? null },
          },
    );
    if (saved === null) throw new CatalogError(CatalogErrorCode.EventTypeTaken, `event type ${input.type} belongs to another agency`);
    return saved;
  }

  list(agencyId: string): Promise<EventType[]> {
    return this.catalog.listEventTypes(agencyId);
  }

  /** Saves a new version for each locale after checking syntax, helpers, fields and locale coverage. */
  async saveTemplates(agencyId: string, input: SaveTemplates, actor: AuditActor): Promise<Template[]> {
    // Another agency's type is reported as unknown: an agency cannot probe which types others have.
    const type = await this.catalog.findEventType(agencyId, input.eventType);
    if (type === null) throw new CatalogError(CatalogErrorCode.UnknownEventType, `no event type ${input.eventType} for this agency`);
    const problems: string[] = [];
    if (!type.allowedChannels.includes(input.channel)) problems.push(`channel ${input.channel} is not allowed for ${type.type}`);
    const given = input.locales.map((l) => l.locale);
    for (const locale of type.requiredLocales) if (!given.includes(locale)) problems.push(`missing required locale "${locale}"`);
    for (const locale of given) if (!isLocale(locale)) problems.push(`unsupported locale "${locale}"`);
    if (new Set(given).size !== given.length) problems.push('each locale may appear once');
    for (const variant of input.locales) {
      const found: TemplateProblem[] = [
        ...checkTemplate('body', variant.body, type.dataSchema),
        ...(variant.subject == null ? [] : checkTemplate('subject', variant.subject, type.dataSchema)),
        ...(variant.html == null ? [] : checkTemplate('html', variant.html, type.dataSchema)),
      ];
      problems.push(...found.map((p) => `${variant.locale} ${p.field}: ${p.message}`));
      if (variant.body.trim() === '') problems.push(`${variant.locale} body: must not be empty`);
    }
    if (problems.length > 0) throw new CatalogError(CatalogErrorCode.InvalidTemplate, problems.join('; '), { problems });
    return this.catalog.addTemplateVersions(
      type.id,
      input.locales.map((l) => ({ channel: input.channel, locale: l.locale, subject: l.subject ?? null, body: l.body, html: l.html ?? null })),
      (saved) => ({
        action: 'template.saved',
        actor,
        agencyId,
        target: { kind: 'event_type', id: type.type },
        details: { channel: input.channel, versions: saved.map((t) => `${t.locale}@${String(t.version)}`) },
      }),
    );
  }
}
