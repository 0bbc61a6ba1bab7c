import type { MessageClass } from '@kabar/core';
import { describe, expect, it } from 'vitest';

import { decide, DEFAULT_PLATFORM_POLICY, effectiveCap, type FrequencyCap, type PlatformPolicy } from '../../src/policy/index.js';
import { aBatch, aCitizen, aHistory, anEvent, anEventType, asSubject, at, decideOne, NOW } from './builders.js';

const DAY = 86_400;
const WEEK = 7 * DAY;
const perWeek = (count: number): FrequencyCap => ({ count, periodSeconds: WEEK });
const perDay = (count: number): FrequencyCap => ({ count, periodSeconds: DAY });

describe('effectiveCap', () => {
  const platform = (caps: PlatformPolicy['caps']): PlatformPolicy => ({ ...DEFAULT_PLATFORM_POLICY, caps });

  it.each<[string, PlatformPolicy['caps'], ReturnType<typeof aCitizen>['caps'], MessageClass, FrequencyCap | null]>([
    ['the platform cap alone', { reminder: perWeek(5) }, {}, 'reminder', perWeek(5)],
    ['the citizen cap alone', {}, { reminder: perWeek(2) }, 'reminder', perWeek(2)],
    ['no cap at all', {}, {}, 'reminder', null],
    ['a tighter citizen cap wins', { reminder: perWeek(5) }, { reminder: perWeek(2) }, 'reminder', perWeek(2)],
    ['a looser citizen cap is ignored', { reminder: perWeek(5) }, { reminder: perWeek(10) }, 'reminder', perWeek(5)],
    ['rates compare across periods: 1/day is looser than 5/week', { reminder: perWeek(5) }, { reminder: perDay(1) }, 'reminder', perWeek(5)],
    ['rates compare across periods: 1/day is tighter than 20/day', { transactional: perDay(20) }, { transactional: perDay(1) }, 'transactional', perDay(1)],
    ['equal rates: the smaller burst wins', { reminder: perWeek(7) }, { reminder: perDay(1) }, 'reminder', perDay(1)],
    ['a citizen cap of zero stops the class', { informational: perWeek(3) }, { informational: perWeek(0) }, 'informational', perWeek(0)],
    ['other classes are untouched', { reminder: perWeek(5) }, { informational: perWeek(1) }, 'reminder', perWeek(5)],
    ['critical is never capped', { critical: perDay(1) }, { critical: perDay(1) }, 'critical', null],
  ])('%s', (_name, platformCaps, citizenCaps, messageClass, expected) => {
    expect(effectiveCap(platform(platformCaps), aCitizen({ caps: citizenCaps }), messageClass)).toEqual(expected);
  });

  it('ships the platform defaults', () => {
    expect(DEFAULT_PLATFORM_POLICY).toEqual({
      caps: { transactional: perDay(20), reminder: perWeek(5), informational: perWeek(3) },
      quietHours: { start: 1260, end: 360 },
      digestAt: 1140,
      fallbackAfterSeconds: 600,
    });
  });
});

describe('decide: frequency caps', () => {
  const citizen = aCitizen({ caps: { reminder: perWeek(3) } });
  const reminder = anEvent();

  it.each<[string, readonly string[], string, Record<string, string | number>]>([
    ['nothing sent yet', [], 'accepted', { messageClass: 'reminder', count: 0, limit: 3, periodSeconds: WEEK }],
    ['cap exactly reached by this one: 2 counted, limit 3, it goes out', ['2026-11-28T03:00:00Z', '2026-11-30T03:00:00Z'], 'accepted', { messageClass: 'reminder', count: 2, limit: 3, periodSeconds: WEEK }],
    ['3 counted: over the cap', ['2026-11-28T03:00:00Z', '2026-11-29T03:00:00Z', '2026-11-30T03:00:00Z'], 'deferred', { messageClass: 'reminder', count: 3, limit: 3, periodSeconds: WEEK, at: '2026-12-01T12:00:00.000Z' }],
    ['one exactly a period ago has left the window', ['2026-11-24T03:00:00Z', '2026-11-29T03:00:00Z', '2026-11-30T03:00:00Z'], 'accepted', { messageClass: 'reminder', count: 2, limit: 3, periodSeconds: WEEK }],
    ['one a second inside the period still counts', ['2026-11-24T03:00:01Z', '2026-11-29T03:00:00Z', '2026-11-30T03:00:00Z'], 'deferred', { messageClass: 'reminder', count: 3, limit: 3, periodSeconds: WEEK, at: '2026-12-01T12:00:00.000Z' }],
  ])('%s', (_name, counted, state, params) => {
    const result = decideOne(reminder, citizen, { history: aHistory({ [citizen.id]: { reminder: counted } }) });
    expect(result.verdict.state).toBe(state);
    expect(result.decisions.find((d) => d.step === 'caps')?.params).toEqual(params);
  });

  it('counts only the same citizen and the same class', () => {
    const history = aHistory({ [citizen.id]: { informational: ['2026-11-30T03:00:00Z', '2026-11-30T04:00:00Z', '2026-11-30T05:00:00Z'] }, 'c-other': { reminder: ['2026-11-30T03:00:00Z', '2026-11-30T04:00:00Z', '2026-11-30T05:00:00Z'] } });
    expect(decideOne(reminder, citizen, { history }).verdict.state).toBe('accepted');
  });

  it('counts earlier results of the same batch across agencies: with 3 reminders a week, the 4th is deferred', () => {
    const bapenda = anEventType();
    const dinkes = anEventType({ id: 'et-imunisasi', agencyId: 'ag-dinkes', agencyName: 'Dinas Kesehatan', category: 'health', purpose: 'health-reminders' });
    const events = [bapenda, dinkes, bapenda, dinkes].map((type, i) => anEvent({ id: `ev-${String(i + 1)}`, type, receivedAt: at(`2026-12-01T02:0${String(i)}:00Z`) }));
    const results = decide(aBatch(events.map((event) => ({ event, recipients: [asSubject(citizen)] }))));

    expect(results.map((r) => r.verdict.state)).toEqual(['accepted', 'accepted', 'accepted', 'deferred']);
    expect(results[3]?.decisions.find((d) => d.step === 'caps')).toEqual({
      step: 'caps',
      code: 'CAPPED_DEFERRED',
      params: { messageClass: 'reminder', count: 3, limit: 3, periodSeconds: WEEK, at: '2026-12-01T12:00:00.000Z' },
    });
    // Deferred into the digest, but still routed: the digest goes out on the citizen's channel like anything else.
    expect(results[3]?.verdict).toEqual({
      state: 'deferred',
      dueAt: at('2026-12-01T12:00:00Z'),
      target: { channel: 'push', contactPointId: 'cp-push' },
      fallback: [{ channel: 'sms', contactPointId: 'cp-sms' }, { channel: 'email', contactPointId: 'cp-email' }, { channel: 'inbox', contactPointId: null }],
      fallbackAfterSeconds: 600,
    });
  });

  it('counts held results but not deferred, merged or suppressed ones', () => {
    const twoAWeek = aCitizen({ caps: { reminder: perWeek(2) } });
    const keyed = anEventType({ dedup: { key: 'pbb:{{data.nop}}', windowSeconds: DAY } });
    const unreachable = anEventType({ allowedChannels: ['whatsapp'] });
    const events = [
      anEvent({ id: 'suppressed', type: unreachable }),
      anEvent({ id: 'held', notBefore: at('2026-12-02T01:00:00Z') }),
      anEvent({ id: 'first-keyed', type: keyed, data: { nop: '32.73.1' } }),
      anEvent({ id: 'merged', type: keyed, data: { nop: '32.73.1' } }),
      anEvent({ id: 'deferred' }),
      anEvent({ id: 'deferred-too' }),
    ];
    const results = decide(aBatch(events.map((event) => ({ event, recipients: [asSubject(twoAWeek)] }))));

    expect(results.map((r) => [r.eventId, r.verdict.state])).toEqual([
      ['suppressed', 'suppressed'],
      ['held', 'held'],
      ['first-keyed', 'accepted'],
      ['merged', 'merged'],
      ['deferred', 'deferred'],
      ['deferred-too', 'deferred'],
    ]);
    expect(results.map((r) => r.decisions.find((d) => d.step === 'caps')?.params['count'])).toEqual([0, 0, 1, undefined, 2, 2]);
  });

  it.each([
    ['expiring before the digest', '2026-12-01T11:00:00Z', { state: 'suppressed', reason: 'CAPPED' }, 'CAPPED_SUPPRESSED'],
    ['expiring exactly at the digest', '2026-12-01T12:00:00Z', { state: 'suppressed', reason: 'CAPPED' }, 'CAPPED_SUPPRESSED'],
    ['expiring a second after the digest', '2026-12-01T12:00:01Z', { state: 'deferred', dueAt: at('2026-12-01T12:00:00Z') }, 'CAPPED_DEFERRED'],
  ])('over the cap and %s', (_name, expiresAt, verdict, code) => {
    const history = aHistory({ [citizen.id]: { reminder: ['2026-11-29T03:00:00Z', '2026-11-30T03:00:00Z', '2026-11-30T04:00:00Z'] } });
    const result = decideOne(anEvent({ expiresAt: at(expiresAt) }), citizen, { history });
    expect(result.verdict).toMatchObject(verdict);
    expect(result.decisions.find((d) => d.step === 'caps')?.code).toBe(code);
  });

  it('never caps critical messages', () => {
    const platform = { ...DEFAULT_PLATFORM_POLICY, caps: { critical: perDay(1) } };
    const history = aHistory({ [citizen.id]: { critical: ['2026-12-01T01:00:00Z', '2026-12-01T02:00:00Z'] } });
    const result = decideOne(anEvent({ type: anEventType({ messageClass: 'critical' }) }), citizen, { platform, history });
    expect(result.verdict.state).toBe('accepted');
    expect(result.decisions.find((d) => d.step === 'caps')).toEqual({ step: 'caps', code: 'NOT_CAPPED_CRITICAL', params: {} });
  });

  it('records UNDER_CAP without a limit when no cap applies', () => {
    const platform = { ...DEFAULT_PLATFORM_POLICY, caps: {} };
    const result = decideOne(anEvent(), aCitizen(), { platform });
    expect(result.decisions.find((d) => d.step === 'caps')).toEqual({ step: 'caps', code: 'UNDER_CAP', params: {} });
  });

  it('defers into the digest after a scheduled notBefore, not before it', () => {
    const history = aHistory({ [citizen.id]: { reminder: ['2026-11-29T03:00:00Z', '2026-11-30T03:00:00Z', '2026-11-30T04:00:00Z'] } });
    const result = decideOne(anEvent({ notBefore: at('2026-12-01T13:00:00Z') }), citizen, { history, now: NOW });
    expect(result.verdict).toMatchObject({ state: 'deferred', dueAt: at('2026-12-02T12:00:00Z') });
  });
});
