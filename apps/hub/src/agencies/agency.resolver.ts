import { type AuditActor, weekdaysOfDigits } from '@kabar/core';
import type { AgencyWithSources, ApiKey } from '@kabar/persistence';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';

import { CurrentActor, RequireScope } from '../auth/index.js';
import { AgencyModel, ApiKeyKind, ApiKeyModel, CallbackRegistrationModel, CreateAgencyInput, IssuedApiKeyModel, UpdateAgencyInput } from './agency.model.js';
import { AgencyService,type CreateAgency } from './agency.service.js';

const toAgency = (a: AgencyWithSources, codes: ReadonlyMap<string, string>): AgencyModel => ({
  id: a.id,
  code: a.code,
  name: a.name,
  defaultLocale: a.defaultLocale,
  sources: a.sources,
  senderIds: { sms: a.senderIds.sms ?? null, email: a.senderIds.email ?? null },
  callbackUrl: a.callbackUrl ?? null,
  ratePerMinute: a.ratePerMinute,
  dailyQuota: a.dailyQuota,
  complaintResponseHours: a.complaintResponseHours,
  complaintResponseWorkingDays: a.complaintResponseWorkingDays ?? null,
  timezone: a.timezone,
  workingWeekdays: weekdaysOfDigits(a.workingWeekdays),
  complaintEscalation: a.escalationAgencyId === null || a.escalationAgencyId === undefined ? null : (codes.get(a.escalationAgencyId) ?? null),
});

/** The limits and answer-time settings both inputs carry; GraphQL's null for a field sent as null means "not given". */
const limitsOf = (input: CreateAgencyInput | UpdateAgencyInput): Pick<CreateAgency, 'ratePerMinute' | 'dailyQuota' | 'complaintResponseHours' | 'complaintResponseWorkingDays' | 'timezone' | 'workingWeekdays' | 'complaintEscalation'> => ({
  ratePerMinute: input.ratePerMinute ?? undefined,
  dailyQuota: input.dailyQuota ?? undefined,
  complaintResponseHours: input.complaintResponseHours ?? undefined,
  complaintResponseWorkingDays: input.complaintResponseWorkingDays ?? undefined,
  timezone: input.timezone ?? undefined,
  workingWeekdays: input.workingWeekdays ?? undefined,
  complaintEscalation: input.complaintEscalation ?? undefined,
});

const toKey = (k: ApiKey): ApiKeyModel => ({
  id: k.id,
  name: k.name,
  kind: k.kind === 'test' ? ApiKeyKind.test : ApiKeyKind.live,
  createdAt: k.createdAt,
  revokedAt: k.revokedAt ?? null,
});

/** Platform-admin operations on agencies and their keys. */
@Resolver(() => AgencyModel)
@RequireScope('admin')
export class AgencyResolver {
  constructor(private readonly service: AgencyService) {}

  @Mutation(() => AgencyModel)
  async createAgency(@CurrentActor() actor: AuditActor, @Args('input') input: CreateAgencyInput): Promise<AgencyModel> {
    const created = await this.service.create(
      {
        code: input.code,
        name: input.name,
        defaultLocale: input.defaultLocale,
        sources: input.sources,
        // GraphQL gives null for a field sent as null: that means "not given", as leaving it out does.
        senderIds: { sms: input.senderIds?.sms ?? undefined, email: input.senderIds?.email ?? undefined },
        ...limitsOf(input),
      },
      actor,
    );
    return toAgency(created, await this.service.codesById());
  }

  @Mutation(() => AgencyModel, { description: "Changes an agency's name, language, sources, sender IDs or limits. AGENCY_INVALID_INPUT, AGENCY_NOT_FOUND, AGENCY_CONFLICT (a source of another agency)." })
  async updateAgency(@CurrentActor() actor: AuditActor, @Args('code') code: string, @Args('input') input: UpdateAgencyInput): Promise<AgencyModel> {
    const updated = await this.service.update(
      code,
      {
        name: input.name ?? undefined,
        defaultLocale: input.defaultLocale ?? undefined,
        sources: input.sources ?? undefined,
        senderIds: input.senderIds === undefined || input.senderIds === null ? undefined : { sms: input.senderIds.sms ?? undefined, email: input.senderIds.email ?? undefined },
        ...limitsOf(input),
      },
      actor,
    );
    return toAgency(updated, await this.service.codesById());
  }

  @Query(() => [AgencyModel])
  async agencies(): Promise<AgencyModel[]> {
    const agencies = await this.service.list();
    const codes = new Map(agencies.map((a) => [a.id, a.code]));
    return agencies.map((a) => toAgency(a, codes));
  }

  @Mutation(() => IssuedApiKeyModel)
  async issueApiKey(
    @CurrentActor() actor: AuditActor,
    @Args('agencyCode') agencyCode: string,
    @Args('kind', { type: () => ApiKeyKind }) kind: ApiKeyKind,
    @Args('name') name: string,
  ): Promise<IssuedApiKeyModel> {
    const { key, token } = await this.service.issueKey(agencyCode, kind, name, actor);
    return { key: toKey(key), secret: token };
  }

  @Query(() => [ApiKeyModel])
  async apiKeys(@Args('agencyCode') agencyCode: string): Promise<ApiKeyModel[]> {
    return (await this.service.listKeys(agencyCode)).map(toKey);
  }

  @Mutation(() => Boolean)
  async revokeApiKey(@CurrentActor() actor: AuditActor, @Args('agencyCode') agencyCode: string, @Args('keyId') keyId: string): Promise<boolean> {
    await this.service.revokeKey(agencyCode, keyId, actor);
    return true;
  }

  @Mutation(() => CallbackRegistrationModel)
  async setStatusCallback(@CurrentActor() actor: AuditActor, @Args('agencyCode') agencyCode: string, @Args('url') url: string): Promise<CallbackRegistrationModel> {
    return { url, signingSecret: await this.service.setCallback(agencyCode, url, actor) };
  }
}
