import { type AuditActor, generateWebhookSecret, hashSecret, isLocale, SecretBox } from '@kabar/core';
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
}

export const DEFAULT_RATE_PER_MINUTE = 3_000;
export const DEFAULT_DAILY_QUOTA = 250_000;

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
    const problems = validateAgency(input);
    if (problems.length > 0) throw new AgencyError(AgencyErrorCode.InvalidInput, problems.join('; '), { problems });
    const senderIds = Object.fromEntries(Object.entries(input.senderIds).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const agency = await this.agencies.create({
      code: input.code,
      name: input.name.trim(),
      defaultLocale: input.defaultLocale,
      senderIds,
      sources: [...new Set(input.sources)],
      ratePerMinute: input.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE,
      dailyQuota: input.dailyQuota ?? DEFAULT_DAILY_QUOTA,
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
            details: { name: created.name, defaultLocale: created.defaultLocale, sources: created.sources, senderIds: Object.entries(senderIds).map(([channel, id]) => `${channel}=${id}`), ratePerMinute: created.ratePerMinute, dailyQuota: created.dailyQuota },
          },
    );
    if (agency === null) throw new AgencyError(AgencyErrorCode.Conflict, `agency code ${input.code} or one of its sources is already registered`);
    return agency;
  }

  list(): Promise<AgencyWithSources[]> {
    return this.agencies.list();
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

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function validateAgency(input: CreateAgency): string[] {
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
  return problems;
}
