import { describe, expect, it } from 'vitest';

import { validateCitizenRecord } from '../../src/citizens/index.js';
import { FCM_TOKEN } from './citizen-row.builder.js';

const SITI = { nationalId: '3273014507850001', name: 'Siti Rahmawati', regionCode: '32.73.01.1001', timezone: 'WIB', phone: '0812 1000 0001' };

describe('validateCitizenRecord', () => {
  it('returns the normalized record, with absent contact points as null and Indonesian by default', () => {
    expect(validateCitizenRecord({ ...SITI, email: ' Siti@Example.COM ', language: undefined, fcmToken: '', whatsapp: null })).toEqual({
      record: {
        nationalId: '3273014507850001',
        name: 'Siti Rahmawati',
        regionCode: '32.73.01.1001',
        timezone: 'WIB',
        language: 'id',
        phone: '+6281210000001',
        email: 'Siti@example.com',
        fcmToken: null,
        whatsapp: null,
      },
    });
  });

  it('accepts any single contact point', () => {
    const base = { ...SITI, phone: undefined };
    for (const contact of [{ phone: '+6281210000001' }, { email: 'siti@example.com' }, { fcmToken: FCM_TOKEN }, { whatsapp: '081210000001' }]) {
      expect(validateCitizenRecord({ ...base, ...contact }), JSON.stringify(contact)).toHaveProperty('record');
    }
  });

  it('does not compare the region with the NIK province: people move', () => {
    expect(validateCitizenRecord({ ...SITI, regionCode: '91.71.01.1001', timezone: 'Asia/Jayapura' })).toMatchObject({ record: { regionCode: '91.71.01.1001', timezone: 'WIT' } });
  });

  it('lists every problem of the record at once', () => {
    const result = validateCitizenRecord({ nationalId: '12', name: ' ', regionCode: '32.73', timezone: 'UTC', language: 'fr', phone: '12', email: 'nope', fcmToken: 'short', whatsapp: '021 555' });
    expect('errors' in result ? result.errors.map((e) => e.field) : []).toEqual([
      'nationalId',
      'name',
      'timezone',
      'language',
      'phone',
      'email',
      'fcmToken',
      'whatsapp',
    ]);
  });

  it('says what the required fields expect when they are missing', () => {
    expect(validateCitizenRecord({ email: 'siti@example.com' })).toEqual({
      errors: [
        { field: 'nationalId', message: 'expected a national ID (NIK) of 16 digits, got nothing' },
        { field: 'name', message: 'expected a name, got nothing' },
        { field: 'regionCode', message: 'expected a region code PP, PP.RR, PP.RR.DD or PP.RR.DD.VVVV (province.regency.district.village) like 32.73.01.1001, got nothing' },
        { field: 'timezone', message: 'expected WIB, WITA or WIT (or Asia/Jakarta, Asia/Makassar, Asia/Jayapura), got nothing' },
      ],
    });
  });

  it('needs at least one contact point, but an invalid one is reported only as itself', () => {
    const none = { ...SITI, phone: ' ', email: null, fcmToken: '', whatsapp: undefined };
    expect(validateCitizenRecord(none)).toEqual({ errors: [{ field: 'contact', message: 'expected at least one contact point: phone, email, FCM token or WhatsApp' }] });
    expect(validateCitizenRecord({ ...none, phone: '12' })).toEqual({ errors: [{ field: 'phone', message: 'expected E.164 like +6281234567890, got "12"' }] });
  });
});
