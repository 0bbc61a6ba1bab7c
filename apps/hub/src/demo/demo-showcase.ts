import { randomUUID } from 'node:crypto';

import type { RegisterEventType, SaveTemplates } from '../catalog/catalog.service.js';

/**
 * What `npm start` shows of the policy (ARCHITECTURE §4) in the citizens' `myNotifications`: a death reported by the
 * civil registry and by a hospital merged into one message, a citizen's weekly reminder cap sending the second tax
 * reminder into the evening digest, quiet hours holding a reminder, and an e-mail falling back to SMS.
 */
const DEATH_SCHEMA = {
  type: 'object',
  required: ['deceasedNik', 'deceasedName', 'office'],
  properties: {
    deceasedNik: { type: 'string', pattern: '^[0-9]{16}$' },
    deceasedName: { type: 'string', minLength: 1, maxLength: 120 },
    office: { type: 'string', minLength: 1, maxLength: 200 },
  },
  additionalProperties: false,
};

/** Made-up data of the death both agencies report. */
export const SHOWCASE_DEATH = { deceasedNik: '3273011201400009', deceasedName: 'H. Ahmad Suryana', office: 'Disdukcapil Kota Bandung, Jl. Ambon No. 1B' };

/** Both death types key on the deceased, so the two agencies' messages are one for the family. */
const DEATH_DEDUP = { key: 'death:{{data.deceasedNik}}', windowSeconds: 7 * 24 * 3600 };

const deathType = (type: string, description: string): RegisterEventType => ({
  type,
  description,
  messageClass: 'transactional',
  dataSchema: DEATH_SCHEMA,
  allowedChannels: ['sms', 'inbox'],
  defaultExpirySeconds: 7 * 24 * 3600,
  requiredLocales: ['id', 'en'],
  category: 'civil-registry',
  dedup: DEATH_DEDUP,
});

const deathTemplates = (sender: string): Omit<SaveTemplates, 'eventType'>[] =>
  ['sms', 'inbox'].map((channel) => ({
    channel,
    locales: [
      {
        locale: 'id',
        subject: 'Turut berduka cita',
        body: `${sender}: turut berduka cita atas wafatnya {{deceasedName}}. Akta kematian dapat diurus di {{office}}.`,
      },
      { locale: 'en', subject: 'Our condolences', body: `${sender}: our condolences on the passing of {{deceasedName}}. The death certificate can be arranged at {{office}}.` },
    ],
  }));

export const SHOWCASE_HOSPITAL = {
  agency: {
    code: 'rsud-bdg',
    name: 'RSUD Kota Bandung',
    defaultLocale: 'id',
    sources: ['https://rsud.bandung.go.id/sim-rs'],
    senderIds: { sms: 'RSUD BDG', email: 'RSUD Kota Bandung <info@rsud.bandung.go.id>' },
  },
  eventType: deathType('id.go.bandung.rsud.death-reported.v1', 'A death at the hospital, reported to the family'),
  templates: deathTemplates('RSUD Kota Bandung'),
} as const;

/**
 * Health tips are sent only to citizens who consent: the preference centre lists the purpose (consentPurposes), and
 * an event of this type reaches no one who has not granted it.
 */
export const SHOWCASE_HEALTH_TIPS = {
  eventType: {
    type: 'id.go.bandung.rsud.health-tips.v1',
    description: 'Tips kesehatan dan jadwal imunisasi dari RSUD',
    messageClass: 'informational',
    dataSchema: { type: 'object', required: ['tip'], properties: { tip: { type: 'string', minLength: 1, maxLength: 300 } }, additionalProperties: false },
    allowedChannels: ['inbox', 'sms'],
    defaultExpirySeconds: 7 * 24 * 3600,
    requiredLocales: ['id', 'en'],
    category: 'health',
    basis: 'consent',
    purpose: 'health-tips',
  } satisfies RegisterEventType,
  templates: ['inbox', 'sms'].map((channel) => ({
    channel,
    locales: [
      { locale: 'id', subject: 'Tips kesehatan', body: 'RSUD Kota Bandung: {{tip}}' },
      { locale: 'en', subject: 'Health tip', body: 'RSUD Kota Bandung: {{tip}}' },
    ],
  })),
} as const;

export const SHOWCASE_REGISTRY_DEATH = {
  agencyCode: 'disdukcapil-bdg',
  eventType: deathType('id.go.bandung.disdukcapil.death-registered.v1', 'A death registered by the civil registry'),
  templates: deathTemplates('Disdukcapil Kota Bandung'),
} as const;

/** Citizens' own preferences that the showcase relies on, by national ID. */
export function showcasePreferences(now: Date): Record<string, { caps?: Record<string, { count: number; periodSeconds: number }>; quietStart?: number; quietEnd?: number; channelOrder?: Record<string, string[]> }> {
  const minuteWib = Math.floor((now.getTime() / 60_000 + 7 * 60) % (24 * 60));
  return {
    // Siti allows one reminder a week: the second goes into her 19:00 digest.
    '3273014507850001': { caps: { reminder: { count: 1, periodSeconds: 7 * 24 * 3600 } } },
    // Budi's quiet hours started an hour ago and last eight hours: a reminder waits for them to end.
    '3273022003900002': { quietStart: (minuteWib + 23 * 60) % (24 * 60), quietEnd: (minuteWib + 8 * 60) % (24 * 60) },
    // Dewi prefers e-mail, then SMS: e-mail has no delivery receipt here, so SMS follows at the deadline.
    '3273035112880003': { channelOrder: { '*': ['email', 'sms'] } },
    // Andi reads complaint updates in the Kabar inbox (myInbox), SMS only if the inbox cannot take them.
    '3273041508920004': { channelOrder: { complaints: ['inbox', 'sms'] } },
  };
}

/** The showcase events: [agency code, source, type, subject (national ID), data]. */
export function showcaseEvents(): { agency: string; source: string; type: string; subject: string; id: string; data: Record<string, unknown> }[] {
  const id = (): string => `demo-${randomUUID()}`;
  const death = SHOWCASE_DEATH;
  return [
    { agency: 'disdukcapil-bdg', source: 'https://disdukcapil.bandung.go.id/akta', type: SHOWCASE_REGISTRY_DEATH.eventType.type, subject: '3273014507850001', id: id(), data: death },
    { agency: 'rsud-bdg', source: 'https://rsud.bandung.go.id/sim-rs', type: SHOWCASE_HOSPITAL.eventType.type, subject: '3273014507850001', id: id(), data: death },
    {
      agency: 'bapenda-bdg',
      source: 'https://bapenda.bandung.go.id/pbb',
      type: 'id.go.bandung.bapenda.pbb-due.v1',
      subject: '3273014507850001',
      id: id(),
      data: { nop: '327301000100200030', taxYear: 2026, amount: 1_250_000, dueDate: '2026-12-31' },
    },
    {
      agency: 'bapenda-bdg',
      source: 'https://bapenda.bandung.go.id/pbb',
      type: 'id.go.bandung.bapenda.pbb-due.v1',
      subject: '3273014507850001',
      id: id(),
      data: { nop: '327301000100200031', taxYear: 2026, amount: 480_000, dueDate: '2026-12-31' },
    },
    {
      agency: 'bapenda-bdg',
      source: 'https://bapenda.bandung.go.id/pbb',
      type: 'id.go.bandung.bapenda.pbb-due.v1',
      subject: '3273022003900002',
      id: id(),
      data: { nop: '327302000200300040', taxYear: 2026, amount: 760_000, dueDate: '2026-12-31' },
    },
    {
      agency: 'disdukcapil-bdg',
      source: 'https://disdukcapil.bandung.go.id/akta',
      type: 'id.go.bandung.disdukcapil.birth-certificate-ready.v1',
      subject: '3273035112880003',
      id: id(),
      data: { registrationNumber: '3273-LU-01122026-0042', childName: 'Alya Putri', office: 'Disdukcapil Kota Bandung, Jl. Ambon No. 1B', readyFrom: '2026-12-03' },
    },
    {
      agency: 'lapor-bdg',
      source: 'https://lapor.bandung.go.id/tiket',
      type: 'id.go.bandung.lapor.complaint-status-changed.v1',
      subject: '3273041508920004',
      id: id(),
      data: { ticketId: 'LPR-2026-004217', title: 'Lampu PJU mati di Jl. Dago', unit: 'Dinas Sumber Daya Air dan Bina Marga', resolved: true },
    },
  ];
}
