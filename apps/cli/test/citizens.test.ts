import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { CliErrorCode } from '../src/cli-error.js';
import { citizensCommand, type Terminal } from '../src/commands/citizens.js';
import type { Io } from '../src/output.js';
import { type FakeGraphqlHub, startFakeGraphqlHub } from './support/fake-graphql-hub.js';

// The unit is the command; a real HTTP server on 127.0.0.1 stands in for the hub's GraphQL endpoint, so the tests see
// the exact requests the command sends (the hub's importCitizens resolver is tested on its own side).

const MUTATION =
  'mutation($rows: [CitizenImportInput!]!, $dryRun: Boolean!) { importCitizens(rows: $rows, dryRun: $dryRun) { created updated errors { index field message } } }';
const TOKEN = 'adm_test0000test.secret';
const HEADER = 'national_id,name,region_code,timezone,language,phone,email,fcm_token,whatsapp';

interface ImportVariables {
  readonly rows: readonly Record<string, string | null>[];
  readonly dryRun: boolean;
}

/** The JSON the fake hub answers to the n-th request (0-based). */
type Answer = (variables: ImportVariables, n: number) => unknown;

const importAnswer = (created: number, updated: number, errors: readonly { index: number; field: string; message: string }[] = []): unknown => ({
  data: { importCitizens: { created, updated, errors } },
});
const allCreated: Answer = (variables) => importAnswer(variables.rows.length, 0);

/** Captures what the command prints, and the raw writes of a progress bar when given a terminal. */
function anIo(): { io: Io; out: string[]; err: string[]; terminalWrites: string[]; terminal: Terminal } {
  const out: string[] = [];
  const err: string[] = [];
  const terminalWrites: string[] = [];
  return { io: { out: (line) => out.push(line), err: (line) => err.push(line) }, out, err, terminalWrites, terminal: (text) => terminalWrites.push(text) };
}

/** A valid CSV row for citizen n (1–99), and the GraphQL input the hub must receive for it. */
const csvRow = (n: number): string => `32730145078500${String(n).padStart(2, '0')},Warga ${n},32.73.01.1001,WIB,id,0812 1000 00${String(n).padStart(2, '0')},,,`;
const inputRow = (n: number): Record<string, string | null> => ({
  nationalId: `32730145078500${String(n).padStart(2, '0')}`,
  name: `Warga ${n}`,
  regionCode: '32.73.01.1001',
  timezone: 'WIB',
  language: 'id',
  phone: `+62812100000${String(n).padStart(2, '0')}`,
  email: null,
  fcmToken: null,
  whatsapp: null,
});
const FIVE_ROWS = [HEADER, ...[1, 2, 3, 4, 5].map(csvRow)].join('\n');

describe('kabar citizens import', () => {
  let dir: string;
  let hub: FakeGraphqlHub<ImportVariables> | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kabar-citizens-'));
  });

  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const file = async (name: string, content: string | Buffer): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };

  const run = async (args: readonly string[], answer: Answer = allCreated, options: { token?: boolean; tty?: boolean } = {}) => {
    await hub?.close();
    hub = await startFakeGraphqlHub<ImportVariables>((request, n) => answer(request.body.variables, n));
    const captured = anIo();
    const env = { KABAR_URL: hub.url, ...(options.token === false ? {} : { KABAR_TOKEN: TOKEN }) };
    const result = citizensCommand(['import', ...args], captured.io, env, options.tty === true ? captured.terminal : null);
    return { ...captured, requests: hub.requests, result };
  };

  it('reports every problem by line and sends nothing when the file has errors, without needing a token', async () => {
    const path = await file(
      'bad.csv',
      [HEADER, csvRow(1), csvRow(2).replace('0812 1000 0002', '12'), '', csvRow(1).replace('WIB', 'UTC+7'), csvRow(3)].join('\r\n'),
    );
    const { result, err, out, requests } = await run([path], allCreated, { token: false });
    await expect(result).rejects.toMatchObject({ code: CliErrorCode.Failed, message: '4 rows, 2 with errors: nothing imported' });
    expect(err).toEqual([
      'line 3  phone        expected E.164 like +6281234567890, got "12"',
      'line 5  timezone     expected WIB, WITA or WIT (or Asia/Jakarta, Asia/Makassar, Asia/Jayapura), got "UTC+7"',
      'line 5  national_id  the same national ID as line 2',
    ]);
    expect(out).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('reports a wrong header as such', async () => {
    const path = await file('header.csv', `national_id,name,region,timezone\n${csvRow(1)}\n`);
    const { result, err, requests } = await run([path]);
    await expect(result).rejects.toThrow(`the header of ${path} is wrong: nothing imported`);
    expect(err).toEqual([
      `line 1  region       unknown column "region"; expected some of ${HEADER}`,
      'line 1  region_code  required column is missing',
    ]);
    expect(requests).toEqual([]);
  });

  it('checks every batch in a dry run, then imports them, with the normalized rows and the admin token', async () => {
    const path = await file('good.csv', FIVE_ROWS);
    const answer: Answer = (variables) => importAnswer(variables.rows.length - 1, 1);
    const { result, out, err, requests } = await run([path, '--batch-size', '2'], answer);
    await expect(result).resolves.toBe(0);
    expect(requests.map((r) => [r.body.variables.dryRun, r.body.variables.rows.map((row) => row.name)])).toEqual([
      [true, ['Warga 1', 'Warga 2']],
      [true, ['Warga 3', 'Warga 4']],
      [true, ['Warga 5']],
      [false, ['Warga 1', 'Warga 2']],
      [false, ['Warga 3', 'Warga 4']],
      [false, ['Warga 5']],
    ]);
    expect(requests[0]).toEqual({ authorization: `Bearer ${TOKEN}`, body: { query: MUTATION, variables: { rows: [inputRow(1), inputRow(2)], dryRun: true } } });
    expect(requests[5]?.body).toEqual({ query: MUTATION, variables: { rows: [inputRow(5)], dryRun: false } });
    expect(err).toEqual(['checked 2/5', 'checked 4/5', 'checked 5/5', 'imported 2/5', 'imported 4/5', 'imported 5/5']);
    expect(out).toEqual(['5 rows: 2 created, 3 updated']);
  });

  it('sends 500 rows per request by default', async () => {
    const rows = Array.from({ length: 501 }, (_, i) => `${String(3273014507850000 + i + 1)},Warga,32.73,WIB,,,warga${i}@example.com,,`);
    const path = await file('many.csv', [HEADER, ...rows].join('\n'));
    const { result, requests } = await run([path]);
    await expect(result).resolves.toBe(0);
    expect(requests.map((r) => r.body.variables.rows.length)).toEqual([500, 1, 500, 1]);
  });

  it('maps the rows the hub rejects in the dry run back to their CSV lines, and imports nothing', async () => {
    // Line 3 is a record that spans two lines (a quoted line break in its phone number) and line 5 is blank, so the
    // third record starts on line 6: the lines come from the file, not from the position of the row.
    const text = [HEADER, csvRow(1), csvRow(2).replace('0812 1000 0002', '"0812 1000\n0002"'), '', csvRow(3), csvRow(4), csvRow(5)].join('\n');
    const path = await file('rejected.csv', text);
    const answer: Answer = (variables, n) => {
      if (n === 1) return importAnswer(1, 0, [{ index: 1, field: 'phone', message: 'this number belongs to another citizen' }]);
      if (n === 2) return importAnswer(0, 0, [{ index: 0, field: 'fcmToken', message: 'unknown to Firebase' }]);
      return allCreated(variables, n);
    };
    const { result, err, out, requests } = await run([path, '--batch-size', '2'], answer);
    await expect(result).rejects.toMatchObject({ code: CliErrorCode.Failed, message: '5 rows, 2 rejected by the hub: nothing imported' });
    expect(requests.map((r) => r.body.variables.dryRun)).toEqual([true, true, true]);
    expect(requests[0]?.body.variables.rows[1]?.phone).toBe('+6281210000002');
    expect(err.filter((line) => line.startsWith('line '))).toEqual(['line 7  phone      this number belongs to another citizen', 'line 8  fcm_token  unknown to Firebase']);
    expect(out).toEqual([]);
  });

  it('only checks with --dry-run', async () => {
    const path = await file('dry.csv', FIVE_ROWS);
    const { result, out, requests } = await run([path, '--dry-run'], (variables) => importAnswer(3, variables.rows.length - 3));
    await expect(result).resolves.toBe(0);
    expect(requests.map((r) => r.body.variables.dryRun)).toEqual([true]);
    expect(out).toEqual(['5 rows: 3 would be created, 2 updated (dry run: nothing imported)']);
  });

  it('prints the counts as JSON with --json', async () => {
    const path = await file('json.csv', FIVE_ROWS);
    const { result, out } = await run([path, '--json'], (variables) => importAnswer(variables.rows.length, 0));
    await expect(result).resolves.toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual({ rows: 5, created: 5, updated: 0, dryRun: false });
  });

  it('draws a progress bar on a terminal instead of lines', async () => {
    const path = await file('tty.csv', [HEADER, ...[1, 2, 3, 4].map(csvRow)].join('\n'));
    const { result, err, terminalWrites } = await run([path, '--batch-size', '2'], allCreated, { tty: true });
    await expect(result).resolves.toBe(0);
    expect(err).toEqual([]);
    expect(terminalWrites).toEqual([
      `\rchecked [${'#'.repeat(15)}${'-'.repeat(15)}] 2/4`,
      `\rchecked [${'#'.repeat(30)}] 4/4`,
      '\n',
      `\rimported [${'#'.repeat(15)}${'-'.repeat(15)}] 2/4`,
      `\rimported [${'#'.repeat(30)}] 4/4`,
      '\n',
    ]);
  });

  it('says how far an interrupted import got and that running it again finishes it', async () => {
    const path = await file('interrupted.csv', FIVE_ROWS);
    const answer: Answer = (variables, n) => (n === 4 ? { errors: [{ message: 'database is down', extensions: { code: 'INTERNAL' } }] } : allCreated(variables, n));
    const { result, requests } = await run([path, '--batch-size', '2'], answer);
    await expect(result).rejects.toThrow(
      'INTERNAL: database is down\nkabar: 2 of 5 rows were imported before this; run the same command again to finish (the hub matches citizens by national ID, so nothing is duplicated)',
    );
    expect(requests.map((r) => r.body.variables.dryRun)).toEqual([true, true, true, false, false]);
  });

  it('imports nothing from a header alone', async () => {
    const path = await file('empty.csv', `${HEADER}\r\n`);
    const { result, out, requests } = await run([path]);
    await expect(result).resolves.toBe(0);
    expect(requests).toEqual([]);
    expect(out).toEqual(['0 rows: 0 created, 0 updated']);
  });

  it('fails clearly on a missing file, a directory or a file that is not UTF-8', async () => {
    const missing = join(dir, 'nowhere.csv');
    await expect((await run([missing])).result).rejects.toMatchObject({ code: CliErrorCode.Failed, message: `no file ${missing}` });
    await expect((await run([dir])).result).rejects.toThrow(`${dir} is a directory, not a CSV file`);
    const latin1 = await file('latin1.csv', Buffer.from(`${HEADER}\n3273014507850001,Andr\xe9,32.73,WIB,id,081210000001,,,\n`, 'latin1'));
    const { result, requests } = await run([latin1]);
    await expect(result).rejects.toThrow(`${latin1} is not UTF-8 text; save it as "CSV UTF-8"`);
    expect(requests).toEqual([]);
  });

  it.each([
    [['import'], 'citizens import needs one CSV file'],
    [['import', 'a.csv', 'b.csv'], 'citizens import needs one CSV file'],
    [['import', 'a.csv', '--batch-size', '0'], '--batch-size must be a whole number from 1 to 10000, got "0"'],
    [['import', 'a.csv', '--batch-size', '1e3'], '--batch-size must be a whole number from 1 to 10000, got "1e3"'],
    [['import', 'a.csv', '--batch-size', '10001'], '--batch-size must be a whole number from 1 to 10000, got "10001"'],
    [['export'], 'expected import'],
  ])('is a usage error: %j', async (args, message) => {
    const { io } = anIo();
    const result = citizensCommand(args, io, {});
    await expect(result).rejects.toThrow(message);
    await expect(result).rejects.toMatchObject({ code: CliErrorCode.Usage });
  });
});
