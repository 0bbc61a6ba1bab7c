import { describe, expect, it } from 'vitest';

import { decide, DEFAULT_PLATFORM_POLICY, type PolicyVerdict, resolveRecipients } from '../../src/policy/index.js';
import { aBatch, aCitizen, anEvent, anEventType, asSubject, at, codes, decideOne, NOW } from './builders.js';

const PUSH = { target: { channel: 'push', contactPointId: 'cp-push' } } as const;

describe('decide: batch shape', () => {
  it('returns one result per (event, recipient), in input order, each with its own notification id', () => {
    const budi = aCitizen();
    const siti = aCitizen({ id: 'c-siti' });
    const results = decide(
      aBatch([
        { event: anEvent({ id: 'ev-a' }), recipients: [asSubject(budi), asSubject(siti)] },
        { event: anEvent({ id: 'ev-b' }), recipients: [] },
        { event: anEvent({ id: 'ev-c' }), recipients: [asSubject(siti), asSubject(budi)] },
      ]),
    );
    expect(results.map((r) => [r.notificationId, r.eventId, r.recipient.citizen.id])).toEqual([
      ['n1', 'ev-a', 'c-budi'],
      ['n2', 'ev-a', 'c-siti'],
      ['n3', 'ev-c', 'c-siti'],
      ['n4', 'ev-c', 'c-budi'],
    ]);
  });

  it('records every step of an ordinary send, in the architecture’s order', () => {
    const result = decideOne(anEvent(), aCitizen());
    expect(result.decisions.map((d) => [d.step, d.code])).toEqual([
      ['basis', 'BASIS_NO_CONSENT_NEEDED'],
      ['caps', 'UNDER_CAP'],
      ['channel', 'CHANNEL_CHOSEN'],
    ]);
    expect(result.verdict).toEqual({
      state: 'accepted',
      ...PUSH,
      fallback: [{ channel: 'sms', contactPointId: 'cp-sms' }, { channel: 'email', contactPointId: 'cp-email' }, { channel: 'inbox', contactPointId: null }],
      fallbackAfterSeconds: 600,
    });
    expect(result.dedupKey).toBeNull();
  });

  it('gives an empty batch no results and asks for no id', () => {
    expect(decide({ ...aBatch([]), newId: () => expect.unreachable('no id for no result') })).toEqual([]);
  });
});

describe('decide: expiry', () => {
  it.each([
    ['expired before now', '2026-12-01T02:59:59Z', 'suppressed'],
    ['expiring exactly now', '2026-12-01T03:00:00Z', 'suppressed'],
    ['expiring a second from now', '2026-12-01T03:00:01Z', 'accepted'],
  ])('%s', (_name, expiresAt, state) => {
    expect(decideOne(anEvent({ expiresAt: at(expiresAt) }), aCitizen()).verdict.state).toBe(state);
  });

  it('stops at once and says why', () => {
    const result = decideOne(anEvent({ expiresAt: at('2026-12-01T02:00:00Z'), type: anEventType({ basis: 'consent' }) }), aCitizen());
    expect(result.verdict).toEqual({ state: 'suppressed', reason: 'EXPIRED' });
    expect(result.decisions).toEqual([{ step: 'validate', code: 'EXPIRED', params: { expiresAt: '2026-12-01T02:00:00.000Z' } }]);
  });
});

describe('decide: schedule, quiet hours and digest', () => {
  const LATE = at('2026-12-01T15:30:00Z'); // 22:30 WIB, 23:30 WITA, 00:30 WIT on 2 December
  const informational = anEventType({ messageClass: 'informational', category: 'news' });
  const critical = anEventType({ messageClass: 'critical', category: 'disaster' });

  it.each<[string, Parameters<typeof anEvent>[0], Parameters<typeof aCitizen>[0], Date, Partial<PolicyVerdict>, string[]]>([
    ['daytime: sent now', {}, {}, NOW, { state: 'accepted', ...PUSH }, []],
    ['22:30 WIB: held until 06:00 WIB', {}, {}, LATE, { state: 'held', dueAt: at('2026-12-01T23:00:00Z'), ...PUSH }, ['QUIET_HOURS_HELD']],
    ['00:30 WIT the same instant: held until 06:00 WIT, two hours earlier', {}, { timezone: 'WIT' }, LATE, { state: 'held', dueAt: at('2026-12-01T21:00:00Z') }, ['QUIET_HOURS_HELD']],
    ['the citizen’s own window replaces the platform’s', {}, { quietHours: { start: 23 * 60, end: 7 * 60 } }, LATE, { state: 'accepted' }, []],
    ['a window with start = end: no quiet hours', {}, { quietHours: { start: 0, end: 0 } }, LATE, { state: 'accepted' }, []],
    ['critical during quiet hours: sent at once', { type: critical }, {}, LATE, { state: 'accepted', ...PUSH }, ['QUIET_HOURS_CRITICAL']],
    ['scheduled: held until notBefore', { notBefore: at('2026-12-02T01:00:00Z') }, {}, NOW, { state: 'held', dueAt: at('2026-12-02T01:00:00Z'), ...PUSH }, ['SCHEDULED']],
    ['scheduled into the night: then held for quiet hours', { notBefore: at('2026-12-01T15:00:00Z') }, {}, NOW, { state: 'held', dueAt: at('2026-12-01T23:00:00Z') }, ['SCHEDULED', 'QUIET_HOURS_HELD']],
    ['scheduled critical into the night: held only until notBefore', { type: critical, notBefore: at('2026-12-01T15:00:00Z') }, {}, NOW, { state: 'held', dueAt: at('2026-12-01T15:00:00Z') }, ['SCHEDULED', 'QUIET_HOURS_CRITICAL']],
    ['notBefore already passed: sent now', { notBefore: at('2026-12-01T02:00:00Z') }, {}, NOW, { state: 'accepted' }, []],
    ['notBefore exactly now: sent now', { notBefore: NOW }, {}, NOW, { state: 'accepted' }, []],
    ['informational, digest chosen: deferred to 19:00 WIB', { type: informational }, { digest: true }, NOW, { state: 'deferred', dueAt: at('2026-12-01T12:00:00Z'), ...PUSH }, ['DIGEST_DEFERRED']],
    ['informational in quiet hours, digest chosen: the digest wins', { type: informational }, { digest: true }, LATE, { state: 'deferred', dueAt: at('2026-12-02T12:00:00Z') }, ['DIGEST_DEFERRED']],
    ['informational, no digest: an ordinary send', { type: informational }, { digest: false }, NOW, { state: 'accepted' }, []],
    ['informational, no digest, at night: held', { type: informational }, { digest: false }, LATE, { state: 'held', dueAt: at('2026-12-01T23:00:00Z') }, ['QUIET_HOURS_HELD']],
    ['a reminder ignores the digest choice', {}, { digest: true }, NOW, { state: 'accepted' }, []],
    ['scheduled informational: the digest after notBefore', { type: informational, notBefore: at('2026-12-01T13:00:00Z') }, { digest: true }, NOW, { state: 'deferred', dueAt: at('2026-12-02T12:00:00Z') }, ['SCHEDULED', 'DIGEST_DEFERRED']],
  ])('%s', (_name, event, citizen, now, verdict, timingCodes) => {
    const result = decideOne(anEvent({ receivedAt: now, ...event }), aCitizen(citizen), { now });
    expect(result.verdict).toMatchObject(verdict);
    expect(codes(result).slice(3)).toEqual(timingCodes);
  });

  it('moves a digest that falls in quiet hours to their end', () => {
    const platform = { ...DEFAULT_PLATFORM_POLICY, digestAt: 22 * 60 };
    const result = decideOne(anEvent({ type: informational }), aCitizen({ digest: true }), { platform });
    expect(result.verdict).toMatchObject({ state: 'deferred', dueAt: at('2026-12-01T23:00:00Z') });
    expect(result.decisions.at(-1)).toEqual({ step: 'digest', code: 'DIGEST_DEFERRED', params: { at: '2026-12-01T23:00:00.000Z' } });
  });

  it('records the hold with its end and the citizen’s zone', () => {
    const result = decideOne(anEvent({ receivedAt: LATE }), aCitizen({ timezone: 'WIT' }), { now: LATE });
    expect(result.decisions.at(-1)).toEqual({ step: 'quiet-hours', code: 'QUIET_HOURS_HELD', params: { until: '2026-12-01T21:00:00.000Z', timezone: 'WIT' } });
  });

  it('records the schedule with its instant', () => {
    const result = decideOne(anEvent({ notBefore: at('2026-12-02T01:00:00Z') }), aCitizen());
    expect(result.decisions.at(-1)).toEqual({ step: 'schedule', code: 'SCHEDULED', params: { until: '2026-12-02T01:00:00.000Z' } });
  });
});

describe('decide: a delegate who is also a citizen', () => {
  const LATE = at('2026-12-01T15:30:00Z');
  const child = aCitizen({ id: 'c-anak', channelOrder: { '*': ['push'] } });
  // The mother is a citizen in her own right: SMS first, no quiet hours, living in Jayapura, a consent of her own.
  const mother = aCitizen({
    id: 'c-ibu',
    timezone: 'WIT',
    quietHours: { start: 0, end: 0 },
    channelOrder: { '*': ['sms', 'push'] },
    contacts: [{ id: 'cp-ibu-sms', channel: 'sms', verified: true }],
    consents: [{ purpose: 'school-news', action: 'granted', at: at('2026-01-01T00:00:00Z'), noticeVersion: '1' }],
  });

  it('applies each recipient’s own channel order and quiet hours', () => {
    const results = decide(aBatch([{ event: anEvent({ subject: 'c-anak', receivedAt: LATE }), recipients: resolveRecipients(child, [mother]) }], { now: LATE }));

    expect(results.map((r) => [r.recipient.citizen.id, r.recipient.role, r.verdict])).toEqual([
      ['c-anak', 'subject', { state: 'held', dueAt: at('2026-12-01T23:00:00Z'), target: { channel: 'push', contactPointId: 'cp-push' }, fallback: [{ channel: 'inbox', contactPointId: null }], fallbackAfterSeconds: 600 }],
      ['c-ibu', 'delegate', { state: 'accepted', target: { channel: 'sms', contactPointId: 'cp-ibu-sms' }, fallback: [{ channel: 'inbox', contactPointId: null }], fallbackAfterSeconds: 600 }],
    ]);
    expect(results[1]?.decisions[0]).toEqual({ step: 'recipients', code: 'DELEGATE', params: { onBehalfOf: 'c-anak' } });
    expect(results.map(codes)[0]).not.toContain('DELEGATE');
  });

  it('applies the delegate’s own consents', () => {
    const byConsent = anEventType({ basis: 'consent', purpose: 'school-news' });
    const results = decide(aBatch([{ event: anEvent({ type: byConsent }), recipients: resolveRecipients(child, [mother]) }]));
    expect(results.map((r) => r.verdict.state)).toEqual(['suppressed', 'accepted']);
  });
});
