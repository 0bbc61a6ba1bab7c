import type { ChannelName, Locale, MessageClass } from '../notify/message-class.js';

/** Why Kabar may contact a citizen at all (ARCHITECTURE §4 step 3). Only `consent` needs a consent record. */
export const LAWFUL_BASES = ['consent', 'legal_obligation', 'public_task', 'vital_interest'] as const;
export type LawfulBasis = (typeof LAWFUL_BASES)[number];

/** Indonesia's three time zones, by their IANA names; WIB, WITA and WIT are how citizens say them. */
export const TIMEZONES = { WIB: 'Asia/Jakarta', WITA: 'Asia/Makassar', WIT: 'Asia/Jayapura' } as const;
export type TimezoneLabel = keyof typeof TIMEZONES;

/** A local wall-clock time, minutes after midnight (0..1439). */
export type MinuteOfDay = number;

/** A daily window in the citizen's own time zone; `start > end` wraps midnight (21:00–06:00). */
export interface QuietHours {
  readonly start: MinuteOfDay;
  readonly end: MinuteOfDay;
}

/** At most `count` notifications of a class per `periodSeconds`, across every agency. */
export interface FrequencyCap {
  readonly count: number;
  readonly periodSeconds: number;
}

/** Platform-wide settings the policy starts from; citizens may only tighten them. */
export interface PlatformPolicy {
  /** Per class; `critical` is never capped whatever is set here. */
  readonly caps: Readonly<Partial<Record<MessageClass, FrequencyCap>>>;
  /** Quiet hours for citizens who chose none; null means none. */
  readonly quietHours: QuietHours | null;
  /** When digests go out, local time. */
  readonly digestAt: MinuteOfDay;
  /** Fallback deadline when the event type sets none. */
  readonly fallbackAfterSeconds: number;
}

/** What the engine needs of an event type (the catalog holds more). */
export interface PolicyEventType {
  readonly id: string;
  readonly type: string;
  readonly agencyId: string;
  /** Shown in decision trails, e.g. "Dinas Kependudukan Kota Bandung". */
  readonly agencyName: string;
  readonly messageClass: MessageClass;
  /** Groups types for the citizen's channel order, e.g. `tax`, `civil-registry`, `health`. */
  readonly category: string;
  /** The purpose a consent must name when `basis` is `consent`, e.g. `tax-reminders`. */
  readonly purpose: string;
  readonly basis: LawfulBasis;
  readonly allowedChannels: readonly ChannelName[];
  /** Channels with a template for this type; a channel without one is never chosen. */
  readonly templatedChannels: readonly ChannelName[];
  /**
   * Cross-agency dedup: `key` is a template over `subject` and `data` (e.g. `death:{{data.deceasedNik}}`); two
   * events for one recipient whose keys match within `windowSeconds` become one notification.
   */
  readonly dedup: { readonly key: string; readonly windowSeconds: number } | null;
  readonly fallbackAfterSeconds: number | null;
}

export interface PolicyEvent {
  /** The stored event's id. */
  readonly id: string;
  readonly type: PolicyEventType;
  readonly subject: string | null;
  readonly data: unknown;
  /** When Kabar took the event in; consent and caps are judged as of this instant. */
  readonly receivedAt: Date;
  readonly expiresAt: Date | null;
  /** Agency-requested earliest send time (scheduled sends). */
  readonly notBefore: Date | null;
}

export interface ConsentRecord {
  readonly purpose: string;
  readonly action: 'granted' | 'withdrawn';
  readonly at: Date;
  readonly noticeVersion: string;
}

export interface PolicyContact {
  readonly id: string;
  readonly channel: ChannelName;
  readonly verified: boolean;
}

/** A citizen as the policy sees them: preferences, verified contact points, consent history. */
export interface PolicyCitizen {
  readonly id: string;
  readonly locale: Locale;
  readonly timezone: TimezoneLabel;
  /** Null: the platform default; a window with start = end: none at all. */
  readonly quietHours: QuietHours | null;
  /** Informational messages gathered into one daily digest. */
  readonly digest: boolean;
  /** The citizen's own caps; only tighter ones than the platform's take effect. */
  readonly caps: Readonly<Partial<Record<MessageClass, FrequencyCap>>>;
  /** Channel order per category; `*` is the order for any other category. */
  readonly channelOrder: Readonly<Record<string, readonly ChannelName[]>>;
  readonly contacts: readonly PolicyContact[];
  /** Every consent record, any order; the latest at or before an event's `receivedAt` counts. */
  readonly consents: readonly ConsentRecord[];
}

/** Who receives an event: the subject, or someone acting for them (a guardian), or an audience member. */
export interface Recipient {
  readonly citizen: PolicyCitizen;
  readonly role: 'subject' | 'delegate' | 'audience';
  /** For a delegate: the citizen the event is about. */
  readonly onBehalfOf: string | null;
}

/** What already happened, from storage, for the recipients of a batch. */
export interface PolicyHistory {
  /** Times of notifications counted against each citizen's caps, by class (only those inside the longest period matter). */
  readonly counted: ReadonlyMap<string, ReadonlyMap<MessageClass, readonly Date[]>>;
  /** Earlier notifications per `${citizenId} ${dedupKey}` still inside some window. */
  readonly dedup: ReadonlyMap<string, DedupHit>;
}

export interface DedupHit {
  readonly notificationId: string;
  readonly agencyName: string;
  readonly at: Date;
}

export interface ChannelTarget {
  readonly channel: ChannelName;
  /** Null for the inbox, which needs no contact point. */
  readonly contactPointId: string | null;
}

/** Every step's finding, stored with the notification and rendered into plain words for citizen and agency. */
export type DecisionCode =
  | 'EXPIRED'
  | 'NO_CONSENT'
  | 'CONSENT_OK'
  | 'BASIS_NO_CONSENT_NEEDED'
  | 'MERGED'
  | 'CAPPED_DEFERRED'
  | 'CAPPED_SUPPRESSED'
  | 'UNDER_CAP'
  | 'NOT_CAPPED_CRITICAL'
  | 'CHANNEL_CHOSEN'
  | 'NO_CHANNEL'
  | 'QUIET_HOURS_HELD'
  | 'QUIET_HOURS_CRITICAL'
  | 'DIGEST_DEFERRED'
  | 'SCHEDULED'
  | 'DELEGATE'
  /** Written by the hub's scheduler, not by `decide`: the next channel of the fallback chain was taken. */
  | 'FALLBACK'
  /** Written by the hub's scheduler: the deferred message went out in a digest. */
  | 'DIGEST_SENT'
  /** Written by the hub's planner: the agency's survey's first question followed the message (SMS, WhatsApp). */
  | 'SURVEY_ASKED';

export interface Decision {
  readonly step: 'validate' | 'recipients' | 'basis' | 'dedup' | 'caps' | 'channel' | 'quiet-hours' | 'digest' | 'schedule' | 'survey';
  readonly code: DecisionCode;
  /** Values for the sentence (ISO instants, channel names, agency names, counts): never personal data. */
  readonly params: Readonly<Record<string, string | number>>;
}

/** One (event, recipient) verdict. */
export type PolicyVerdict =
  | { readonly state: 'accepted'; readonly target: ChannelTarget; readonly fallback: readonly ChannelTarget[]; readonly fallbackAfterSeconds: number }
  /** Waiting for quiet hours to end or a scheduled time; released at `dueAt` on `target`. */
  | { readonly state: 'held'; readonly dueAt: Date; readonly target: ChannelTarget; readonly fallback: readonly ChannelTarget[]; readonly fallbackAfterSeconds: number }
  /** Gathered into the citizen's next digest at `dueAt`. */
  | { readonly state: 'deferred'; readonly dueAt: Date; readonly target: ChannelTarget; readonly fallback: readonly ChannelTarget[]; readonly fallbackAfterSeconds: number }
  | { readonly state: 'merged'; readonly mergedInto: string }
  | { readonly state: 'suppressed'; readonly reason: 'EXPIRED' | 'NO_CONSENT' | 'CAPPED' | 'NO_CHANNEL' };

export interface PolicyResult {
  /** This (event, recipient)'s notification, from `PolicyBatch.newId`; a later duplicate is merged into it. */
  readonly notificationId: string;
  readonly eventId: string;
  readonly recipient: Recipient;
  readonly verdict: PolicyVerdict;
  /** The recipient's dedup key, if the type has a rule (the caller stores its keyed hash). */
  readonly dedupKey: string | null;
  readonly decisions: readonly Decision[];
}

/** One event and everyone it goes to (resolved by `resolveRecipients` or an audience page). */
export interface PolicyBatchItem {
  readonly event: PolicyEvent;
  readonly recipients: readonly Recipient[];
}

/** Everything `decide` needs; it reads nothing else, so a batch is judged the same way on every replay. */
export interface PolicyBatch {
  readonly items: readonly PolicyBatchItem[];
  readonly history: PolicyHistory;
  readonly platform: PlatformPolicy;
  /** The instant the batch is judged at: expiry, scheduling and quiet hours are measured from here. */
  readonly now: Date;
  /** A fresh notification id, called once per (event, recipient) in result order. */
  readonly newId: () => string;
  /** Channels whose routes are up; absent means "assume all are". The inbox needs no route and is never excluded. */
  readonly healthyChannels?: ReadonlySet<ChannelName>;
}
