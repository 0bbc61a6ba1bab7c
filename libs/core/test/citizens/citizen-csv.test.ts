import { describe, expect, it } from 'vitest';

import { CITIZEN_CSV_COLUMNS, parseCitizenCsv } from '../../src/citizens/index.js';
import { aCitizenRow, citizenCsv, FCM_TOKEN } from './citizen-row.builder.js';

const HEADER = CITIZEN_CSV_COLUMNS.join(',');
const ROW_1 = '3273014507850001,Siti Rahmawati,32.73.01.1001,WIB,id,0812 1000 0001,siti@example.com,,';
const ROW_2 = '3273022003900002,Budi Santoso,32.73.02,wita,EN,,,,+62 813 1000 0002';

const SITI = {
  nationalId: '3273014507850001',
  name: 'Siti Rahmawati',
  regionCode: '32.73.01.1001',
  timezone: 'WIB',
  language: 'id',
  phone: '+6281210000001',
  email: 'siti@example.com',
  fcmToken: null,
  whatsapp: null,
} as const;

const BUDI = { ...SITI, nationalId: '3273022003900002', name: 'Budi Santoso', regionCode: '32.73.02', timezone: 'WITA', language: 'en', phone: null, email: null, whatsapp: '+6281310000002' } as const;

describe('parseCitizenCsv', () => {
  it('reads valid rows into normalized records, with the line each starts on', () => {
    expect(parseCitizenCsv(`${HEADER}\n${ROW_1}\n${ROW_2}\n`)).toEqual({ records: [SITI, BUDI], errors: [], lines: [2, 3], rowCount: 2, headerValid: true });
  });

  it('takes the columns in any order, optional ones left out, header names in any case', () => {
    const text = ' Timezone ,NAME,phone,region_code,national_id\nWIB,Siti Rahmawati,081210000001,32.73.01.1001,3273014507850001\n';
    expect(parseCitizenCsv(text).records).toEqual([{ ...SITI, email: null }]);
  });

  it.each([
    ['LF with a final line end', `${HEADER}\n${ROW_1}\n${ROW_2}\n`],
    ['CRLF', `${HEADER}\r\n${ROW_1}\r\n${ROW_2}\r\n`],
    ['no final line end', `${HEADER}\r\n${ROW_1}\r\n${ROW_2}`],
    ['a UTF-8 BOM', `\uFEFF${HEADER}\r\n${ROW_1}\r\n${ROW_2}\r\n`],
    ['a lone CR as line end', `${HEADER}\r${ROW_1}\r${ROW_2}\r`],
  ])('reads a file with %s', (_name, text) => {
    expect(parseCitizenCsv(text)).toEqual({ records: [SITI, BUDI], errors: [], lines: [2, 3], rowCount: 2, headerValid: true });
  });

  it('skips blank lines but keeps counting them', () => {
    const text = `\uFEFF${HEADER}\r\n\r\n${ROW_1}\r\n   \r\n\r\n${ROW_2}\r\n\r\n`;
    expect(parseCitizenCsv(text)).toMatchObject({ records: [SITI, BUDI], lines: [3, 6], rowCount: 2, headerValid: true });
  });

  it.each([
    ['a comma in quotes', '"Rahmawati, Siti"', 'Rahmawati, Siti'],
    ['doubled quotes', '"Siti ""Ika"" Rahmawati"', 'Siti "Ika" Rahmawati'],
    ['a plain quoted value', '"Siti Rahmawati"', 'Siti Rahmawati'],
  ])('unquotes %s', (_name, field, name) => {
    const text = `national_id,name,region_code,timezone,email\n3273014507850001,${field},32.73,WIB,siti@example.com\n`;
    expect(parseCitizenCsv(text)).toMatchObject({ records: [{ name }], errors: [] });
  });

  it('reads quoted empty fields as empty values', () => {
    const text = `national_id,name,region_code,timezone,language,phone,email\n"3273014507850001","Siti Rahmawati","32.73.01.1001","WIB","","0812 1000 0001",""\n`;
    expect(parseCitizenCsv(text)).toMatchObject({ records: [{ ...SITI, email: null }], errors: [] });
  });

  it('keeps a quoted line break in the value and reports a record at the line it starts on', () => {
    // The phone number wraps onto a second line, which the phone check tolerates; the next record starts on line 4.
    const text = `${HEADER}\n3273014507850001,Siti Rahmawati,32.73.01.1001,WIB,id,"0812 1000\n0001",siti@example.com,,\n${ROW_2}\n`;
    expect(parseCitizenCsv(text)).toEqual({ records: [SITI, BUDI], errors: [], lines: [2, 4], rowCount: 2, headerValid: true });
  });

  it('numbers errors by the line a record starts on, after multi-line records too', () => {
    const text = [
      HEADER,
      '3273014507850001,"Siti',
      'Rahmawati",32.73.01.1001,WIB,id,081210000001,,,',
      '',
      '3273022003900002,Budi Santoso,32.73.02,WITA,id,12,,,',
      ROW_1.replace('3273014507850001', '3273035112880003'),
    ].join('\r\n');
    expect(parseCitizenCsv(text)).toEqual({
      records: [{ ...SITI, nationalId: '3273035112880003' }],
      errors: [
        { row: 2, field: 'name', message: 'expected a name on one line, without control characters' },
        { row: 5, field: 'phone', message: 'expected E.164 like +6281234567890, got "12"' },
      ],
      lines: [6],
      rowCount: 3,
      headerValid: true,
    });
  });

  it('reports every problem of every row, and a row with any problem yields no record', () => {
    const text = citizenCsv([
      aCitizenRow(1).with({ national_id: '12', phone: '12', timezone: 'UTC+7' }).build(),
      aCitizenRow(2).build(),
      aCitizenRow(3).with({ region_code: '99.01', phone: '', email: '' }).build(),
      aCitizenRow(4).with({ fcm_token: 'abc', language: 'jv' }).build(),
    ]);
    const result = parseCitizenCsv(text);
    expect(result.errors.map((e) => [e.row, e.field])).toEqual([
      [2, 'national_id'],
      [2, 'timezone'],
      [2, 'phone'],
      [4, 'region_code'],
      [4, 'contact'],
      [5, 'language'],
      [5, 'fcm_token'],
    ]);
    expect(result.records.map((r) => r.nationalId)).toEqual(['3273014507850002']);
    expect(result.lines).toEqual([3]);
    expect(result.rowCount).toBe(4);
  });

  it('reports a duplicate national ID on the later row, naming the first, however it is written', () => {
    const text = citizenCsv([
      aCitizenRow(1).build(),
      aCitizenRow(2).build(),
      aCitizenRow(3).with({ national_id: '3273.0145.0785.0001' }).build(),
      aCitizenRow(4).with({ national_id: '3273 0145 0785 0002', phone: '12' }).build(),
    ]);
    const result = parseCitizenCsv(text);
    expect(result.errors).toEqual([
      { row: 4, field: 'national_id', message: 'the same national ID as line 2' },
      { row: 5, field: 'phone', message: 'expected E.164 like +6281234567890, got "12"' },
      { row: 5, field: 'national_id', message: 'the same national ID as line 3' },
    ]);
    expect(result.lines).toEqual([2, 3]);
  });

  it('finds duplicates of a row that has other problems', () => {
    const text = citizenCsv([aCitizenRow(1).with({ name: '' }).build(), aCitizenRow(1).build()]);
    expect(parseCitizenCsv(text).errors).toEqual([
      { row: 2, field: 'name', message: 'expected a name, got nothing' },
      { row: 3, field: 'national_id', message: 'the same national ID as line 2' },
    ]);
  });

  it('reports a row with too few or too many fields as a whole, without guessing which value is which', () => {
    const text = `${HEADER}\n${ROW_1},extra\n3273022003900002,Budi Santoso\n${ROW_2}\n`;
    expect(parseCitizenCsv(text)).toEqual({
      records: [BUDI],
      errors: [
        { row: 2, field: '', message: 'expected 9 fields as in the header, got 10' },
        { row: 3, field: '', message: 'expected 9 fields as in the header, got 2' },
      ],
      lines: [4],
      rowCount: 3,
      headerValid: true,
    });
  });

  it.each([
    ['a quote inside an unquoted field', 'Siti "Ika" Rahmawati', 'a double quote inside an unquoted field: quote the whole field and double the quotes inside it ("")'],
    ['text after a closing quote', '"Siti" Rahmawati', 'text after the closing quote of a field: a quoted field must be followed by a comma or a line break'],
    ['a space before an opening quote', ' "Siti Rahmawati"', 'a double quote inside an unquoted field'],
  ])('reports %s as a problem of the row', (_name, field, message) => {
    const text = `national_id,name,region_code,timezone,email\n3273014507850001,${field},32.73,WIB,siti@example.com\n${ROW_2.split(',').slice(0, 4).join(',')},b@example.com\n`;
    const result = parseCitizenCsv(text);
    expect(result.errors).toEqual([{ row: 2, field: '', message: expect.stringContaining(message) as unknown }]);
    expect(result.lines).toEqual([3]);
  });

  it('reports a quote that is never closed at the record it starts in', () => {
    const text = `${HEADER}\n${ROW_1}\n3273022003900002,"Budi Santoso,32.73.02,WITA,en,,,,+6281310000002\n${ROW_1}\n`;
    const result = parseCitizenCsv(text);
    expect(result.records).toEqual([SITI]);
    expect(result.errors).toEqual([
      { row: 3, field: '', message: 'a quoted field opened on line 3 is never closed: the rest of the file was read into it' },
      { row: 3, field: '', message: 'expected 9 fields as in the header, got 2' },
    ]);
  });

  describe('header', () => {
    it('reports unknown and repeated columns on its line, and reads no rows', () => {
      const text = `national_id,name,region_code,timezone,emial,Name,\n${ROW_1}\n`;
      expect(parseCitizenCsv(text)).toEqual({
        records: [],
        errors: [
          { row: 1, field: 'emial', message: `unknown column "emial"; expected some of ${HEADER}` },
          { row: 1, field: 'name', message: 'the column appears twice' },
          { row: 1, field: '', message: `unknown column (column 7 has no name); expected some of ${HEADER}` },
        ],
        lines: [],
        rowCount: 1,
        headerValid: false,
      });
    });

    it('names each missing required column', () => {
      expect(parseCitizenCsv('name,phone\nSiti,081210000001\n').errors).toEqual([
        { row: 1, field: 'national_id', message: 'required column is missing' },
        { row: 1, field: 'region_code', message: 'required column is missing' },
        { row: 1, field: 'timezone', message: 'required column is missing' },
      ]);
    });

    it('is required: an empty file is an error, a header alone is an empty import', () => {
      for (const empty of ['', '\uFEFF', '\r\n\n']) {
        expect(parseCitizenCsv(empty), JSON.stringify(empty)).toEqual({
          records: [],
          errors: [{ row: 1, field: '', message: `the file is empty; expected a header row like ${HEADER}` }],
          lines: [],
          rowCount: 0,
          headerValid: false,
        });
      }
      expect(parseCitizenCsv(`${HEADER}\r\n`)).toEqual({ records: [], errors: [], lines: [], rowCount: 0, headerValid: true });
    });
  });

  it('reads an FCM token and every contact point', () => {
    const text = citizenCsv([aCitizenRow(1).with({ fcm_token: FCM_TOKEN, whatsapp: '0812-1000-0009' }).build()]);
    expect(parseCitizenCsv(text).records).toEqual([{ ...SITI, fcmToken: FCM_TOKEN, email: 'siti.rahmawati@example.com', whatsapp: '+6281210000009' }]);
  });
});
