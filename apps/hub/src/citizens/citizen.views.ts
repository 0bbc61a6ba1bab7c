import type { InboxEntry } from '@kabar/persistence';

// What the citizen API shows; GraphQL models mirror these shapes, services build them.

export interface CitizenView {
  readonly id: string;
  readonly name: string | null;
  /** Masked: all but the last four digits hidden. */
  readonly nationalId: string | null;
  readonly regionCode: string | null;
  readonly language: string;
  readonly timezone: string;
  /** Null: the platform default; start = end: none. */
  readonly quietHours: { readonly start: string; readonly end: string } | null;
  readonly digest: boolean;
  readonly caps: readonly { readonly messageClass: string; readonly count: number; readonly periodSeconds: number }[];
  readonly channelOrder: readonly { readonly category: string; readonly channels: readonly string[] }[];
}

export interface ContactPointView {
  readonly id: string;
  readonly channel: string;
  /** Masked (+62812****7890, a***@example.com). */
  readonly address: string;
  readonly verified: boolean;
  readonly verifiedAt: Date | null;
  readonly verifiedBy: string | null;
  readonly invalid: boolean;
}

export type ConsentAction = 'granted' | 'withdrawn';

export interface ConsentReceiptView {
  readonly purpose: string;
  readonly action: ConsentAction;
  readonly basis: string;
  readonly noticeVersion: string;
  readonly channel: string | null;
  readonly evidence: Readonly<Record<string, string>>;
  readonly recordedAt: Date;
}

export interface ConsentStateView {
  readonly purpose: string;
  readonly granted: boolean;
  readonly noticeVersion: string;
  readonly since: Date;
}

export interface ConsentsView {
  readonly current: readonly ConsentStateView[];
  readonly history: readonly ConsentReceiptView[];
}

export type DelegationDirection = 'ACTS_FOR_ME' | 'I_ACT_FOR';

export interface DelegationView {
  readonly id: string;
  readonly direction: DelegationDirection;
  readonly relation: string;
  /** The other person: their citizen id and masked national ID (never their name, see `addDelegate`). */
  readonly citizenId: string;
  readonly nationalId: string | null;
  readonly since: Date;
}

export interface NotificationView {
  readonly id: string;
  readonly agencyName: string;
  readonly eventType: string;
  readonly messageClass: string | null;
  readonly channel: string | null;
  readonly state: string;
  readonly reason: string | null;
  readonly decisionTrail: readonly string[];
  readonly subject: string | null;
  readonly body: string | null;
  readonly dueAt: Date | null;
  readonly createdAt: Date;
  /** Sent to one of my delegates, about me. */
  readonly forDelegate: boolean;
  /** Received by me as a delegate: whom it is about (citizen id). */
  readonly onBehalfOf: string | null;
  readonly mergedInto: string | null;
  readonly purged: boolean;
}

/** A message of the citizen's Kabar inbox, as the store reads it. */
export type InboxMessageView = InboxEntry;

export interface InboxPageView {
  readonly messages: readonly InboxMessageView[];
  /** Unread in the whole inbox. */
  readonly unread: number;
  /** Opaque cursor for the next, older page; null on the last. */
  readonly next: string | null;
}

export interface ConsentPurposeView {
  readonly purpose: string;
  readonly noticeVersion: string;
  readonly agencies: readonly string[];
  readonly descriptions: readonly string[];
}
