// Fixture builders for the policy tests: each returns a complete, ordinary value that a test overrides only where the
// case under test differs, so every table row reads as "the usual, except ...".
import { MESSAGE_CLASSES, type MessageClass } from '@kabar/core';

import {
  decide,
  type DedupHit,
  DEFAULT_PLATFORM_POLICY,
  type PolicyBatch,
  type PolicyBatchItem,
  type PolicyCitizen,
  type PolicyContact,
  type PolicyEvent,
  type PolicyEventType,
  type PolicyHistory,
  type PolicyResult,
  type Recipient,
} from '../../src/policy/index.js';

export const at = (iso: string): Date => new Date(iso);

/** Tuesday 1 December 2026, 10:00 WIB / 11:00 WITA / 12:00 WIT: outside the default quiet hours everywhere. */
export const NOW = at('2026-12-01T03:00:00Z');

export const contact = (id: string, channel: PolicyContact['channel'], verified = true): PolicyContact => ({ id, channel, verified });

export function anEventType(overrides: Partial<PolicyEventType> = {}): PolicyEventType {
  return {
    id: 'et-pbb-due',
    type: 'tax.pbb.due',
    agencyId: 'ag-bapenda',
    agencyName: 'Bapenda Kota Bandung',
    messageClass: 'reminder',
    category: 'tax',
    purpose: 'tax-reminders',
    basis: 'public_task',
    allowedChannels: ['push', 'sms', 'email', 'inbox'],
    templatedChannels: ['push', 'sms', 'email', 'inbox'],
    dedup: null,
    fallbackAfterSeconds: null,
    ...overrides,
  };
}

export function anEvent(overrides: Partial<PolicyEvent> = {}): PolicyEvent {
  return { id: 'ev-1', type: anEventType(), subject: 'c-budi', data: {}, receivedAt: NOW, expiresAt: null, notBefore: null, ...overrides };
}

export function aCitizen(overrides: Partial<PolicyCitizen> = {}): PolicyCitizen {
  return {
    id: 'c-budi',
    locale: 'id',
    timezone: 'WIB',
    quietHours: null,
    digest: false,
    caps: {},
    channelOrder: { '*': ['push', 'sms', 'email'] },
    contacts: [contact('cp-push', 'push'), contact('cp-sms', 'sms'), contact('cp-email', 'email')],
    consents: [],
    ...overrides,
  };
}

export const asSubject = (citizen: PolicyCitizen): Recipient => ({ citizen, role: 'subject', onBehalfOf: null });

/** Stored history: cap-counted send times per citizen and class, and dedup hits per `${citizenId} ${key}`. */
export function aHistory(
  counted: Readonly<Record<string, Partial<Record<MessageClass, readonly string[]>>>> = {},
  dedup: Readonly<Record<string, DedupHit>> = {},
): PolicyHistory {
  return {
    counted: new Map(
      Object.entries(counted).map(([citizenId, byClass]) => [
        citizenId,
        new Map(MESSAGE_CLASSES.flatMap((messageClass): [MessageClass, Date[]][] => [[messageClass, (byClass[messageClass] ?? []).map(at)]])),
      ]),
    ),
    dedup: new Map(Object.entries(dedup)),
  };
}

/** A batch with sequential notification ids `n1`, `n2`, … so tests can name the one a duplicate merges into. */
export function aBatch(items: readonly PolicyBatchItem[], overrides: Partial<Omit<PolicyBatch, 'items' | 'newId'>> = {}): PolicyBatch {
  let next = 0;
  return { items, history: aHistory(), platform: DEFAULT_PLATFORM_POLICY, now: NOW, newId: () => `n${String(++next)}`, ...overrides };
}

/** Decides one event for one subject and returns its only result. */
export function decideOne(event: PolicyEvent, citizen: PolicyCitizen, overrides: Partial<Omit<PolicyBatch, 'items' | 'newId'>> = {}): PolicyResult {
  const [result, ...rest] = decide(aBatch([{ event, recipients: [asSubject(citizen)] }], overrides));
  if (result === undefined || rest.length > 0) throw new Error('expected exactly one result');
  return result;
}

export const codes = (result: PolicyResult): string[] => result.decisions.map((d) => d.code);
