import { type ChannelName, isChannel, isMessageClass, type Locale, type MessageClass } from '../notify/message-class.js';
import { formatLocalTime } from './local-time.js';
import { type Decision, LAWFUL_BASES, type LawfulBasis, type TimezoneLabel } from './policy.types.js';

const WEEK_SECONDS = 604_800;
const DAY_SECONDS = 86_400;

/** "3 of 3 reminders this week": how much of a frequency cap was used, as the decision recorded it. */
interface CapUsage {
  readonly count: string;
  readonly limit: string;
  readonly messageClass: string;
  readonly periodSeconds: number;
}

/** Everything a locale needs to put a decision into words; the sentence shapes live here, the choice of one below. */
interface Phrasebook {
  readonly channel: Readonly<Record<ChannelName, string>>;
  readonly messageClass: Readonly<Record<MessageClass, string>>;
  /** For a class name this version does not know. */
  readonly messages: string;
  readonly basis: Readonly<Record<LawfulBasis, string>>;
  readonly period: (seconds: number) => string;
  readonly usage: (u: CapUsage) => string;
  readonly expired: string;
  readonly delegate: string;
  readonly noConsent: (purpose: string) => string;
  readonly consentOk: (purpose: string, notice: string) => string;
  readonly noConsentNeeded: (basis: string) => string;
  readonly merged: (agency: string, time: string) => string;
  readonly cappedDeferred: (time: string, usage: string) => string;
  readonly cappedSuppressed: (usage: string) => string;
  readonly underCap: (usage: string | null) => string;
  readonly notCappedCritical: string;
  readonly channelChosen: (channel: string, fallback: readonly string[]) => string;
  readonly noChannel: string;
  readonly quietHeld: (time: string) => string;
  readonly quietCritical: string;
  readonly digest: (time: string) => string;
  readonly scheduled: (time: string) => string;
  readonly fallback: (from: string, to: string, minutes: string) => string;
  readonly digestSent: (count: string, time: string) => string;
  readonly surveyAsked: string;
}

const hours = (seconds: number): string => String(Math.round((seconds / 3600) * 10) / 10);
const isLawfulBasis = (v: string): v is LawfulBasis => (LAWFUL_BASES as readonly string[]).includes(v);
const className = (book: Phrasebook, name: string): string => (isMessageClass(name) ? book.messageClass[name] : book.messages);

const EN: Phrasebook = {
  channel: { sms: 'SMS', email: 'e-mail', push: 'push', whatsapp: 'WhatsApp', inbox: 'the Kabar inbox', webhook: 'webhook', console: 'console' },
  messageClass: { critical: 'critical messages', transactional: 'transaction messages', reminder: 'reminders', informational: 'information messages' },
  basis: { consent: 'with your consent', legal_obligation: 'under a legal obligation', public_task: 'as a public task', vital_interest: 'to protect vital interests' },
  period: (s) => (s === WEEK_SECONDS ? 'this week' : s === DAY_SECONDS ? 'today' : `in the last ${hours(s)} hours`),
  messages: 'messages',
  usage: (u) => `${u.count} of ${u.limit} ${className(EN, u.messageClass)} ${EN.period(u.periodSeconds)} already sent`,
  expired: 'Expired before it could be sent',
  delegate: 'Sent to you as guardian',
  noConsent: (purpose) => `Not sent: no consent for ${purpose}`,
  consentOk: (purpose, notice) => `Allowed by your consent for ${purpose} (privacy notice ${notice})`,
  noConsentNeeded: (basis) => `No consent needed: the agency sends this ${basis}`,
  merged: (agency, time) => `Merged with ${agency}'s message of ${time}`,
  cappedDeferred: (time, usage) => `Deferred into your daily digest at ${time}: ${usage}`,
  cappedSuppressed: (usage) => `Not sent: ${usage}, and it would expire before your next digest`,
  underCap: (usage) => (usage === null ? 'No frequency limit applies' : `Within your limit: ${usage}`),
  notCappedCritical: 'Critical message: never held back by frequency limits',
  channelChosen: (channel, [next, ...later]) =>
    next === undefined ? `Sent by ${channel}` : `Sent by ${channel}; if not delivered, ${[`${next} next`, ...later].join(', then ')}`,
  noChannel: 'Not sent: no channel could reach you',
  quietHeld: (time) => `Held for quiet hours until ${time}`,
  quietCritical: 'Sent at once despite quiet hours: critical message',
  digest: (time) => `Gathered into your daily digest at ${time}`,
  scheduled: (time) => `Scheduled by the agency for ${time}`,
  fallback: (from, to, minutes) => `Not delivered by ${from} within ${minutes} minutes: sent by ${to} instead`,
  digestSent: (count, time) => `Sent in your digest of ${count} messages at ${time}`,
  surveyAsked: 'With a short survey from the agency: reply to answer, or ignore it',
};

const ID: Phrasebook = {
  channel: { sms: 'SMS', email: 'email', push: 'notifikasi push', whatsapp: 'WhatsApp', inbox: 'kotak masuk Kabar', webhook: 'webhook', console: 'konsol' },
  messageClass: { critical: 'pesan darurat', transactional: 'pesan transaksi', reminder: 'pengingat', informational: 'pesan informasi' },
  basis: { consent: 'dengan persetujuan Anda', legal_obligation: 'karena kewajiban hukum', public_task: 'dalam rangka tugas pelayanan publik', vital_interest: 'untuk melindungi kepentingan vital' },
  period: (s) => (s === WEEK_SECONDS ? 'minggu ini' : s === DAY_SECONDS ? 'hari ini' : `dalam ${hours(s)} jam terakhir`),
  messages: 'pesan',
  usage: (u) => `${u.count} dari ${u.limit} ${className(ID, u.messageClass)} ${ID.period(u.periodSeconds)} sudah terkirim`,
  expired: 'Kedaluwarsa sebelum sempat dikirim',
  delegate: 'Dikirim kepada Anda sebagai wali',
  noConsent: (purpose) => `Tidak dikirim: tidak ada persetujuan untuk ${purpose}`,
  consentOk: (purpose, notice) => `Diizinkan oleh persetujuan Anda untuk ${purpose} (pemberitahuan privasi ${notice})`,
  noConsentNeeded: (basis) => `Tidak perlu persetujuan: instansi mengirim pesan ini ${basis}`,
  merged: (agency, time) => `Digabung dengan pesan ${agency} pukul ${time}`,
  cappedDeferred: (time, usage) => `Ditunda ke ringkasan harian Anda pukul ${time}: ${usage}`,
  cappedSuppressed: (usage) => `Tidak dikirim: ${usage}, dan pesan ini kedaluwarsa sebelum ringkasan berikutnya`,
  underCap: (usage) => (usage === null ? 'Tidak ada batas frekuensi' : `Masih dalam batas: ${usage}`),
  notCappedCritical: 'Pesan darurat: tidak pernah ditahan oleh batas frekuensi',
  channelChosen: (channel, fallback) =>
    fallback.length === 0 ? `Dikirim lewat ${channel}` : `Dikirim lewat ${channel}; jika tidak sampai, berikutnya ${fallback.join(', lalu ')}`,
  noChannel: 'Tidak dikirim: tidak ada saluran yang dapat menjangkau Anda',
  quietHeld: (time) => `Ditahan karena jam tenang hingga ${time}`,
  quietCritical: 'Langsung dikirim meski dalam jam tenang: pesan darurat',
  digest: (time) => `Dikumpulkan ke ringkasan harian Anda pukul ${time}`,
  scheduled: (time) => `Dijadwalkan oleh instansi pada pukul ${time}`,
  fallback: (from, to, minutes) => `Tidak sampai lewat ${from} dalam ${minutes} menit: dikirim lewat ${to}`,
  digestSent: (count, time) => `Dikirim dalam ringkasan ${count} pesan pukul ${time}`,
  surveyAsked: 'Disertai survei singkat dari instansi: balas untuk menjawab, atau abaikan',
};

const PHRASEBOOKS: Readonly<Record<Locale, Phrasebook>> = { en: EN, id: ID };

/**
 * A decision in plain words for the citizen's history, instants on the reader's local clock.
 * @example describeDecision({ step: 'quiet-hours', code: 'QUIET_HOURS_HELD', params: { until: '2026-12-01T23:00:00.000Z' } }, 'en', 'WIB') // 'Held for quiet hours until 06:00 WIB'
 */
export function describeDecision(decision: Decision, locale: Locale, timezone: TimezoneLabel): string {
  const book = PHRASEBOOKS[locale];
  const { params } = decision;
  // Params are stored JSON and may predate a field; a gap prints as "?" rather than failing a whole history page.
  const text = (key: string): string => {
    const value = params[key];
    return value === undefined ? '?' : String(value);
  };
  const time = (key: string): string => {
    const at = new Date(text(key));
    return Number.isNaN(at.getTime()) ? '?' : `${formatLocalTime(at, timezone)} ${timezone}`;
  };
  const channel = (name: string): string => (isChannel(name) ? book.channel[name] : name);
  const usage = (): string =>
    book.usage({ count: text('count'), limit: text('limit'), messageClass: text('messageClass'), periodSeconds: Number(params['periodSeconds']) });

  switch (decision.code) {
    case 'EXPIRED':
      return book.expired;
    case 'DELEGATE':
      return book.delegate;
    case 'NO_CONSENT':
      return book.noConsent(text('purpose'));
    case 'CONSENT_OK':
      return book.consentOk(text('purpose'), text('noticeVersion'));
    case 'BASIS_NO_CONSENT_NEEDED': {
      const basis = text('basis');
      return book.noConsentNeeded(isLawfulBasis(basis) ? book.basis[basis] : basis);
    }
    case 'MERGED':
      return book.merged(text('agency'), time('at'));
    case 'CAPPED_DEFERRED':
      return book.cappedDeferred(time('at'), usage());
    case 'CAPPED_SUPPRESSED':
      return book.cappedSuppressed(usage());
    case 'UNDER_CAP':
      return book.underCap('limit' in params ? usage() : null);
    case 'NOT_CAPPED_CRITICAL':
      return book.notCappedCritical;
    case 'CHANNEL_CHOSEN': {
      const fallback = text('fallback');
      return book.channelChosen(channel(text('channel')), fallback === '' || fallback === '?' ? [] : fallback.split('>').map(channel));
    }
    case 'NO_CHANNEL':
      return book.noChannel;
    case 'FALLBACK': {
      const seconds = Number(params['afterSeconds']);
      return book.fallback(channel(text('from')), channel(text('to')), Number.isFinite(seconds) ? String(Math.max(1, Math.round(seconds / 60))) : '?');
    }
    case 'DIGEST_SENT':
      return book.digestSent(text('count'), time('at'));
    case 'SURVEY_ASKED':
      return book.surveyAsked;
    case 'QUIET_HOURS_HELD':
      return book.quietHeld(time('until'));
    case 'QUIET_HOURS_CRITICAL':
      return book.quietCritical;
    case 'DIGEST_DEFERRED':
      return book.digest(time('at'));
    case 'SCHEDULED':
      return book.scheduled(time('until'));
  }
}
