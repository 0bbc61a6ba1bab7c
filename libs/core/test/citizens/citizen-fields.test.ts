import { describe, expect, it } from 'vitest';

import {
  checkEmail,
  checkFcmToken,
  checkLanguage,
  checkName,
  checkNationalId,
  checkPhone,
  checkRegionCode,
  checkTimezone,
  type FieldCheck,
  provinceName,
  PROVINCES,
} from '../../src/citizens/index.js';
import { FCM_TOKEN } from './citizen-row.builder.js';

type Check = (raw: string) => FieldCheck;

/** Runs a validator over accepted inputs (with their normalized values) and rejected ones (with a message fragment). */
function checks(check: Check, good: readonly (readonly [string, string])[], bad: readonly (readonly [string, string])[]): void {
  it.each(good)('accepts %j as %j', (raw, value) => {
    expect(check(raw)).toEqual({ ok: true, value });
  });
  it.each(bad)('rejects %j: %s', (raw, message) => {
    const result = check(raw);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toContain(message);
  });
}

describe('checkNationalId', () => {
  checks(
    checkNationalId,
    [
      ['3273014507850001', '3273014507850001'],
      ['3273 0145 0785 0001', '3273014507850001'],
      ['3273.0145.0785.0001', '3273014507850001'],
      [' 9171014507850001 ', '9171014507850001'],
      ['9601014507850001', '9601014507850001'],
    ],
    [
      ['', 'expected a national ID (NIK) of 16 digits, got nothing'],
      ['327301450785000', 'got 15 digits'],
      ['32730145078500012', 'got 17 digits'],
      ['3273O14507850001', 'got other characters than digits'],
      ['3273-0145-0785-0001', 'got other characters than digits'],
      ['9973014507850001', 'no province has code 99'],
      ['2073014507850001', 'no province has code 20'],
      ['9773014507850001', 'no province has code 97'],
    ],
  );

  it('never echoes a national ID in its messages, since an NIK is personal data', () => {
    for (const raw of ['327301450785000', '9973014507850001', '3273O14507850001']) {
      const result = checkNationalId(raw);
      expect(result.ok ? '' : result.message, raw).not.toContain(raw.slice(2, 12));
    }
  });
});

describe('checkRegionCode', () => {
  checks(
    checkRegionCode,
    [
      ['32', '32'],
      ['32.73', '32.73'],
      ['32.73.01', '32.73.01'],
      ['32.73.01.1001', '32.73.01.1001'],
      [' 31.71.01.1001 ', '31.71.01.1001'],
      ['96.01', '96.01'],
      ['11.01.01.2001', '11.01.01.2001'],
    ],
    [
      ['', 'expected a region code PP, PP.RR, PP.RR.DD or PP.RR.DD.VVVV (province.regency.district.village) like 32.73.01.1001, got nothing'],
      ['3273', 'like 32.73.01.1001, got "3273"'],
      ['32.7', 'like 32.73.01.1001'],
      ['32.73.1', 'like 32.73.01.1001'],
      ['32.73.01.100', 'like 32.73.01.1001'],
      ['32.73.01.10011', 'like 32.73.01.1001'],
      ['32.73.01.1001.', 'like 32.73.01.1001'],
      ['32-73-01', 'like 32.73.01.1001'],
      ['Bandung', 'like 32.73.01.1001, got "Bandung"'],
      ['99.01', 'no province has code 99 (region code "99.01")'],
      ['20', 'no province has code 20'],
      ['00.00.00.0000', 'no province has code 00'],
    ],
  );
});

describe('checkPhone', () => {
  checks(
    checkPhone,
    [
      ['+6281234567890', '+6281234567890'],
      ['6281234567890', '+6281234567890'],
      ['081234567890', '+6281234567890'],
      ['0812-3456-7890', '+6281234567890'],
      ['(0812) 3456 7890', '+6281234567890'],
      ['+62 812 3456 7890', '+6281234567890'],
      ['0857 1000 0003', '+6285710000003'],
      ['+14155552671', '+14155552671'],
      ['+44 7911 123456', '+447911123456'],
      ['+12345678', '+12345678'],
      ['+123456789012345', '+123456789012345'],
    ],
    [
      ['12', 'expected E.164 like +6281234567890, got "12"'],
      ['', 'expected E.164 like +6281234567890, got nothing'],
      ['81234567890', 'expected E.164'],
      ['+1234567', 'expected E.164'],
      ['+1234567890123456', 'expected E.164'],
      ['+0123456789', 'expected E.164'],
      ['0812 3456 789O', 'expected E.164'],
      ['+62.812.3456.7890', 'expected E.164'],
      ['+62 22 2501234', 'expected an Indonesian mobile number (+628… or 08…) like +6281234567890, got "+62 22 2501234"'],
      ['022-2501234', 'expected an Indonesian mobile number'],
      ['62222501234', 'expected an Indonesian mobile number'],
    ],
  );
});

describe('checkEmail', () => {
  checks(
    checkEmail,
    [
      ['siti@example.com', 'siti@example.com'],
      ['Siti.R@Example.GO.ID', 'Siti.R@example.go.id'],
      [' budi+kabar@mail.example.co.id ', 'budi+kabar@mail.example.co.id'],
    ],
    [
      ['', 'expected an e-mail address like nama@example.go.id, got nothing'],
      ['siti', 'got "siti"'],
      ['siti@example', 'expected an e-mail address'],
      ['@example.com', 'expected an e-mail address'],
      ['siti@', 'expected an e-mail address'],
      ['siti@ex@ample.com', 'expected an e-mail address'],
      ['siti rahma@example.com', 'expected an e-mail address'],
      ['siti@.example.com', 'expected an e-mail address'],
      ['siti@example..com', 'expected an e-mail address'],
      ['siti@example.com.', 'expected an e-mail address'],
      [`${'a'.repeat(250)}@example.com`, 'expected an e-mail address'],
    ],
  );
});

describe('checkTimezone', () => {
  checks(
    checkTimezone,
    [
      ['WIB', 'WIB'],
      ['wita', 'WITA'],
      [' Wit ', 'WIT'],
      ['Asia/Jakarta', 'WIB'],
      ['asia/makassar', 'WITA'],
      ['Asia/Jayapura', 'WIT'],
    ],
    [
      ['', 'expected WIB, WITA or WIT (or Asia/Jakarta, Asia/Makassar, Asia/Jayapura), got nothing'],
      ['UTC+7', 'got "UTC+7"'],
      ['GMT+8', 'expected WIB, WITA or WIT'],
      ['Asia/Singapore', 'expected WIB, WITA or WIT'],
      ['WITB', 'expected WIB, WITA or WIT'],
    ],
  );
});

describe('checkLanguage', () => {
  checks(
    checkLanguage,
    [
      ['', 'id'],
      ['  ', 'id'],
      ['id', 'id'],
      ['EN', 'en'],
      [' en ', 'en'],
    ],
    [
      ['jv', 'expected id or en, got "jv"'],
      ['id-ID', 'expected id or en'],
      ['english', 'expected id or en'],
    ],
  );
});

describe('checkFcmToken', () => {
  checks(
    checkFcmToken,
    [
      [FCM_TOKEN, FCM_TOKEN],
      [` ${FCM_TOKEN}\n`, FCM_TOKEN],
      ['a'.repeat(100), 'a'.repeat(100)],
      ['A_-:9'.repeat(819) + 'x', 'A_-:9'.repeat(819) + 'x'],
    ],
    [
      ['', 'expected an FCM registration token of 100–4096 letters, digits, "_", ":" or "-", got nothing'],
      ['a'.repeat(99), 'got 99 characters'],
      ['a'.repeat(4097), 'got 4097 characters'],
      [`${FCM_TOKEN.slice(0, 60)} ${FCM_TOKEN.slice(60)}`, `got ${FCM_TOKEN.length + 1} characters, some of them not allowed`],
      [`${FCM_TOKEN}==`, 'some of them not allowed'],
      [FCM_TOKEN.replace('_', '/'), 'some of them not allowed'],
    ],
  );

  it('never echoes an FCM token, which addresses a device', () => {
    const result = checkFcmToken(`${FCM_TOKEN}/`);
    expect(result.ok ? '' : result.message).not.toContain(FCM_TOKEN.slice(0, 20));
  });
});

describe('checkName', () => {
  checks(
    checkName,
    [
      ['Siti Rahmawati', 'Siti Rahmawati'],
      ['  Budi  ', 'Budi'],
      ["I Gusti Ngurah Rai-Dewa O'Neil", "I Gusti Ngurah Rai-Dewa O'Neil"],
      ['ā'.repeat(200), 'ā'.repeat(200)],
      // 200 characters outside the BMP are 400 UTF-16 units, still 200 characters.
      ['𝓐'.repeat(200), '𝓐'.repeat(200)],
    ],
    [
      ['', 'expected a name, got nothing'],
      ['   ', 'expected a name, got nothing'],
      ['a'.repeat(201), 'expected a name of at most 200 characters, got 201'],
      ['Siti\nRahmawati', 'expected a name on one line'],
      ['Siti\tRahmawati', 'expected a name on one line'],
    ],
  );
});

describe('provinces', () => {
  it('has the 38 provinces, named by their Kemendagri code', () => {
    expect(Object.keys(PROVINCES)).toHaveLength(38);
    expect([provinceName('31'), provinceName('32'), provinceName('91'), provinceName('92'), provinceName('96')]).toEqual([
      'DKI Jakarta',
      'Jawa Barat',
      'Papua',
      'Papua Barat',
      'Papua Barat Daya',
    ]);
    expect([provinceName('20'), provinceName('97'), provinceName('toString')]).toEqual([undefined, undefined, undefined]);
  });
});
