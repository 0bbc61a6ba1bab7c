import {
  type AuditActor,
  type AuditDetails,
  type AuditValue,
  checkTimezone,
  checkWorkingWeekdays,
  FIVE_DAY_WEEK,
  generateWebhookSecret,
  hashSecret,
  isLocale,
  MAX_ANSWER_HOURS,
  MAX_ANSWER_WORKING_DAYS,
  SecretBox,
  type TimezoneLabel,
  weekdayDigits,
} from '@kabar/core';
import { newCredential } from '@kabar/core';
import { AgencyRepository,type AgencyWithSources } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';

import { AgencyError, AgencyErrorCode } from './agency.errors.js';

export interface CreateAgency {
  readonly code: string;
  readonly name: string;
  readonly defaultLocale: string;
  readonly sources: readonly string[];
  readonly senderIds: { readonly sms?: string | undefined; readonly email?: string | undefined };
  readonly ratePerMinute?: number | undefined;
  readonly dailyQuota?: number | undefined;
  readonly complaintResponseHours?: number | undefined;
  /** Answer time in working days instead of hours. */
  readonly complaintResponseWorkingDays?: number | undefined;
  readonly timezone?: string | undefined;
  /** ISO weekdays (1 Monday … 7 Sunday) its working days fall on; Monday to Friday by default. */
  readonly workingWeekdays?: readonly number[] | undefined;
  /** The code of the agency told when this one's complaints go unanswered past their due time. */
  readonly complaintEscalation?: string | undefined;
}

/** Only what is given changes; `senderIds` and `sources`, when given, replace the whole set. */
export interface UpdateAgency {
  readonly name?: string | undefined;
  readonly defaultLocale?: string | undefined;
  readonly sources?: readonly string[] | undefined;
  readonly senderIds?: { readonly sms?: string | undefined; readonly email?: string | undefined } | undefined;
  readonly ratePerMinute?: number | undefined;
  readonly dailyQuota?: number | undefined;
  /** Switches the answer time to hours (working days no longer count). */
  readonly complaintResponseHours?: number | undefined;
  /** Switches the answer time to working days. */
  readonly complaintResponseWorkingDays?: number | undefined;
  readonly timezone?: string | undefined;
  readonly workingWeekdays?: readonly number[] | undefined;
  /** Another agency's code; "" removes it. */
  readonly complaintEscalation?: string | undefined;
}

export const DEFAULT_RATE_PER_MINUTE = 3_000;
export const DEFAULT_DAILY_QUOTA = 250_000;
/** Three days, as Indonesia's LAPOR! expects a first answer; an agency's own target replaces it. */
export const DEFAULT_COMPLAINT_RESPONSE_HOURS = 72;

/** Admin operations on agencies and their credentials. */
@Injectable()
export class AgencyService {
  private readonly agencies: AgencyRepository;

  constructor(
    em: EntityManager,
    private readonly box: SecretBox,
  ) {
    this.agencies = new AgencyRepository(em);
  }

  async create(input: CreateAgency, actor: AuditActor): Promise<AgencyWithSources> {
    const problems = validateAgency(input, input.complaintResponseHours !== undefined && input.complaintResponseWorkingDays !== undefined);
    if (problems.length > 0) throw new AgencyError(AgencyErrorCode.InvalidInput, problems.join('; '), { problems });
    const senderIds = definedOnly(input.senderIds);
    const escalationAgencyId = (await this.escalationOf(input.complaintEscalation, input.code)) ?? null;
    const agency = await this.agencies.create({
      code: input.code,
      name: input.name.trim(),
      defaultLocale: input.defaultLocale,
      senderIds,
      sources: [...new Set(input.sources)],
      ratePerMinute: input.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE,
      dailyQuota: input.dailyQuota ?? DEFAULT_DAILY_QUOTA,
      complaintResponseHours: input.complaintResponseHours ?? DEFAULT_COMPLAINT_RESPONSE_HOURS,
      complaintResponseWorkingDays: input.complaintResponseWorkingDays ?? null,
      timezone: timezoneOf(input.timezone),
      workingWeekdays: weekdayDigits(input.workingWeekdays ?? FIVE_DAY_WEEK),
      escalationAgencyId,
      callbackUrl: null,
      callbackSecretSealed: null,
    }, (created) =>
      created === null
        ? null
        : {
            action: 'agency.created',
            actor,
            agencyId: created.id,
            target: { kind: 'agency', id: created.code },
            details: {
              name: created.name,
              defaultLocale: created.defaultLocale,
              sources: created.sources,
              senderIds: Object.entries(senderIds).map(([channel, id]) => `${channel}=${id}`),
              ratePerMinute: created.ratePerMinute,
              dailyQuota: created.dailyQuota,
              complaintResponseHours: created.complaintResponseHours,
              complaintResponseWorkingDays: created.complaintResponseWorkingDays ?? null,
              timezone: created.timezone,
              workingWeekdays: created.workingWeekdays,
              complaintEscalation: input.complaintEscalation?.trim() === '' ? null : (input.complaintEscalation ?? null),
            },
          },
    );
    if (agency === null) throw new AgencyError(AgencyErrorCode.Conflict, `agency code ${input.code} or one of its sources is already registered`);
    return agency;
  }

  /** Changes an agency's name, language, sources, sender IDs or limits; keys, limits and senders apply to the next request. */
  async update(code: string, input: UpdateAgency, actor: AuditActor): Promise<AgencyWithSources> {
    const current = await this.get(code);
    const senderIds = input.senderIds === undefined ? undefined : definedOnly(input.senderIds);
    const next = {
      code,
      name: input.name ?? current.name,
      defaultLocale: input.defaultLocale ?? current.defaultLocale,
      sources: input.sources ?? current.sources,
      senderIds: senderIds ?? current.senderIds,
      ratePerMinute: input.ratePerMinute ?? current.ratePerMinute,
      dailyQuota: input.dailyQuota ?? current.dailyQuota,
      complaintResponseHours: input.complaintResponseHours ?? current.complaintResponseHours,
      complaintResponseWorkingDays: input.complaintResponseWorkingDays,
      timezone: input.timezone,
      workingWeekdays: input.workingWeekdays,
    };
    const problems = validateAgency(next, input.complaintResponseHours !== undefined && input.complaintResponseWorkingDays !== undefined);
    if (problems.length > 0) throw new AgencyError(AgencyErrorCode.InvalidInput, problems.join('; '), { problems });
    const escalationAgencyId = await this.escalationOf(input.complaintEscalation, code);
    const fields = {
      ...(input.name === undefined ? {} : { name: next.name.trim() }),
      ...(input.defaultLocale === undefined ? {} : { defaultLocale: next.defaultLocale }),
      ...(senderIds === undefined ? {} : { senderIds }),
      ...(input.ratePerMinute === undefined ? {} : { ratePerMinute: next.ratePerMinute }),
      ...(input.dailyQuota === undefined ? {} : { dailyQuota: next.dailyQuota }),
      // One target at a time: hours given switch the agency to hours, working days given to working days.
      ...(input.complaintResponseHours === undefined ? {} : { complaintResponseHours: next.complaintResponseHours, complaintResponseWorkingDays: null }),
      ...(input.complaintResponseWorkingDays === undefined ? {} : { complaintResponseWorkingDays: input.complaintResponseWorkingDays }),
      ...(input.timezone === undefined ? {} : { timezone: timezoneOf(input.timezone) }),
      ...(input.workingWeekdays === undefined ? {} : { workingWeekdays: weekdayDigits(input.workingWeekdays) }),
      ...(escalationAgencyId === undefined ? {} : { escalationAgencyId }),
    };
    const sources = input.sources === undefined ? undefined : [...new Set(input.sources)];
    const codes = await this.codesById();
    const updated = await this.agencies.update(current.id, fields, sources, (after) =>
      after === null ? null : { action: 'agency.updated', actor, agencyId: current.id, target: { kind: 'agency', id: code }, details: changes(current, after, codes) },
    );
    if (updated === null) throw new AgencyError(AgencyErrorCode.Conflict, 'one of the sources is already registered to another agency');
    return updated;
  }

  list(): Promise<AgencyWithSources[]> {
    return this.agencies.list();
  }

  /** Every agency's code by id, to name the agencies others escalate to. */
  async codesById(): Promise<Map<string, string>> {
    return new Map((await this.agencies.list()).map((a) => [a.id, a.code]));
  }

  /** The escalation agency's id for the code given (undefined: not given; "": none). AGENCY_INVALID_INPUT for an unknown code or the agency itself. */
  private async escalationOf(code: string | undefined, own: string): Promise<string | null | undefined> {
    if (code === undefined) return undefined;
    if (code.trim() === '') return null;
    if (code === own) throw new AgencyError(AgencyErrorCode.InvalidInput, 'complaintEscalation must name another agency, not this one');
    const target = await this.agencies.findByCode(code);
    if (target === null) throw new AgencyError(AgencyErrorCode.InvalidInput, `complaintEscalation: no agency ${code}`);
    return target.id;
  }

  async get(code: string): Promise<AgencyWithSources> {
    const agency = await this.agencies.findByCode(code);
    if (agency === null) throw new AgencyError(AgencyErrorCode.NotFound, `no agency ${code}`);
    return agency;
  }

  /** A new key; the token is returned once and only its hash (and a sealed copy for JWT checks) is stored. */
  async issueKey(agencyCode: string, kind: 'test' | 'live', name: string, actor: AuditActor): Promise<{ key: Awaited<ReturnType<AgencyRepository['addKey']>>; token: string }> {
    const agency = await this.get(agencyCode);
    if (name.trim() === '' || name.length > 100) throw new AgencyError(AgencyErrorCode.InvalidInput, 'key name must be 1 to 100 characters');
    const credential = newCredential(kind);
    const key = await this.agencies.addKey({
      id: credential.id,
      agencyId: agency.id,
      name: name.trim(),
      kind,
      secretHash: hashSecret(credential.secret),
      secretSealed: this.box.encrypt(credential.secret),
    }, (key) => ({ action: 'api_key.issued', actor, agencyId: agency.id, target: { kind: 'api_key', id: key.id }, details: { kind, name: key.name } }));
    return { key, token: credential.token };
  }

  async listKeys(agencyCode: string): Promise<Awaited<ReturnType<AgencyRepository['listKeys']>>> {
    return this.agencies.listKeys((await this.get(agencyCode)).id);
  }

  async revokeKey(agencyCode: string, keyId: string, actor: AuditActor): Promise<void> {
    const agency = await this.get(agencyCode);
    const revoked = await this.agencies.revokeKey(agency.id, keyId, (done) => (done ? { action: 'api_key.revoked', actor, agencyId: agency.id, target: { kind: 'api_key', id: keyId }, details: {} } : null));
    if (!revoked) throw new AgencyError(AgencyErrorCode.KeyNotFound, `no active key ${keyId} for ${agencyCode}`);
  }

  /** Registers where status callbacks go; returns the new signing secret, shown once. */
  async setCallback(agencyCode: string, url: string, actor: AuditActor): Promise<string> {
    const agency = await this.get(agencyCode);
    if (!isHttpUrl(url)) throw new AgencyError(AgencyErrorCode.InvalidInput, 'callback url must be an http(s) URL');
    const secret = generateWebhookSecret();
    // The URL is the agency's own system, not personal data; the new signing secret is never recorded.
    await this.agencies.setCallback(agency.id, url, this.box.encrypt(secret), () => ({ action: 'status_callback.set', actor, agencyId: agency.id, target: { kind: 'agency', id: agency.code }, details: { url, secretRotated: true } }));
    return secret;
  }

  /** A platform admin credential; the token is printed once by `kabar admin create`. */
  async createAdmin(name: string, actor: AuditActor): Promise<string> {
    const credential = newCredential('adm');
    await this.agencies.addAdmin(credential.id, name, hashSecret(credential.secret), () => ({ action: 'admin.created', actor, agencyId: null, target: { kind: 'admin', id: credential.id }, details: { name } }));
    return credential.token;
  }

  adminNames(ids: readonly string[]): Promise<Map<string, string>> {
    return this.agencies.adminNames(ids);
  }

  countAdmins(): Promise<number> {
    return this.agencies.countAdmins();
  }
}

function definedOnly(senderIds: { readonly sms?: string | undefined; readonly email?: string | undefined }): Record<string, string> {
  return Object.fromEntries(Object.entries(senderIds).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** What an update changed, for the audit trail: each field's new value beside the one it replaced. */
function changes(before: AgencyWithSources, after: AgencyWithSources, codes: ReadonlyMap<string, string>): AuditDetails {
  const escalation = (a: AgencyWithSources): string | null => (a.escalationAgencyId === null || a.escalationAgencyId === undefined ? null : (codes.get(a.escalationAgencyId) ?? a.escalationAgencyId));
  const out: Record<string, AuditValue> = {};
  const senders = (a: AgencyWithSources): string[] => Object.entries(a.senderIds).map(([channel, id]) => `${channel}=${id}`).sort();
  const pairs: [string, AuditValue, AuditValue][] = [
    ['name', before.name, after.name],
    ['defaultLocale', before.defaultLocale, after.defaultLocale],
    ['ratePerMinute', before.ratePerMinute, after.ratePerMinute],
    ['dailyQuota', before.dailyQuota, after.dailyQuota],
    ['complaintResponseHours', before.complaintResponseHours, after.complaintResponseHours],
    ['complaintResponseWorkingDays', before.complaintResponseWorkingDays ?? null, after.complaintResponseWorkingDays ?? null],
    ['timezone', before.timezone, after.timezone],
    ['workingWeekdays', before.workingWeekdays, after.workingWeekdays],
    ['complaintEscalation', escalation(before), escalation(after)],
    ['sources', [...before.sources].sort(), [...after.sources].sort()],
    ['senderIds', senders(before), senders(after)],
  ];
  for (const [name, was, now] of pairs) {
    if (JSON.stringify(was) === JSON.stringify(now)) continue;
    out[name] = now;
    out[`was.${name}`] = was;
  }
  return out;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The zone label to store; validation has already refused anything else. */
function timezoneOf(raw: string | undefined): TimezoneLabel {
  if (raw === undefined) return 'WIB';
  const zone = checkTimezone(raw);
  return zone.ok ? zone.value : 'WIB';
}

function validateAgency(input: CreateAgency, bothTargets: boolean): string[] {
  const problems: string[] = [];
  if (!/^[a-z0-9][a-z0-9-]{1,63}$/.test(input.code)) problems.push('code must be 2-64 lowercase letters, digits or dashes');
  if (input.name.trim() === '' || input.name.length > 200) problems.push('name must be 1 to 200 characters');
  if (!isLocale(input.defaultLocale)) problems.push('defaultLocale must be id or en');
  if (input.sources.length === 0) problems.push('at least one CloudEvents source is needed');
  for (const source of input.sources) {
    if (source.length === 0 || source.length > 512 || /\s/.test(source)) problems.push(`source "${source}" must be a URI reference without spaces`);
  }
  // GSM 03.38 limits alphanumeric sender IDs to 11 characters.
  if (input.senderIds.sms !== undefined && !/^[A-Za-z0-9 .-]{1,11}$/.test(input.senderIds.sms)) {
    problems.push('SMS sender ID must be 1-11 letters, digits, spaces, dots or dashes');
  }
  if (input.senderIds.email !== undefined && !/<?[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>?$/.test(input.senderIds.email)) {
    problems.push('e-mail sender must contain an address');
  }
  for (const [name, value] of [
    ['ratePerMinute', input.ratePerMinute],
    ['dailyQuota', input.dailyQuota],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) problems.push(`${name} must be a positive integer`);
  }
  const hours = input.complaintResponseHours;
  if (hours !== undefined && (!Number.isInteger(hours) || hours < 1 || hours > MAX_ANSWER_HOURS)) {
    problems.push(`complaintResponseHours must be a whole number of hours from 1 to ${String(MAX_ANSWER_HOURS)}`);
  }
  const days = input.complaintResponseWorkingDays;
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > MAX_ANSWER_WORKING_DAYS)) {
    problems.push(`complaintResponseWorkingDays must be a whole number of working days from 1 to ${String(MAX_ANSWER_WORKING_DAYS)}`);
  }
  if (bothTargets) {
    problems.push('give complaintResponseHours or complaintResponseWorkingDays, not both: the answer time is one or the other');
  }
  if (input.workingWeekdays !== undefined) {
    const week = checkWorkingWeekdays(input.workingWeekdays);
    if (week !== null) problems.push(`workingWeekdays: ${week}`);
  }
  if (input.timezone !== undefined) {
    const zone = checkTimezone(input.timezone);
    if (!zone.ok) problems.push(`timezone: ${zone.message}`);
  }
  return problems;
}
