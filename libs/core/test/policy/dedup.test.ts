import { describe, expect, it } from 'vitest';

import { decide, dedupKeyOf, resolveRecipients } from '../../src/policy/index.js';
import { aBatch, aCitizen, aHistory, anEvent, anEventType, asSubject, at, decideOne } from './builders.js';

describe('dedupKeyOf', () => {
  it.each<[string, string, string | null, unknown, string | null]>([
    ['the subject', 'death:{{subject}}', '3273010101800001', {}, 'death:3273010101800001'],
    ['a nested data path', 'death:{{data.deceased.nik}}', null, { deceased: { nik: '3273' } }, 'death:3273'],
    ['several placeholders and spaces inside braces', '{{ subject }}/{{data.year}}/{{data.paid}}', 's1', { year: 2026, paid: false }, 's1/2026/false'],
    ['no placeholder: a constant key', 'flood-warning', null, {}, 'flood-warning'],
    ['a missing path: no key at all', 'death:{{data.deceasedNik}}', 's1', { other: 1 }, null],
    ['a null subject: no key', 'death:{{subject}}', null, {}, null],
    ['an empty string cannot key', 'death:{{data.nik}}', null, { nik: '' }, null],
    ['an object cannot key', 'death:{{data.deceased}}', null, { deceased: { nik: '1' } }, null],
    ['null data', 'death:{{data.nik}}', null, null, null],
    ['an unknown root', 'x:{{event.id}}', 's1', {}, null],
    ['a path below the subject', 'x:{{subject.id}}', 's1', {}, null],
    ['inherited properties are not data', 'x:{{data.constructor}}', null, {}, null],
  ])('%s', (_name, template, subject, data, expected) => {
    expect(dedupKeyOf(template, { subject, data })).toBe(expected);
  });
});

describe('decide: dedup across agencies', () => {
  const HOUR = 3600;
  const citizen = aCitizen();
  const dukcapil = anEventType({ id: 'et-death-reg', agencyName: 'Dinas Kependudukan', category: 'civil-registry', dedup: { key: 'death:{{data.nik}}', windowSeconds: HOUR } });
  const hospital = anEventType({ id: 'et-death-rs', agencyName: 'RSUD Kota Bandung', category: 'health', dedup: { key: 'death:{{data.nik}}', windowSeconds: HOUR } });
  const data = { nik: '3273010101800001' };
  const key = 'death:3273010101800001';

  it.each([
    ['exactly at the window merges', '2026-12-01T02:00:00Z', { state: 'merged', mergedInto: 'n-stored' }, 'MERGED'],
    ['inside the window merges', '2026-12-01T02:30:00Z', { state: 'merged', mergedInto: 'n-stored' }, 'MERGED'],
    ['one second past the window does not', '2026-12-01T01:59:59Z', { state: 'accepted' }, 'CHANNEL_CHOSEN'],
  ])('a stored notification: %s', (_name, storedAt, verdict, lastCode) => {
    const history = aHistory({}, { [`${citizen.id} ${key}`]: { notificationId: 'n-stored', agencyName: 'Dinas Kependudukan', at: at(storedAt) } });
    const result = decideOne(anEvent({ type: hospital, data, receivedAt: at('2026-12-01T03:00:00Z') }), citizen, { history });

    expect(result.verdict).toMatchObject(verdict);
    expect(result.dedupKey).toBe(key);
    expect(result.decisions.at(-1)?.code).toBe(lastCode);
  });

  it('records who sent the merged-into message and when', () => {
    const history = aHistory({}, { [`${citizen.id} ${key}`]: { notificationId: 'n-stored', agencyName: 'Dinas Kependudukan', at: at('2026-12-01T02:02:00Z') } });
    const result = decideOne(anEvent({ type: hospital, data }), citizen, { history });
    expect(result.decisions.at(-1)).toEqual({ step: 'dedup', code: 'MERGED', params: { agency: 'Dinas Kependudukan', at: '2026-12-01T02:02:00.000Z' } });
  });

  it('merges the second of two agencies’ events in one batch into the first one’s notification', () => {
    const results = decide(
      aBatch([
        { event: anEvent({ id: 'ev-dukcapil', type: dukcapil, data, receivedAt: at('2026-12-01T02:00:00Z') }), recipients: [asSubject(citizen)] },
        { event: anEvent({ id: 'ev-rs', type: hospital, data, receivedAt: at('2026-12-01T02:10:00Z') }), recipients: [asSubject(citizen)] },
      ]),
    );

    expect(results.map((r) => [r.notificationId, r.verdict.state, r.dedupKey])).toEqual([
      ['n1', 'accepted', key],
      ['n2', 'merged', key],
    ]);
    expect(results[1]?.verdict).toEqual({ state: 'merged', mergedInto: 'n1' });
    expect(results[1]?.decisions.at(-1)?.params).toEqual({ agency: 'Dinas Kependudukan', at: '2026-12-01T02:00:00.000Z' });
  });

  it('prefers this batch’s notification over an older stored one that the window has left behind', () => {
    const history = aHistory({}, { [`${citizen.id} ${key}`]: { notificationId: 'n-stored', agencyName: 'Dinas Kependudukan', at: at('2026-11-30T02:00:00Z') } });
    const results = decide(
      aBatch(
        [
          { event: anEvent({ id: 'a', type: dukcapil, data, receivedAt: at('2026-12-01T02:00:00Z') }), recipients: [asSubject(citizen)] },
          { event: anEvent({ id: 'b', type: hospital, data, receivedAt: at('2026-12-01T02:59:00Z') }), recipients: [asSubject(citizen)] },
        ],
        { history },
      ),
    );
    expect(results.map((r) => r.verdict)).toEqual([expect.objectContaining({ state: 'accepted' }), { state: 'merged', mergedInto: 'n1' }]);
  });

  it('keys per recipient: the subject and a guardian each get one notification', () => {
    const guardian = aCitizen({ id: 'c-ibu' });
    const recipients = resolveRecipients(citizen, [guardian]);
    const results = decide(
      aBatch([
        { event: anEvent({ id: 'a', type: dukcapil, data }), recipients },
        { event: anEvent({ id: 'b', type: hospital, data }), recipients },
      ]),
    );
    expect(results.map((r) => [r.recipient.citizen.id, r.notificationId, r.verdict.state === 'merged' ? r.verdict.mergedInto : r.verdict.state])).toEqual([
      ['c-budi', 'n1', 'accepted'],
      ['c-ibu', 'n2', 'accepted'],
      ['c-budi', 'n3', 'n1'],
      ['c-ibu', 'n4', 'n2'],
    ]);
  });

  it('does not dedup an event whose key cannot be filled', () => {
    const results = decide(
      aBatch([
        { event: anEvent({ id: 'a', type: dukcapil, data: {} }), recipients: [asSubject(citizen)] },
        { event: anEvent({ id: 'b', type: hospital, data: {} }), recipients: [asSubject(citizen)] },
      ]),
    );
    expect(results.map((r) => [r.verdict.state, r.dedupKey])).toEqual([
      ['accepted', null],
      ['accepted', null],
    ]);
    expect(results.flatMap((r) => r.decisions.map((d) => d.step))).not.toContain('dedup');
  });

  it('does not merge into a notification that was suppressed: the second agency may still reach the citizen', () => {
    const noTemplate = anEventType({ ...dukcapil, templatedChannels: [] });
    const results = decide(
      aBatch([
        { event: anEvent({ id: 'a', type: noTemplate, data }), recipients: [asSubject(citizen)] },
        { event: anEvent({ id: 'b', type: hospital, data }), recipients: [asSubject(citizen)] },
      ]),
    );
    expect(results.map((r) => [r.verdict.state, r.dedupKey])).toEqual([
      ['suppressed', key],
      ['accepted', key],
    ]);
  });
});
