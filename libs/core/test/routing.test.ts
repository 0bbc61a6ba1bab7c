import { chooseChannel, chooseLocale, type ContactOption, DataValidator } from '@kabar/core';
import { describe, expect, it } from 'vitest';

const contact = (id: string, channel: ContactOption['channel'], verified: boolean, position: number): ContactOption => ({ id, channel, verified, position });

describe('chooseChannel', () => {
  it.each([
    ['first verified allowed, in the citizen order', ['sms', 'email'], [contact('e', 'email', true, 1), contact('s', 'sms', true, 0)], { channel: 'sms', contactPointId: 's' }],
    ['skips unverified points', ['sms', 'email'], [contact('s', 'sms', false, 0), contact('e', 'email', true, 1)], { channel: 'email', contactPointId: 'e' }],
    ['skips channels the type does not allow', ['email'], [contact('s', 'sms', true, 0), contact('e', 'email', true, 1)], { channel: 'email', contactPointId: 'e' }],
    ['falls back to the inbox when allowed', ['sms', 'inbox'], [contact('s', 'sms', false, 0)], { channel: 'inbox', contactPointId: null }],
    ['nothing when no channel fits', ['push'], [contact('s', 'sms', true, 0)], null],
  ] as const)('%s', (_name, allowed, contacts, expected) => {
    expect(chooseChannel(allowed, contacts)).toEqual(expected);
  });
});

describe('chooseLocale', () => {
  it.each([
    ['en', 'id', ['id', 'en'], 'en'],
    ['en', 'id', ['id'], 'id'],
    ['id', 'en', ['en'], 'en'],
  ] as const)('citizen %s, agency %s, templates %j -> %s', (citizen, agency, available, expected) => {
    expect(chooseLocale(citizen, agency, available)).toBe(expected);
  });
});

describe('DataValidator', () => {
  const validator = new DataValidator();
  const schema = { type: 'object', required: ['amount'], properties: { amount: { type: 'number', minimum: 0 }, due: { type: 'string', format: 'date' } } };

  it('accepts valid data and lists every problem of invalid data', () => {
    expect(validator.problems(schema, { amount: 5, due: '2026-12-31' }, 's1')).toEqual([]);
    expect(validator.problems(schema, { amount: -1, due: 'tomorrow' }, 's1')).toEqual([
      { path: '/amount', message: 'must be >= 0' },
      { path: '/due', message: 'must match format "date"' },
    ]);
  });

  it('rejects a schema that does not compile', () => {
    expect(validator.schemaProblems({ type: 'nonsense' })).toHaveLength(1);
    expect(validator.schemaProblems([])).toEqual([{ path: '/', message: 'must be a JSON Schema object' }]);
    expect(validator.schemaProblems(schema)).toEqual([]);
  });
});
