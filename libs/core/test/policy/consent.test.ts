import { describe, expect, it } from 'vitest';

import { type ConsentRecord, decide, type LawfulBasis } from '../../src/policy/index.js';
import { aBatch, aCitizen, anEvent, anEventType, asSubject, at, codes, decideOne } from './builders.js';

const grant = (iso: string, purpose = 'tax-reminders', noticeVersion = '2026-01'): ConsentRecord => ({ purpose, action: 'granted', at: at(iso), noticeVersion });
const withdraw = (iso: string, purpose = 'tax-reminders'): ConsentRecord => ({ purpose, action: 'withdrawn', at: at(iso), noticeVersion: '2026-01' });

describe('decide: lawful basis', () => {
  const byConsent = anEventType({ basis: 'consent' });
  const received = '2026-12-01T02:00:00Z';

  it.each<[string, ConsentRecord[], string | null]>([
    ['no record at all', [], null],
    ['granted earlier', [grant('2026-06-01T00:00:00Z', 'tax-reminders', '2026-05')], '2026-05'],
    ['granted exactly at receipt', [grant(received)], '2026-01'],
    ['granted a second after receipt', [grant('2026-12-01T02:00:01Z')], null],
    ['granted, then withdrawn', [grant('2026-06-01T00:00:00Z'), withdraw('2026-11-01T00:00:00Z')], null],
    ['withdrawn, then granted again', [withdraw('2026-06-01T00:00:00Z'), grant('2026-11-01T00:00:00Z')], '2026-01'],
    ['records out of order: the latest counts, not the last', [grant('2026-11-01T00:00:00Z'), withdraw('2026-06-01T00:00:00Z')], '2026-01'],
    ['a withdrawal after receipt does not reach back', [grant('2026-06-01T00:00:00Z'), withdraw('2026-12-01T02:00:01Z')], '2026-01'],
    ['same instant: the later record in the array wins (granted)', [withdraw(received), grant(received)], '2026-01'],
    ['same instant: the later record in the array wins (withdrawn)', [grant(received), withdraw(received)], null],
    ['consent for another purpose does not count', [grant('2026-06-01T00:00:00Z', 'health-reminders')], null],
  ])('%s', (_name, consents, noticeVersion) => {
    const result = decideOne(anEvent({ type: byConsent, receivedAt: at(received) }), aCitizen({ consents }));
    const expected =
      noticeVersion === null
        ? { verdict: { state: 'suppressed', reason: 'NO_CONSENT' }, first: { step: 'basis', code: 'NO_CONSENT', params: { purpose: 'tax-reminders' } } }
        : { verdict: { state: 'accepted' }, first: { step: 'basis', code: 'CONSENT_OK', params: { purpose: 'tax-reminders', noticeVersion } } };
    expect(result.verdict).toMatchObject(expected.verdict);
    expect(result.decisions[0]).toEqual(expected.first);
    // A refusal ends the trail: nothing after the basis step is judged for a message that may not be sent.
    expect(result.decisions.length === 1).toBe(noticeVersion === null);
  });

  it.each<LawfulBasis>(['legal_obligation', 'public_task', 'vital_interest'])('basis %s needs no consent record', (basis) => {
    const result = decideOne(anEvent({ type: anEventType({ basis }) }), aCitizen({ consents: [] }));
    expect(result.verdict.state).toBe('accepted');
    expect(result.decisions[0]).toEqual({ step: 'basis', code: 'BASIS_NO_CONSENT_NEEDED', params: { basis } });
  });

  it('judges each event of a batch as of its receipt: consent withdrawn between two events stops only the later one', () => {
    const citizen = aCitizen({ consents: [grant('2026-11-01T00:00:00Z'), withdraw('2026-12-01T02:30:00Z')] });
    const results = decide(
      aBatch([
        { event: anEvent({ id: 'before', type: byConsent, receivedAt: at('2026-12-01T02:00:00Z') }), recipients: [asSubject(citizen)] },
        { event: anEvent({ id: 'after', type: byConsent, receivedAt: at('2026-12-01T02:45:00Z') }), recipients: [asSubject(citizen)] },
      ]),
    );
    expect(results.map((r) => [r.eventId, r.verdict.state, codes(r)[0]])).toEqual([
      ['before', 'accepted', 'CONSENT_OK'],
      ['after', 'suppressed', 'NO_CONSENT'],
    ]);
  });
});
