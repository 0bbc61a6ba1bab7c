import { describe, expect, it } from 'vitest';

import { browserLang, errorText } from '../src/i18n.js';
import { moved } from '../src/order.js';

describe('the preference centre, pure parts', () => {
  it('moves a channel up or down one place, and leaves the ends alone', () => {
    expect(moved(['inbox', 'sms', 'email'], 1, -1)).toEqual(['sms', 'inbox', 'email']);
    expect(moved(['inbox', 'sms', 'email'], 1, 1)).toEqual(['inbox', 'email', 'sms']);
    expect(moved(['inbox', 'sms'], 0, -1)).toEqual(['inbox', 'sms']);
    expect(moved(['inbox', 'sms'], 1, 1)).toEqual(['inbox', 'sms']);
  });

  it('speaks Indonesian unless the browser asks for English first', () => {
    expect(browserLang(['en-GB', 'id'])).toBe('en');
    expect(browserLang(['id-ID', 'en'])).toBe('id');
    expect(browserLang(['fr-FR', 'en-US'])).toBe('en');
    expect(browserLang(['fr-FR'])).toBe('id');
    expect(browserLang([])).toBe('id');
  });

  it("tells the citizen what an error code means, keeping the hub's detail for invalid input", () => {
    expect(errorText('id', 'INVALID_CODE', 'no')).toBe('Kode salah, kedaluwarsa, atau sudah dipakai.');
    expect(errorText('en', 'CITIZEN_INVALID_INPUT', 'quietHours.start: expected HH:MM')).toBe('Please check your input: quietHours.start: expected HH:MM');
    expect(errorText('en', 'SOMETHING_NEW', 'the hub said so')).toBe('the hub said so');
  });
});
