import { parseArgs } from 'node:util';

import { citizenCsvColumn, type CitizenRecord, parseCitizenCsv } from '@kabar/core';

import { CliError, CliErrorCode } from '../cli-error.js';
import { readCsv } from '../csv-file.js';
import { adminToken, DEFAULT_HUB_URL, type Env, HUB_OPTIONS, HubClient, hubUrl } from '../hub-client.js';
import { type Io, printJson } from '../output.js';

export const CITIZENS_HELP = `kabar citizens import FILE.csv [--batch-size N] [--dry-run]

Registers citizens from a CSV file (UTF-8) on a running hub, over its admin GraphQL API. A header row names the
columns, in any order:
  national_id    NIK, 16 digits (required)
  name           (required)
  region_code    Kemendagri code PP, PP.RR, PP.RR.DD or PP.RR.DD.VVVV, e.g. 32.73.01.1001 (required)
  timezone       WIB, WITA or WIT; or Asia/Jakarta, Asia/Makassar, Asia/Jayapura (required)
  language       id or en (default id)
  phone          mobile number: +62…, 62… or 08…, or another country's number in E.164 (+…)
  whatsapp       as phone
  email
  fcm_token      the Firebase Cloud Messaging registration token of the citizen's app
Every row needs at least one of phone, email, fcm_token and whatsapp.

The whole file is checked first: if any row has a problem, every problem is listed by line and nothing is imported.
Then the hub checks all rows without saving them (a dry run), and only if it accepts every one does it import them.
The hub matches citizens by national ID, creating or updating them: if an import is interrupted, run the same
command again and it finishes without duplicates.
  --batch-size N  rows per request to the hub (default 500)
  --dry-run       check with the hub too, but import nothing

Common options (as for \`kabar agencies\`):
  --url URL       the hub (default KABAR_URL, else ${DEFAULT_HUB_URL})
  --token TOKEN   an admin token (default KABAR_TOKEN; prefer the variable, flags show in process lists)
  --json          machine-readable output`;

/** Writes raw text to a terminal's stderr, to redraw a progress bar; null when stderr is not a terminal. */
export type Terminal = ((text: string) => void) | null;

const DEFAULT_BATCH_SIZE = 500;
// A bound on one request's size, so that a slip (50000 for 500) cannot send tens of megabytes of JSON at once.
const MAX_BATCH_SIZE = 10_000;

const IMPORT_MUTATION =
  'mutation($rows: [CitizenImportInput!]!, $dryRun: Boolean!) { importCitizens(rows: $rows, dryRun: $dryRun) { created updated errors { index field message } } }';

interface ImportAnswer {
  readonly importCitizens: {
    readonly created: number;
    readonly updated: number;
    /** `index` is the position in the batch's `rows`. */
    readonly errors: readonly { readonly index: number; readonly field: string; readonly message: string }[];
  };
}

/** A problem with a CSV line to show: `line` is where the record starts. */
interface LineError {
  readonly line: number | null;
  readonly field: string;
  readonly message: string;
}

interface Totals {
  created: number;
  updated: number;
  readonly errors: LineError[];
}

export async function citizensCommand(args: readonly string[], io: Io, env: Env, terminal: Terminal = null): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'import':
      return importCitizens(rest, io, env, terminal);
    default:
      throw new CliError(CliErrorCode.Usage, `expected import\n\n${CITIZENS_HELP}`);
  }
}

async function importCitizens(args: readonly string[], io: Io, env: Env, terminal: Terminal): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: { ...HUB_OPTIONS, 'batch-size': { type: 'string' }, 'dry-run': { type: 'boolean' } },
  });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new CliError(CliErrorCode.Usage, `citizens import needs one CSV file\n\n${CITIZENS_HELP}`);
  const batchSize = parseBatchSize(values['batch-size']);
  const hub = new HubClient(hubUrl(values.url, env));

  // The file is checked before anything needs the hub or a token, so that a file can be checked offline.
  const csv = parseCitizenCsv(await readCsv(file));
  if (csv.errors.length > 0) {
    printErrors(io, csv.errors.map((e) => ({ line: e.row, field: e.field, message: e.message })));
    const badRows = new Set(csv.errors.map((e) => e.row)).size;
    throw new CliError(CliErrorCode.Failed, csv.headerValid ? `${csv.rowCount} rows, ${badRows} with errors: nothing imported` : `the header of ${file} is wrong: nothing imported`);
  }

  const rows = csv.records.length;
  const token = adminToken(values.token, env);
  const batches = inBatches(csv.records, csv.lines, batchSize);
  const check = await sendAll(hub, token, batches, true, new Progress(io, terminal, 'checked', rows));
  if (check.errors.length > 0) {
    printErrors(io, check.errors);
    throw new CliError(CliErrorCode.Failed, `${rows} rows, ${new Set(check.errors.map((e) => e.line)).size} rejected by the hub: nothing imported`);
  }

  const dryRun = values['dry-run'] === true;
  const done = dryRun ? check : await importAll(hub, token, batches, new Progress(io, terminal, 'imported', rows), io);
  if (values.json === true) printJson(io, { rows, created: done.created, updated: done.updated, dryRun });
  else if (dryRun) io.out(`${rows} rows: ${done.created} would be created, ${done.updated} updated (dry run: nothing imported)`);
  else io.out(`${rows} rows: ${done.created} created, ${done.updated} updated`);
  return 0;
}

function parseBatchSize(flag: string | undefined): number {
  if (flag === undefined) return DEFAULT_BATCH_SIZE;
  const size = /^\d+$/.test(flag) ? Number(flag) : Number.NaN;
  if (!(size >= 1 && size <= MAX_BATCH_SIZE)) throw new CliError(CliErrorCode.Usage, `--batch-size must be a whole number from 1 to ${MAX_BATCH_SIZE}, got "${flag}"`);
  return size;
}

/** One request's worth of records, with the CSV line of each to point back at. */
interface Batch {
  readonly records: readonly CitizenRecord[];
  readonly lines: readonly number[];
}

function inBatches(records: readonly CitizenRecord[], lines: readonly number[], size: number): Batch[] {
  const batches: Batch[] = [];
  for (let start = 0; start < records.length; start += size) batches.push({ records: records.slice(start, start + size), lines: lines.slice(start, start + size) });
  return batches;
}

/** The GraphQL `CitizenImportInput` of a record, field by field, so that the wire format does not follow the type by accident. */
function importInput(record: CitizenRecord): Record<string, string | null> {
  return {
    nationalId: record.nationalId,
    name: record.name,
    regionCode: record.regionCode,
    timezone: record.timezone,
    language: record.language,
    phone: record.phone,
    email: record.email,
    fcmToken: record.fcmToken,
    whatsapp: record.whatsapp,
  };
}

// The hub names fields as in GraphQL (fcmToken); the person fixing the file knows them as CSV columns (fcm_token).

/** Sends one batch; the hub's row errors come back with the CSV line of their row. */
async function sendBatch(hub: HubClient, token: string, batch: Batch, dryRun: boolean): Promise<Totals> {
  const { importCitizens } = await hub.graphql<ImportAnswer>(token, IMPORT_MUTATION, { rows: batch.records.map(importInput), dryRun });
  const errors = importCitizens.errors.map((e) => ({ line: batch.lines[e.index] ?? null, field: citizenCsvColumn(e.field), message: e.message }));
  return { created: importCitizens.created, updated: importCitizens.updated, errors };
}

/** Sends every batch, all of them even when one has errors, so that one run reports every problem. */
async function sendAll(hub: HubClient, token: string, batches: readonly Batch[], dryRun: boolean, progress: Progress): Promise<Totals> {
  const totals: Totals = { created: 0, updated: 0, errors: [] };
  try {
    for (const batch of batches) {
      const answer = await sendBatch(hub, token, batch, dryRun);
      totals.created += answer.created;
      totals.updated += answer.updated;
      totals.errors.push(...answer.errors);
      progress.advance(batch.records.length);
    }
  } finally {
    progress.end();
  }
  return totals;
}

/**
 * The real run. It stops at the first failure; since the hub upserts by national ID, running the command again
 * finishes the job, and the message says so.
 */
async function importAll(hub: HubClient, token: string, batches: readonly Batch[], progress: Progress, io: Io): Promise<Totals> {
  const totals: Totals = { created: 0, updated: 0, errors: [] };
  const rerun = (): string => `${progress.done} of ${progress.total} rows were imported before this; run the same command again to finish (the hub matches citizens by national ID, so nothing is duplicated)`;
  try {
    for (const batch of batches) {
      let answer: Totals;
      try {
        answer = await sendBatch(hub, token, batch, false);
      } catch (error) {
        if (error instanceof CliError) throw new CliError(error.code, `${error.message}\nkabar: ${rerun()}`);
        throw error;
      }
      if (answer.errors.length > 0) {
        // The dry run accepted these rows, so something changed on the hub in between: stop rather than guess.
        printErrors(io, answer.errors);
        throw new CliError(CliErrorCode.Failed, `the hub rejected ${answer.errors.length} rows it had accepted in the dry run; ${rerun()}`);
      }
      totals.created += answer.created;
      totals.updated += answer.updated;
      progress.advance(batch.records.length);
    }
  } finally {
    progress.end();
  }
  return totals;
}

/** Problems as `line 7  phone  message`, aligned, in line order, on stderr. */
function printErrors(io: Io, errors: readonly LineError[]): void {
  const sorted = [...errors].sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  const cells = sorted.map((e) => [e.line === null ? 'line ?' : `line ${e.line}`, e.field === '' ? '-' : e.field, e.message] as const);
  const lineWidth = Math.max(...cells.map(([line]) => line.length));
  const fieldWidth = Math.max(...cells.map(([, field]) => field.length));
  for (const [line, field, message] of cells) io.err(`${line.padEnd(lineWidth)}  ${field.padEnd(fieldWidth)}  ${message}`);
}

const BAR_WIDTH = 30;

/** Progress on stderr: a bar redrawn in place on a terminal, else a line per batch (logs keep every step). */
class Progress {
  done = 0;
  private drawn = false;

  constructor(
    private readonly io: Io,
    private readonly terminal: Terminal,
    private readonly verb: string,
    readonly total: number,
  ) {}

  advance(rows: number): void {
    this.done += rows;
    const count = `${this.done}/${this.total}`;
    if (this.terminal === null) {
      this.io.err(`${this.verb} ${count}`);
      return;
    }
    const filled = this.total === 0 ? BAR_WIDTH : Math.round((BAR_WIDTH * this.done) / this.total);
    this.terminal(`\r${this.verb} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${count}`);
    this.drawn = true;
  }

  /** Ends the bar's line, so that what follows (the summary, or an error) starts on a fresh one. */
  end(): void {
    if (this.terminal !== null && this.drawn) this.terminal('\n');
    this.drawn = false;
  }
}
