import type { SealedAuditRow } from '@kabar/core';
import { Args, Int, Query, Resolver } from '@nestjs/graphql';

import { AgencyService } from '../agencies/agency.service.js';
import { type AgencyPrincipal, CurrentAgency, RequireScope } from '../auth/index.js';
import { AuditError, AuditErrorCode } from './audit.errors.js';
import { AuditEntryModel, AuditIntegrityModel } from './audit.model.js';
import { AuditTrail } from './audit-trail.js';

const PAGE = 'newest first: `first` (default 50, at most 200) entries placed before `before` (the last `seq` of the previous page)';

/** Names for the entries' agencies and admins, read once per page. */
async function toModels(rows: readonly SealedAuditRow[], agencies: AgencyService): Promise<AuditEntryModel[]> {
  const codes = new Map((await agencies.list()).map((a) => [a.id, a.code]));
  const adminIds = [...new Set(rows.flatMap((r) => (r.actor.kind === 'admin' ? [r.actor.id] : [])))];
  const admins = await agencies.adminNames(adminIds);
  return rows.map((row) => ({
    seq: row.seq,
    at: row.at,
    action: row.action,
    actor: {
      kind: row.actor.kind,
      id: row.actor.id,
      name: row.actor.kind === 'admin' ? (admins.get(row.actor.id) ?? null) : row.actor.kind === 'agency' ? (codes.get(row.actor.id) ?? null) : null,
      keyId: row.actor.kind === 'agency' ? row.actor.keyId : null,
      ip: row.actor.kind === 'system' ? null : row.actor.ip,
    },
    agencyCode: row.agencyId === null ? null : (codes.get(row.agencyId) ?? row.agencyId),
    targetKind: row.target.kind,
    targetId: row.target.id,
    details: { ...row.details },
    mac: row.mac,
  }));
}

/** The platform's audit trail for admins: every change, by any admin or agency system. */
@Resolver(() => AuditEntryModel)
@RequireScope('admin')
export class AuditResolver {
  constructor(
    private readonly trail: AuditTrail,
    private readonly agencies: AgencyService,
  ) {}

  @Query(() => [AuditEntryModel], { description: `The audit trail, ${PAGE}; only one agency's (agencyCode) or one action's if given.` })
  async auditLog(
    @Args('agencyCode', { type: () => String, nullable: true }) agencyCode: string | null | undefined,
    @Args('action', { type: () => String, nullable: true }) action: string | null,
    @Args('before', { type: () => Int, nullable: true }) before: number | null,
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
  ): Promise<AuditEntryModel[]> {
    // An argument left out arrives as undefined, one sent as null as null: both mean every agency.
    const agencyId = agencyCode === null || agencyCode === undefined ? undefined : (await this.agencies.get(agencyCode)).id;
    return toModels(await this.trail.page({ agencyId, action: action ?? undefined, before: before ?? undefined, first }), this.agencies);
  }

  @Query(() => AuditIntegrityModel, {
    description:
      'Checks every entry of the audit trail against its MAC and the one before it; given a head kept elsewhere (headSeq and headMac, as `verify` printed or the sealer logged them), also that the chain still reaches it with that MAC.',
  })
  async auditIntegrity(
    // An argument left out arrives as undefined, one sent as null as null: both mean no head.
    @Args('headSeq', { type: () => Int, nullable: true }) headSeq: number | null | undefined,
    @Args('headMac', { type: () => String, nullable: true }) headMac: string | null | undefined,
  ): Promise<AuditIntegrityModel> {
    const seq = headSeq ?? null;
    const mac = headMac ?? null;
    if ((seq === null) !== (mac === null) || (seq !== null && seq < 1)) throw new AuditError(AuditErrorCode.HeadInvalid, 'headSeq (a place from 1) and headMac are given together, or not at all');
    const { checked, head, broken } = await this.trail.verify(seq === null || mac === null ? undefined : { seq, mac });
    return { checked, headSeq: head?.seq ?? null, headMac: head?.mac ?? null, broken };
  }
}

/** What an agency system sees of the trail: the changes that concern it, made by its own keys or by platform admins. */
@Resolver(() => AuditEntryModel)
@RequireScope('agency')
export class AgencyAuditResolver {
  constructor(
    private readonly trail: AuditTrail,
    private readonly agencies: AgencyService,
  ) {}

  @Query(() => [AuditEntryModel], { description: `Changes that concern your agency (keys issued, event types, templates, answers, …), ${PAGE}.` })
  async agencyAuditLog(
    @CurrentAgency() agency: AgencyPrincipal,
    @Args('action', { type: () => String, nullable: true }) action: string | null,
    @Args('before', { type: () => Int, nullable: true }) before: number | null,
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
  ): Promise<AuditEntryModel[]> {
    return toModels(await this.trail.page({ agencyId: agency.agencyId, action: action ?? undefined, before: before ?? undefined, first }), this.agencies);
  }
}
