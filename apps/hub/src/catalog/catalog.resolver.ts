import type { AuditActor } from '@kabar/core';
import type { EventType, Template } from '@kabar/persistence';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';

import { type AgencyPrincipal, CurrentActor, CurrentAgency, RequireScope } from '../auth/index.js';
import { EventTypeModel, LawfulBasisEnum, MessageClassEnum, RegisterEventTypeInput, SaveTemplateInput, TemplateModel } from './catalog.model.js';
import { CatalogService } from './catalog.service.js';

const BASIS: Readonly<Record<string, LawfulBasisEnum>> = Object.fromEntries(Object.values(LawfulBasisEnum).map((v) => [v, v]));
const MESSAGE_CLASS: Readonly<Record<string, MessageClassEnum>> = Object.fromEntries(Object.values(MessageClassEnum).map((v) => [v, v]));

const toEventType = (t: EventType): EventTypeModel => ({
  id: t.id,
  type: t.type,
  description: t.description ?? null,
  messageClass: MESSAGE_CLASS[t.messageClass] ?? MessageClassEnum.informational,
  dataSchema: t.dataSchema,
  allowedChannels: t.allowedChannels,
  defaultExpirySeconds: t.defaultExpirySeconds,
  requiredLocales: t.requiredLocales,
  category: t.category,
  purpose: t.purpose,
  basis: BASIS[t.basis] ?? LawfulBasisEnum.public_task,
  dedup: t.dedupKey == null || t.dedupWindowSeconds == null ? null : { key: t.dedupKey, windowSeconds: t.dedupWindowSeconds },
  fallbackAfterSeconds: t.fallbackAfterSeconds ?? null,
  survey: t.surveyCode ?? null,
});

const toTemplate = (t: Template): TemplateModel => ({
  id: t.id,
  channel: t.channel,
  locale: t.locale,
  version: t.version,
  subject: t.subject ?? null,
  body: t.body,
  html: t.html ?? null,
});

/** An agency's own event types and templates. */
@Resolver(() => EventTypeModel)
@RequireScope('agency')
export class CatalogResolver {
  constructor(private readonly catalog: CatalogService) {}

  @Mutation(() => EventTypeModel, { description: 'Creates or updates one of your event types.' })
  async registerEventType(@CurrentAgency() agency: AgencyPrincipal, @CurrentActor() actor: AuditActor, @Args('input') input: RegisterEventTypeInput): Promise<EventTypeModel> {
    return toEventType(
      await this.catalog.register(agency.agencyId, {
        type: input.type,
        description: input.description ?? null,
        messageClass: input.messageClass,
        dataSchema: input.dataSchema,
        allowedChannels: input.allowedChannels,
        defaultExpirySeconds: input.defaultExpirySeconds,
        requiredLocales: input.requiredLocales,
        category: input.category,
        purpose: input.purpose,
        basis: input.basis,
        dedup: input.dedup ?? null,
        fallbackAfterSeconds: input.fallbackAfterSeconds ?? null,
        survey: input.survey ?? null,
      }, actor),
    );
  }

  @Query(() => [EventTypeModel], { description: 'Your event types.' })
  async eventTypes(@CurrentAgency() agency: AgencyPrincipal): Promise<EventTypeModel[]> {
    return (await this.catalog.list(agency.agencyId)).map(toEventType);
  }

  @Mutation(() => [TemplateModel], { description: 'Saves a new template version for one channel in every required locale.' })
  async saveTemplate(@CurrentAgency() agency: AgencyPrincipal, @CurrentActor() actor: AuditActor, @Args('input') input: SaveTemplateInput): Promise<TemplateModel[]> {
    return (await this.catalog.saveTemplates(agency.agencyId, input, actor)).map(toTemplate);
  }
}
