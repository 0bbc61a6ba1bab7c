import { SecretBox } from '@kabar/core';
import { AgencyService } from '@kabar/hub';
import { type PreferencePatch, PreferenceRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import type { INestApplication } from '@nestjs/common';

import { as } from './agency-fixture.js';

export interface PolicyAgency {
  readonly code: string;
  readonly source: string;
  readonly key: string;
  readonly admin: string;
}

/** An agency with a live key, created through the admin GraphQL API; pass `admin` to reuse one admin. */
export async function policyAgency(app: INestApplication, url: string, code: string, name: string, admin?: string): Promise<PolicyAgency> {
  const adminToken = admin ?? (await app.get(AgencyService).createAdmin('policy test admin', { kind: 'system', id: 'test' }));
  const source = `/id/go/bandung/${code}`;
  const created = await as(url, adminToken, `mutation($input: CreateAgencyInput!) { createAgency(input: $input) { id } }`, {
    input: { code, name, defaultLocale: 'id', sources: [source], senderIds: { sms: code.toUpperCase().slice(0, 11) }, ratePerMinute: 10_000 },
  });
  if (created.errors !== undefined) throw new Error(JSON.stringify(created.errors));
  const issued = await as<{ issueApiKey: { secret: string } }>(url, adminToken, `mutation { issueApiKey(agencyCode: "${code}", kind: live, name: "backend") { secret } }`);
  return { code, source, key: issued.data?.issueApiKey.secret ?? '', admin: adminToken };
}

export interface TypeOptions {
  readonly messageClass: 'critical' | 'transactional' | 'reminder' | 'informational';
  readonly category?: string;
  readonly basis?: string;
  readonly purpose?: string;
  readonly dedup?: { key: string; windowSeconds: number };
  readonly fallbackAfterSeconds?: number;
  readonly defaultExpirySeconds?: number;
  /** Channels allowed and templated; the inbox by default. */
  readonly channels?: string[];
  /** One of the agency's surveys, asked after the message on SMS and WhatsApp. */
  readonly survey?: string;
}

/** Registers `id.go.<agency>.<name>.v1` with bilingual templates for its channels; returns the type name. */
export async function registerType(url: string, agency: PolicyAgency, name: string, options: TypeOptions): Promise<string> {
  const type = `id.go.${agency.code.replace(/[^a-z]/g, '')}.${name}.v1`;
  const channels = options.channels ?? ['inbox'];
  const registered = await as(url, agency.key, `mutation($input: RegisterEventTypeInput!) { registerEventType(input: $input) { id } }`, {
    input: {
      type,
      messageClass: options.messageClass,
      dataSchema: { type: 'object', properties: { note: { type: 'string' }, deceasedNik: { type: 'string' } } },
      allowedChannels: channels,
      category: options.category ?? 'general',
      basis: options.basis ?? 'public_task',
      purpose: options.purpose ?? 'service-notices',
      dedup: options.dedup ?? null,
      fallbackAfterSeconds: options.fallbackAfterSeconds ?? null,
      defaultExpirySeconds: options.defaultExpirySeconds ?? 7 * 86_400,
      survey: options.survey ?? null,
    },
  });
  if (registered.errors !== undefined) throw new Error(JSON.stringify(registered.errors));
  for (const channel of channels) {
    const saved = await as(url, agency.key, `mutation($input: SaveTemplateInput!) { saveTemplate(input: $input) { version } }`, {
      input: {
        eventType: type,
        channel,
        locales: [
          { locale: 'id', subject: `Pemberitahuan ${name}`, body: 'Pemberitahuan: {{note}}' },
          { locale: 'en', subject: `Notice ${name}`, body: 'Notice: {{note}}' },
        ],
      },
    });
    if (saved.errors !== undefined) throw new Error(JSON.stringify(saved.errors));
  }
  return type;
}

export interface CitizenSeed {
  readonly nationalId: string;
  /** Verified contact points, in the citizen's order. */
  readonly contacts?: readonly { channel: string; value: string }[];
  readonly regionCode?: string;
  /** The citizen's own preferences (caps, quiet hours, channel order…). */
  readonly preferences?: PreferencePatch;
}

/** A citizen as an admin import stores one (sealed national ID and name, verified contact points); returns its id. */
export async function registeredCitizen(app: INestApplication, seed: CitizenSeed): Promise<string> {
  const box = app.get(SecretBox);
  const preferences = new PreferenceRepository(app.get(EntityManager));
  const subjectHash = box.lookupHash(seed.nationalId);
  await preferences.importCitizens([
    {
      subjectHash,
      nationalIdSealed: box.encrypt(seed.nationalId),
      nameSealed: box.encrypt('Warga Uji'),
      regionCode: seed.regionCode ?? '32.73.01.1001',
      timezone: 'WIB',
      locale: 'id',
      contacts: (seed.contacts ?? []).map((c) => ({ channel: c.channel, valueSealed: box.encrypt(c.value), lookupHash: box.lookupHash(c.value) })),
    },
  ], () => null);
  const id = await preferences.citizenIdOf(subjectHash);
  if (id === null) throw new Error('the imported citizen is missing');
  if (seed.preferences !== undefined) await preferences.updatePreferences(id, seed.preferences);
  return id;
}
