import { checkNationalId } from './citizen-fields.js';
import { type CitizenRecord, type CitizenRecordInput, validateCitizenRecord } from './citizen-record.js';
import { type CsvRow, parseCsv } from './csv.js';

/** The CSV columns and the record field each fills. */
const COLUMNS = {
  national_id: 'nationalId',
  name: 'name',
  region_code: 'regionCode',
  timezone: 'timezone',
  language: 'language',
  phone: 'phone',
  email: 'email',
  fcm_token: 'fcmToken',
  whatsapp: 'whatsapp',
} as const satisfies Record<string, keyof CitizenRecord>;

type Column = keyof typeof COLUMNS;

/** Every column a citizen CSV may have, in the documented order. */
export const CITIZEN_CSV_COLUMNS = Object.keys(COLUMNS) as readonly Column[];
/** Columns the header must have; the others may be left out. */
export const REQUIRED_CITIZEN_CSV_COLUMNS: readonly Column[] = ['national_id', 'name', 'region_code', 'timezone'];

const COLUMN_OF_FIELD = new Map<string, string>(Object.entries(COLUMNS).map(([column, field]) => [field, column]));

/** The CSV column of a record field (`nationalId` → `national_id`); a name that is not a field (`contact`) as it is. */
export function citizenCsvColumn(field: string): string {
  return COLUMN_OF_FIELD.get(field) ?? field;
}
const isColumn = (name: string): name is Column => Object.hasOwn(COLUMNS, name);

/**
 * One problem of a CSV file. `row` is the 1-based line where the record starts (the header is line 1), so a record
 * with a quoted line break is reported at its first line. `field` is a column name; `contact` for a row without any
 * contact point; empty for a problem of the whole row (quoting, number of fields).
 */
export interface RowError {
  readonly row: number;
  readonly field: string;
  readonly message: string;
}

export interface CitizenCsv {
  /** The valid records, in file order; a row with any problem has none. */
  readonly records: CitizenRecord[];
  /** Every problem found, by line. */
  readonly errors: RowError[];
  /** `lines[i]` is the line where `records[i]` starts, to point back into the file. */
  readonly lines: number[];
  /** Data rows in the file (blank lines not counted), with or without problems. */
  readonly rowCount: number;
  /** False when the header is missing or wrong: `errors` are then the header's, and no row was read. */
  readonly headerValid: boolean;
}

/**
 * Parses and checks a citizen CSV (see {@link CITIZEN_CSV_COLUMNS}), reporting every problem of every row. A file whose
 * header is wrong reports the header's problems only: its rows cannot be read reliably.
 * @example parseCitizenCsv('national_id,name,region_code,timezone,phone\n3273014507850001,Siti,32.73,WIB,081210000001\n')
 */
export function parseCitizenCsv(text: string): CitizenCsv {
  const [header, ...rows] = parseCsv(text);
  if (header === undefined) {
    return { records: [], errors: [{ row: 1, field: '', message: `the file is empty; expected a header row like ${CITIZEN_CSV_COLUMNS.join(',')}` }], lines: [], rowCount: 0, headerValid: false };
  }
  const columns = readHeader(header);
  if (!Array.isArray(columns)) return { records: [], errors: columns.errors, lines: [], rowCount: rows.length, headerValid: false };

  const records: CitizenRecord[] = [];
  const lines: number[] = [];
  const errors: RowError[] = [];
  const firstLineOf = new Map<string, number>();
  for (const row of rows) {
    const checked = checkRow(row, columns, firstLineOf);
    if ('record' in checked) {
      records.push(checked.record);
      lines.push(row.line);
    } else {
      errors.push(...checked.errors);
    }
  }
  return { records, errors, lines, rowCount: rows.length, headerValid: true };
}

/** The column of each field position, or the header's problems. */
function readHeader(header: CsvRow): Column[] | { errors: RowError[] } {
  const errors: RowError[] = [];
  const error = (field: string, message: string): void => {
    errors.push({ row: header.line, field, message });
  };
  if (header.problem !== null) error('', header.problem);
  const columns: Column[] = [];
  for (const [index, raw] of header.fields.entries()) {
    // Spreadsheets are loose about case and padding in headers; the names themselves must be exact.
    const name = raw.trim().toLowerCase();
    if (!isColumn(name)) error(name, `unknown column ${name === '' ? `(column ${index + 1} has no name)` : `"${name}"`}; expected some of ${CITIZEN_CSV_COLUMNS.join(',')}`);
    else if (columns.includes(name)) error(name, 'the column appears twice');
    else columns.push(name);
  }
  for (const column of REQUIRED_CITIZEN_CSV_COLUMNS) if (!columns.includes(column)) error(column, 'required column is missing');
  return errors.length > 0 ? { errors } : columns;
}

/** One data row's record, or all its problems; remembers national IDs to find duplicates. */
function checkRow(row: CsvRow, columns: readonly Column[], firstLineOf: Map<string, number>): { record: CitizenRecord } | { errors: RowError[] } {
  const errors: RowError[] = [];
  const error = (field: string, message: string): void => {
    errors.push({ row: row.line, field, message });
  };
  if (row.problem !== null) error('', row.problem);
  // With fields missing or extra, values sit under the wrong columns: checking them would only mislead.
  if (row.fields.length !== columns.length) {
    error('', `expected ${columns.length} fields as in the header, got ${row.fields.length}`);
    return { errors };
  }
  const input: { -readonly [Field in keyof CitizenRecordInput]: string } = {};
  for (const [index, column] of columns.entries()) input[COLUMNS[column]] = row.fields[index] ?? '';
  const result = validateCitizenRecord(input);
  if ('errors' in result) for (const e of result.errors) error(citizenCsvColumn(e.field), e.message);

  const nationalId = checkNationalId(input.nationalId ?? '');
  if (nationalId.ok) {
    const first = firstLineOf.get(nationalId.value);
    if (first === undefined) firstLineOf.set(nationalId.value, row.line);
    else error('national_id', `the same national ID as line ${first}`);
  }
  return errors.length > 0 || !('record' in result) ? { errors } : { record: result.record };
}
