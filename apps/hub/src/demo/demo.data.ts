import type { CreateAgency } from '../agencies/agency.service.js';
import type { RegisterEventType, SaveTemplates } from '../catalog/catalog.service.js';

/** One demo agency: what an admin and the agency's own integrator would set up through the API. */
export interface DemoAgency {
  readonly agency: CreateAgency;
  readonly eventType: RegisterEventType;
  /** One entry per allowed channel, each in every required locale. */
  readonly templates: readonly Omit<SaveTemplates, 'eventType'>[];
  /** Realistic `data` for the event type, written to demo.json so `kabar demo` can publish it. */
  readonly example: Readonly<Record<string, unknown>>;
  /** A survey the agency saves before its type, which names it. */
  readonly survey?: Readonly<Record<string, unknown>>;
}

const t = (id: string, en: string) => ({ id, en });

/** LAPOR!'s satisfaction survey after a ticket moves on: the dissatisfied skip the score and say what went wrong. */
const SATISFACTION_SURVEY = {
  code: 'kepuasan-layanan',
  title: t('Survei kepuasan layanan LAPOR!', 'LAPOR! service satisfaction survey'),
  questions: [
    {
      id: 'puas',
      kind: 'choice',
      text: t('Apakah Anda puas dengan penanganan laporan Anda?', 'Are you satisfied with how your complaint is handled?'),
      choices: [
        { code: 'ya', label: t('Ya', 'Yes') },
        { code: 'tidak', label: t('Tidak', 'No'), next: 'masalah' },
      ],
    },
    { id: 'skor', kind: 'rating', text: t('Beri nilai 1 (buruk) sampai 5 (sangat baik).', 'Rate us from 1 (poor) to 5 (very good).'), min: 1, max: 5, next: 'end' },
    { id: 'masalah', kind: 'text', text: t('Apa yang perlu kami perbaiki?', 'What should we improve?'), maxLength: 300 },
  ],
};

export interface DemoCitizen {
  /** Made up: Bandung region code 3273, valid-looking date of birth, serial. */
  readonly nationalId: string;
  /** Only a label for demo.json; Kabar stores no names. */
  readonly name: string;
  readonly locale: 'id' | 'en';
  /** In the citizen's order of preference; all verified. */
  readonly contacts: readonly { readonly channel: 'sms' | 'email'; readonly value: string }[];
}

const CHANNELS = ['sms', 'email', 'inbox'];
const WEEK = 7 * 24 * 3600;

const TAX_SCHEMA = {
  type: 'object',
  required: ['nop', 'taxYear', 'amount', 'dueDate'],
  properties: {
    nop: { type: 'string', pattern: '^[0-9]{18}$', description: 'Nomor Objek Pajak (tax object number)' },
    taxYear: { type: 'integer', minimum: 2000, maximum: 2100 },
    amount: { type: 'number', minimum: 0 },
    dueDate: { type: 'string', format: 'date' },
  },
  additionalProperties: false,
};

const BIRTH_SCHEMA = {
  type: 'object',
  required: ['registrationNumber', 'childName', 'office', 'readyFrom'],
  properties: {
    registrationNumber: { type: 'string', minLength: 1, maxLength: 40 },
    childName: { type: 'string', minLength: 1, maxLength: 120 },
    office: { type: 'string', minLength: 1, maxLength: 200 },
    readyFrom: { type: 'string', format: 'date' },
  },
  additionalProperties: false,
};

const COMPLAINT_SCHEMA = {
  type: 'object',
  required: ['ticketId', 'title', 'unit', 'resolved'],
  properties: {
    ticketId: { type: 'string', minLength: 1, maxLength: 40 },
    title: { type: 'string', minLength: 1, maxLength: 200 },
    unit: { type: 'string', minLength: 1, maxLength: 200, description: 'The office handling the complaint' },
    resolved: { type: 'boolean' },
  },
  additionalProperties: false,
};

/** Three agencies of Kota Bandung, one event type each, with SMS, e-mail and inbox templates in Indonesian and English. */
export const DEMO_AGENCIES: readonly DemoAgency[] = [
  {
    agency: {
      code: 'bapenda-bdg',
      name: 'Bapenda Kota Bandung',
      defaultLocale: 'id',
      sources: ['https://bapenda.bandung.go.id/pbb', 'https://bapenda.bandung.go.id/bphtb'],
      senderIds: { sms: 'BAPENDA BDG', email: 'Bapenda Kota Bandung <noreply@bapenda.bandung.go.id>' },
    },
    eventType: {
      type: 'id.go.bandung.bapenda.pbb-due.v1',
      description: 'Property tax (PBB-P2) instalment falls due',
      messageClass: 'reminder',
      dataSchema: TAX_SCHEMA,
      allowedChannels: CHANNELS,
      category: 'tax',
      defaultExpirySeconds: WEEK,
      requiredLocales: ['id', 'en'],
    },
    templates: [
      {
        channel: 'sms',
        locales: [
          { locale: 'id', body: 'Bapenda Kota Bandung: PBB {{taxYear}} NOP {{nop}} sebesar Rp{{formatNumber amount}} jatuh tempo {{formatDate dueDate}}.' },
          { locale: 'en', body: 'Bapenda Kota Bandung: property tax {{taxYear}} (NOP {{nop}}) of IDR {{formatNumber amount}} is due on {{formatDate dueDate}}.' },
        ],
      },
      {
        channel: 'email',
        locales: [
          {
            locale: 'id',
            subject: 'PBB {{taxYear}} jatuh tempo {{formatDate dueDate}}',
            body: 'Yth. Wajib Pajak,\n\nPBB-P2 tahun {{taxYear}} untuk NOP {{nop}} sebesar Rp{{formatNumber amount}} jatuh tempo pada {{formatDate dueDate}}.\nPembayaran dapat dilakukan di bank atau kanal pembayaran mitra.\n\nBapenda Kota Bandung',
            html: '<p>Yth. Wajib Pajak,</p><p>PBB-P2 tahun {{taxYear}} untuk NOP <b>{{nop}}</b> sebesar <b>Rp{{formatNumber amount}}</b> jatuh tempo pada {{formatDate dueDate}}.</p><p>Bapenda Kota Bandung</p>',
          },
          {
            locale: 'en',
            subject: 'Property tax {{taxYear}} due on {{formatDate dueDate}}',
            body: 'Dear taxpayer,\n\nThe {{taxYear}} property tax (PBB-P2) for NOP {{nop}}, IDR {{formatNumber amount}}, is due on {{formatDate dueDate}}.\nYou can pay at partner banks and payment channels.\n\nBapenda Kota Bandung',
            html: '<p>Dear taxpayer,</p><p>The {{taxYear}} property tax for NOP <b>{{nop}}</b>, <b>IDR {{formatNumber amount}}</b>, is due on {{formatDate dueDate}}.</p><p>Bapenda Kota Bandung</p>',
          },
        ],
      },
      {
        channel: 'inbox',
        locales: [
          { locale: 'id', subject: 'PBB {{taxYear}} jatuh tempo', body: 'PBB {{taxYear}} NOP {{nop}}: Rp{{formatNumber amount}}, jatuh tempo {{formatDate dueDate}}.' },
          { locale: 'en', subject: 'Property tax {{taxYear}} due', body: 'Property tax {{taxYear}}, NOP {{nop}}: IDR {{formatNumber amount}}, due on {{formatDate dueDate}}.' },
        ],
      },
    ],
    example: { nop: '327301000100200030', taxYear: 2026, amount: 1_250_000, dueDate: '2026-08-31' },
  },
  {
    agency: {
      code: 'disdukcapil-bdg',
      name: 'Disdukcapil Kota Bandung',
      defaultLocale: 'id',
      sources: ['https://disdukcapil.bandung.go.id/akta'],
      senderIds: { sms: 'DUKCAPIL', email: 'Disdukcapil Kota Bandung <layanan@disdukcapil.bandung.go.id>' },
    },
    eventType: {
      type: 'id.go.bandung.disdukcapil.birth-certificate-ready.v1',
      description: 'A birth certificate (akta kelahiran) is ready for collection',
      messageClass: 'transactional',
      dataSchema: BIRTH_SCHEMA,
      allowedChannels: CHANNELS,
      category: 'civil-registry',
      // Short, so the demo shows a fallback (e-mail, then SMS) within minutes of `npm start`.
      fallbackAfterSeconds: 120,
      defaultExpirySeconds: 3 * WEEK,
      requiredLocales: ['id', 'en'],
    },
    templates: [
      {
        channel: 'sms',
        locales: [
          { locale: 'id', body: 'Disdukcapil Kota Bandung: akta kelahiran {{childName}} (reg. {{registrationNumber}}) dapat diambil di {{office}} mulai {{formatDate readyFrom}}.' },
          { locale: 'en', body: "Disdukcapil Kota Bandung: {{childName}}'s birth certificate (reg. {{registrationNumber}}) can be collected at {{office}} from {{formatDate readyFrom}}." },
        ],
      },
      {
        channel: 'email',
        locales: [
          {
            locale: 'id',
            subject: 'Akta kelahiran {{childName}} sudah jadi',
            body: 'Akta kelahiran atas nama {{childName}} (nomor registrasi {{registrationNumber}}) sudah dapat diambil di {{office}} mulai {{formatDate readyFrom}}.\nMohon membawa bukti pendaftaran.\n\nDisdukcapil Kota Bandung',
            html: '<p>Akta kelahiran atas nama <b>{{childName}}</b> (nomor registrasi {{registrationNumber}}) sudah dapat diambil di {{office}} mulai {{formatDate readyFrom}}.</p><p>Mohon membawa bukti pendaftaran.</p>',
          },
          {
            locale: 'en',
            subject: "{{childName}}'s birth certificate is ready",
            body: "The birth certificate of {{childName}} (registration {{registrationNumber}}) can be collected at {{office}} from {{formatDate readyFrom}}.\nPlease bring your registration receipt.\n\nDisdukcapil Kota Bandung",
            html: '<p>The birth certificate of <b>{{childName}}</b> (registration {{registrationNumber}}) can be collected at {{office}} from {{formatDate readyFrom}}.</p><p>Please bring your registration receipt.</p>',
          },
        ],
      },
      {
        channel: 'inbox',
        locales: [
          { locale: 'id', subject: 'Akta kelahiran siap diambil', body: 'Akta kelahiran {{childName}} ({{registrationNumber}}) siap diambil di {{office}} mulai {{formatDate readyFrom}}.' },
          { locale: 'en', subject: 'Birth certificate ready', body: "{{childName}}'s birth certificate ({{registrationNumber}}) is ready at {{office}} from {{formatDate readyFrom}}." },
        ],
      },
    ],
    example: { registrationNumber: '3273-LU-15072026-0042', childName: 'Aisyah Putri', office: 'Mal Pelayanan Publik Kota Bandung', readyFrom: '2026-07-20' },
  },
  {
    agency: {
      code: 'lapor-bdg',
      name: 'LAPOR! Kota Bandung',
      defaultLocale: 'id',
      sources: ['https://lapor.bandung.go.id/tiket'],
      senderIds: { sms: 'LAPOR BDG', email: 'LAPOR! Kota Bandung <tiket@lapor.bandung.go.id>' },
      // A first answer within three working days, as LAPOR! expects.
      complaintResponseWorkingDays: 3,
    },
    eventType: {
      type: 'id.go.bandung.lapor.complaint-status-changed.v1',
      description: 'A complaint ticket moved on: being handled, or resolved',
      messageClass: 'transactional',
      dataSchema: COMPLAINT_SCHEMA,
      category: 'complaints',
      allowedChannels: CHANNELS,
      survey: SATISFACTION_SURVEY.code,
      defaultExpirySeconds: WEEK,
      requiredLocales: ['id', 'en'],
    },
    templates: [
      {
        channel: 'sms',
        locales: [
          { locale: 'id', body: 'LAPOR! {{ticketId}} "{{title}}": {{#if resolved}}telah selesai ditindaklanjuti{{else}}sedang ditangani{{/if}} oleh {{unit}}.' },
          { locale: 'en', body: 'LAPOR! {{ticketId}} "{{title}}": {{#if resolved}}has been resolved{{else}}is being handled{{/if}} by {{unit}}.' },
        ],
      },
      {
        channel: 'email',
        locales: [
          {
            locale: 'id',
            subject: 'Laporan {{ticketId}}: {{#if resolved}}selesai{{else}}sedang ditangani{{/if}}',
            body: 'Laporan Anda "{{title}}" ({{ticketId}}) {{#if resolved}}telah selesai ditindaklanjuti{{else}}sedang ditangani{{/if}} oleh {{unit}}.\n\nLAPOR! Kota Bandung',
            html: '<p>Laporan Anda <b>{{title}}</b> ({{ticketId}}) {{#if resolved}}telah selesai ditindaklanjuti{{else}}sedang ditangani{{/if}} oleh {{unit}}.</p>',
          },
          {
            locale: 'en',
            subject: 'Complaint {{ticketId}}: {{#if resolved}}resolved{{else}}in progress{{/if}}',
            body: 'Your complaint "{{title}}" ({{ticketId}}) {{#if resolved}}has been resolved{{else}}is being handled{{/if}} by {{unit}}.\n\nLAPOR! Kota Bandung',
            html: '<p>Your complaint <b>{{title}}</b> ({{ticketId}}) {{#if resolved}}has been resolved{{else}}is being handled{{/if}} by {{unit}}.</p>',
          },
        ],
      },
      {
        channel: 'inbox',
        locales: [
          { locale: 'id', subject: 'Status laporan {{ticketId}}', body: '"{{title}}": {{#if resolved}}selesai{{else}}sedang ditangani{{/if}} ({{unit}}).' },
          { locale: 'en', subject: 'Complaint {{ticketId}} status', body: '"{{title}}": {{#if resolved}}resolved{{else}}in progress{{/if}} ({{unit}}).' },
        ],
      },
    ],
    example: { ticketId: 'LPR-2026-004217', title: 'Lampu PJU mati di Jl. Dago', unit: 'Dinas Sumber Daya Air dan Bina Marga', resolved: false },
    survey: SATISFACTION_SURVEY,
  },
];

/**
 * The city's complaint line: SMS to short code 1708 goes to LAPOR! unless the citizen starts with PAJAK (the tax
 * office) or KTP (the civil registry); WhatsApp messages go to LAPOR!.
 */
export const DEMO_INBOUND_ROUTES: readonly { readonly agencyCode: string; readonly channel: string; readonly to: string; readonly keyword: string }[] = [
  { agencyCode: 'lapor-bdg', channel: 'sms', to: '1708', keyword: '' },
  { agencyCode: 'bapenda-bdg', channel: 'sms', to: '1708', keyword: 'PAJAK' },
  { agencyCode: 'disdukcapil-bdg', channel: 'sms', to: '1708', keyword: 'KTP' },
  { agencyCode: 'lapor-bdg', channel: 'whatsapp', to: '', keyword: '' },
];

/**
 * Indonesia's national holidays on fixed dates, for this year and the next. The others (Idulfitri, Iduladha, Nyepi,
 * Waisak, Imlek…) move with their calendars and, with collective leave, are set each year by joint decree: admins
 * enter them from it.
 */
export function demoDaysOff(year: number): { day: string; name: string; agencyCode: null }[] {
  const fixed = [
    ['01-01', 'Tahun Baru Masehi'],
    ['05-01', 'Hari Buruh Internasional'],
    ['06-01', 'Hari Lahir Pancasila'],
    ['08-17', 'Hari Kemerdekaan Republik Indonesia'],
    ['12-25', 'Hari Raya Natal'],
  ] as const;
  return [year, year + 1].flatMap((y) => fixed.map(([date, name]) => ({ day: `${String(y)}-${date}`, name, agencyCode: null })));
}

/** Andi reported a dark street lamp by SMS to 1708, and LAPOR! answered: his preference centre shows the conversation. */
export const SHOWCASE_COMPLAINT = {
  citizen: 'Andi Pratama',
  agencyCode: 'lapor-bdg',
  to: '1708',
  text: 'The street lamp in front of Jl. Dago 12 has been out for a week.',
  answer: 'Thank you. Our team will replace the lamp by Friday.',
} as const;

/** Five made-up citizens of Kota Bandung (national IDs and +62 numbers are fictitious; e-mail on example.com). */
export const DEMO_CITIZENS: readonly DemoCitizen[] = [
  { nationalId: '3273014507850001', name: 'Siti Rahmawati', locale: 'id', contacts: [{ channel: 'sms', value: '+6281210000001' }, { channel: 'email', value: 'siti.rahmawati@example.com' }] },
  { nationalId: '3273022003900002', name: 'Budi Santoso', locale: 'id', contacts: [{ channel: 'sms', value: '+6281310000002' }] },
  { nationalId: '3273035112880003', name: 'Dewi Lestari', locale: 'en', contacts: [{ channel: 'email', value: 'dewi.lestari@example.com' }, { channel: 'sms', value: '+6285710000003' }] },
  { nationalId: '3273041508920004', name: 'Andi Pratama', locale: 'en', contacts: [{ channel: 'sms', value: '+6282110000004' }] },
  { nationalId: '3273055206950005', name: 'Rina Marlina', locale: 'id', contacts: [{ channel: 'email', value: 'rina.marlina@example.com' }] },
];
