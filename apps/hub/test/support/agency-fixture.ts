import { signKafkaRecord } from '@kabar/contracts';
import { SecretBox } from '@kabar/core';
import { AgencyService } from '@kabar/hub';
import { CitizenRepository } from '@kabar/persistence';
import { graphql } from '@kabar/testing';
import { EntityManager } from '@mikro-orm/core';
import type { INestApplication } from '@nestjs/common';

export const TAX_DUE = 'id.go.bapenda.tax-due.v1';

export const TAX_SCHEMA = {
  type: 'object',
  required: ['amount', 'dueDate'],
  properties: { amount: { type: 'number', minimum: 0 }, dueDate: { type: 'string', format: 'date' }, nop: { type: 'string' } },
  additionalProperties: false,
};

export interface AgencyFixture {
  readonly code: string;
  readonly source: string;
  readonly key: string;
  readonly keyId: string;
}

/** Calls GraphQL with a bearer credential. */
export function as<Data>(url: string, token: string, query: string, variables: Record<string, unknown> = {}): ReturnType<typeof graphql<Data>> {
  return graphql<Data>(url, query, variables, { authorization: `Bearer ${token}` });
}

/**
 * An admin, an agency with a live key, the tax-due event type with inbox and SMS templates in id and en —
 * all through the public GraphQL contract, as an integrator would do it.
 */
export async function anAgency(app: INestApplication, url: string, code = 'bapenda-bdg', options: { ratePerMinute?: number; dailyQuota?: number } = {}): Promise<AgencyFixture & { admin: string }> {
  const admin = await app.get(AgencyService).createAdmin('test admin', { kind: 'system', id: 'test' });
  const source = `/id/go/bandung/${code}`;
  const created = await as<{ createAgency: { id: string } }>(
    url,
    admin,
    `mutation($input: CreateAgencyInput!) { createAgency(input: $input) { id } }`,
    { input: { code, name: `Agency ${code}`, defaultLocale: 'id', sources: [source], senderIds: { sms: 'BAPENDA-BDG' }, ratePerMinute: options.ratePerMinute, dailyQuota: options.dailyQuota } },
  );
  if (created.errors !== undefined) throw new Error(JSON.stringify(created.errors));
  const issued = await as<{ issueApiKey: { key: { id: string }; secret: string } }>(url, admin, 'mutation { issueApiKey(agencyCode: "' + code + '", kind: live, name: "backend") { key { id } secret } }');
  const key = issued.data?.issueApiKey.secret ?? '';
  const registered = await as(url, key, `mutation($input: RegisterEventTypeInput!) { registerEventType(input: $input) { id } }`, {
    input: { type: TAX_DUE.replace('bapenda', code.replace(/[^a-z]/g, '')), messageClass: 'reminder', dataSchema: TAX_SCHEMA, allowedChannels: ['sms', 'inbox'] },
  });
  if (registered.errors !== undefined) throw new Error(JSON.stringify(registered.errors));
  for (const channel of ['sms', 'inbox']) {
    const saved = await as(url, key, `mutation($input: SaveTemplateInput!) { saveTemplate(input: $input) { version } }`, {
      input: {
        eventType: typeOf(code),
        channel,
        locales: [
          { locale: 'id', subject: 'Pajak jatuh tempo', body: 'Pajak Anda Rp{{formatNumber amount}} jatuh tempo {{formatDate dueDate}}.' },
          { locale: 'en', subject: 'Tax due', body: 'Your tax of IDR {{formatNumber amount}} is due on {{formatDate dueDate}}.' },
        ],
      },
    });
    if (saved.errors !== undefined) throw new Error(JSON.stringify(saved.errors));
  }
  return { code, source, key, keyId: issued.data?.issueApiKey.key.id ?? '', admin };
}

/** A Kafka record as the agency's producer sends it, signed with its key (`kabar-key`, `kabar-signature`). */
export function signedBy<R extends { value: Buffer | string | null; headers: Record<string, string> }>(key: string, record: R): R {
  const dot = key.indexOf('.');
  return { ...record, headers: signKafkaRecord(key.slice(0, dot), key.slice(dot + 1), record) };
}

/** The event type name the fixture registers for an agency code. */
export function typeOf(code: string): string {
  return TAX_DUE.replace('bapenda', code.replace(/[^a-z]/g, ''));
}

/** A citizen (found by national ID) with the given contact points, verified, in order. */
export async function aCitizen(app: INestApplication, nationalId: string, locale: 'id' | 'en', contacts: { channel: string; value: string }[]): Promise<string> {
  const box = app.get(SecretBox);
  return new CitizenRepository(app.get(EntityManager)).create(
    box.lookupHash(nationalId),
    locale,
    contacts.map((c) => ({ channel: c.channel, valueSealed: box.encrypt(c.value), lookupHash: box.lookupHash(c.value), verified: true })),
  );
}
