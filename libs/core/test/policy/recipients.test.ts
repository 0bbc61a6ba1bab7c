import { describe, expect, it } from 'vitest';

import { type PolicyCitizen, resolveRecipients } from '../../src/policy/index.js';
import { aCitizen } from './builders.js';

describe('resolveRecipients', () => {
  const child = aCitizen({ id: 'c-anak' });
  const mother = aCitizen({ id: 'c-ibu' });
  const father = aCitizen({ id: 'c-ayah' });

  it.each<[string, PolicyCitizen | undefined, PolicyCitizen[], [string, string, string | null][]]>([
    ['no subject: nobody', undefined, [mother], []],
    ['the subject alone', child, [], [['c-anak', 'subject', null]]],
    [
      'the subject, then each delegate for them',
      child,
      [mother, father],
      [
        ['c-anak', 'subject', null],
        ['c-ibu', 'delegate', 'c-anak'],
        ['c-ayah', 'delegate', 'c-anak'],
      ],
    ],
    ['a subject listed as their own delegate gets one', child, [child, mother], [['c-anak', 'subject', null], ['c-ibu', 'delegate', 'c-anak']]],
    ['a delegate listed twice gets one', child, [mother, mother], [['c-anak', 'subject', null], ['c-ibu', 'delegate', 'c-anak']]],
  ])('%s', (_name, subject, delegates, expected) => {
    expect(resolveRecipients(subject, delegates).map((r) => [r.citizen.id, r.role, r.onBehalfOf])).toEqual(expected);
  });

  it('keeps each delegate’s own citizen record, preferences included', () => {
    const [, delegate] = resolveRecipients(child, [mother]);
    expect(delegate?.citizen).toBe(mother);
  });
});
