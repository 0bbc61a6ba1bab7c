import { randomUUID } from 'node:crypto';

import type { EntityManager } from '@mikro-orm/core';

import { rescheduleWaiting } from './answer-clock.js';
import { type Audited,audited } from './audit.repository.js';
import {
  type AdminCredential,
  AdminCredentialSchema,
  type Agency,
  AgencySchema,
  AgencySourceSchema,
  type ApiKey,
  ApiKeySchema,
} from './entities/index.js';
import { query } from './query.js';

export interface NewAgency {
  readonly code: string;
  readonly name: string;
  readonly defaultLocale: string;
  readonly senderIds: Record<string, string>;
  readonly sources: readonly string[];
  readonly ratePerMinute: number;
  readonly dailyQuota: number;
  /** Defaults to 72 hours. */
  readonly complaintResponseHours?: number;
  /** When set, the answer time is in working days and the hours are not used. */
  readonly complaintResponseWorkingDays?: number | null;
  /** WIB (the default), WITA or WIT. */
  readonly timezone?: string;
  /** ISO weekday digits, '12345' (the default) for Monday to Friday. */
  readonly workingWeekdays?: string;
  /** Told when one of this agency's complaints goes unanswered past its due time. */
  readonly escalationAgencyId?: string | null;
  readonly callbackUrl: string | null;
  readonly callbackSecretSealed: string | null;
}

/** What checking a credential needs of an API key and its agency. */
export interface KeyCredential {
  readonly id: string;
  /** `live` or `test`. */
  readonly kind: string;
  readonly secretHash: string;
  /** The secret sealed by SecretBox, to verify JWT and Kafka record signatures. */
  readonly secretSealed: string;
  readonly revoked: boolean;
  readonly agency: { readonly id: string; readonly code: string; readonly ratePerMinute: number; readonly dailyQuota: number };
}

interface KeyRow {
  id: string;
  kind: string;
  secret_hash: string;
  secret_sealed: string;
  revoked: boolean;
  agency_id: string;
  agency_code: string;
  rate_per_minute: number;
  daily_quota: number;
}

export interface AgencyWithSources extends Agency {
  readonly sources: string[];
}

export interface SourceOwner {
  readonly agencyId: string;
  readonly agencyCode: string;
  readonly agencyName: string;
  readonly defaultLocale: string;
}

export interface NewApiKey {
  readonly id: string;
  readonly agencyId: string;
  readonly name: string;
  readonly kind: 'test' | 'live';
  readonly secretHash: string;
  readonly secretSealed: string;
}

/** Agencies, their sources and API keys, and admin credentials. */
export class AgencyRepository {
  constructor(private readonly em: EntityManager) {}

  /** Returns null when the code or one of the sources is already taken. */
  async create(input: NewAgency, audit: Audited<AgencyWithSources | null>): Promise<AgencyWithSources | null> {
    return audited(this.em, audit, async (tx) => {
      const taken = await query<{ n: string | number }>(tx, 
        'select (select count(*) from "agency" where "code" = ?) + (select count(*) from "agency_source" where "source" = any(?::text[])) as n',
        [input.code, input.sources.length === 0 ? [''] : [...input.sources]],
      );
      if (Number(taken[0]?.n ?? 0) > 0) return null;
      const { sources, ...fields } = input;
      const agency = tx.create(AgencySchema, { id: randomUUID(), ...fields });
      for (const source of sources) tx.create(AgencySourceSchema, { source, agency });
      await tx.flush();
      return { ...agency, sources: [...sources] };
    });
  }

  async list(): Promise<AgencyWithSources[]> {
    const em = this.em.fork();
    const agencies = await em.find(AgencySchema, {}, { orderBy: { code: 'asc' } });
    const sources = await em.find(AgencySourceSchema, {});
    return agencies.map((a) => ({ ...a, sources: sources.filter((s) => s.agency.id === a.id).map((s) => s.source) }));
  }

  async findByCode(code: string): Promise<AgencyWithSources | null> {
    const em = this.em.fork();
    const agency = await em.findOne(AgencySchema, { code });
    if (agency === null) return null;
    const sources = await em.find(AgencySourceSchema, { agency: agency.id });
    return { ...agency, sources: sources.map((s) => s.source) };
  }

  findById(id: string): Promise<Agency | null> {
    return this.em.fork().findOne(AgencySchema, { id });
  }

  /** Which agency owns each source (one query for a whole batch). */
  async ownersOf(sources: readonly string[]): Promise<Map<string, SourceOwner>> {
    if (sources.length === 0) return new Map();
    const rows = await query<{ source: string; agency_id: string; code: string; name: string; default_locale: string }>(
      this.em.fork(),
      'select s."source", s."agency_id", a."code", a."name", a."default_locale" from "agency_source" s join "agency" a on a."id" = s."agency_id" where s."source" = any(?::text[])',
      [[...new Set(sources)]],
    );
    return new Map(rows.map((r) => [r.source, { agencyId: r.agency_id, agencyCode: r.code, agencyName: r.name, defaultLocale: r.default_locale }]));
  }

  async setCallback(agencyId: string, url: string | null, secretSealed: string | null, audit: Audited<void>): Promise<void> {
    await audited(this.em, audit, async (tx) => {
      await tx.nativeUpdate(AgencySchema, { id: agencyId }, { callbackUrl: url, callbackSecretSealed: secretSealed });
    });
  }

  /**
   * Changes an agency's settings and, when `sources` is given, replaces its sources. Null when one of the sources
   * belongs to another agency (then nothing changes).
   */
  async update(
    agencyId: string,
    fields: Partial<Pick<NewAgency, 'name' | 'defaultLocale' | 'senderIds' | 'ratePerMinute' | 'dailyQuota' | 'complaintResponseHours' | 'complaintResponseWorkingDays' | 'timezone' | 'workingWeekdays' | 'escalationAgencyId'>>,
    sources: readonly string[] | undefined,
    audit: Audited<AgencyWithSources | null>,
  ): Promise<AgencyWithSources | null> {
    return audited(this.em, audit, async (tx) => {
      if (sources !== undefined) {
        const taken = await query(tx, 'select 1 from "agency_source" where "source" = any(?::text[]) and "agency_id" <> ?', [[...sources], agencyId]);
        if (taken.length > 0) return null;
        await query(tx, 'delete from "agency_source" where "agency_id" = ? and not ("source" = any(?::text[]))', [agencyId, [...sources]]);
        for (const source of sources) {
          await query(tx, 'insert into "agency_source" ("source", "agency_id") values (?, ?) on conflict ("source") do nothing', [source, agencyId]);
        }
      }
      if (Object.keys(fields).length > 0) await tx.nativeUpdate(AgencySchema, { id: agencyId }, { ...fields });
      // Complaints already waiting move to the new target, counted from when they started waiting.
      if (fields.complaintResponseHours !== undefined || fields.complaintResponseWorkingDays !== undefined || fields.timezone !== undefined || fields.workingWeekdays !== undefined) {
        await rescheduleWaiting(tx, { agencyId });
      }
      const agency = await tx.findOneOrFail(AgencySchema, { id: agencyId }, { refresh: true });
      const current = await tx.find(AgencySourceSchema, { agency: agencyId }, { orderBy: { source: 'asc' } });
      return { ...agency, sources: current.map((s) => s.source) };
    });
  }

  async addKey(key: NewApiKey, audit: Audited<ApiKey>): Promise<ApiKey> {
    return audited(this.em, audit, async (tx) => {
      const { agencyId, ...fields } = key;
      const row = tx.create(ApiKeySchema, { ...fields, agency: agencyId, revokedAt: null });
      await tx.flush();
      return row;
    });
  }

  listKeys(agencyId: string): Promise<ApiKey[]> {
    return this.em.fork().find(ApiKeySchema, { agency: agencyId }, { orderBy: { createdAt: 'asc' } });
  }

  /**
   * Keys by id with what checking them needs of their agencies, revoked ones included, in one query: for checking the
   * signatures of one batch of Kafka records and counting them against their agencies' quotas, and for authenticating
   * the requests that arrive together. Plain SQL, no entities: it runs for every request group, and MikroORM's `find`
   * with a joined agency was a tenth of the hub's CPU with agencies posting one event per request.
   */
  async findKeys(ids: readonly string[]): Promise<KeyCredential[]> {
    if (ids.length === 0) return [];
    const rows = await query<KeyRow>(
      this.em.fork(),
      `select k."id", k."kind", k."secret_hash", k."secret_sealed", k."revoked_at" is not null as "revoked",
              a."id" as "agency_id", a."code" as "agency_code", a."rate_per_minute", a."daily_quota"
         from "api_key" k join "agency" a on a."id" = k."agency_id"
        where k."id" = any(?::text[])`,
      [[...ids]],
    );
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      secretHash: r.secret_hash,
      secretSealed: r.secret_sealed,
      revoked: r.revoked,
      agency: { id: r.agency_id, code: r.agency_code, ratePerMinute: r.rate_per_minute, dailyQuota: r.daily_quota },
    }));
  }

  /** Revokes a key of this agency; false if it does not exist or belongs to another agency. */
  async revokeKey(agencyId: string, keyId: string, audit: Audited<boolean>): Promise<boolean> {
    return audited(this.em, audit, async (tx) => (await tx.nativeUpdate(ApiKeySchema, { id: keyId, agency: agencyId, revokedAt: null }, { revokedAt: new Date() })) > 0);
  }

  async addAdmin(id: string, name: string, secretHash: string, audit: Audited<void>): Promise<void> {
    await audited(this.em, audit, async (tx) => {
      tx.create(AdminCredentialSchema, { id, name, secretHash, revokedAt: null });
      await tx.flush();
    });
  }

  /** Admins' names by credential id (revoked ones too: the audit trail still names them). */
  async adminNames(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.em.fork().find(AdminCredentialSchema, { id: { $in: [...ids] } });
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  findAdmin(id: string): Promise<AdminCredential | null> {
    return this.em.fork().findOne(AdminCredentialSchema, { id, revokedAt: null });
  }

  async countAdmins(): Promise<number> {
    return this.em.fork().count(AdminCredentialSchema, { revokedAt: null });
  }
}
