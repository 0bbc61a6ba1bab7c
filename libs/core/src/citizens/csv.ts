/** One record of a CSV file. */
export interface CsvRow {
  /** The 1-based line the record starts on; a quoted field with line breaks makes a record span several lines. */
  readonly line: number;
  readonly fields: readonly string[];
  /** A quoting mistake in the record, if any; the fields are then a best guess. */
  readonly problem: string | null;
}

const STRAY_QUOTE = 'a double quote inside an unquoted field: quote the whole field and double the quotes inside it ("")';
const AFTER_QUOTE = 'text after the closing quote of a field: a quoted field must be followed by a comma or a line break';

/**
 * Splits RFC 4180 CSV into records: quoted fields with `""` escapes and embedded commas and line breaks, CRLF or LF
 * line ends, a leading UTF-8 BOM dropped, blank lines skipped. Values are kept exactly as written.
 * @example parseCsv('a,b\r\n"x, y",z\n') // [{ line: 1, fields: ['a', 'b'] }, { line: 2, fields: ['x, y', 'z'] }]
 */
export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  /** Whether the current field was opened with a quote (and so is not blank even when empty). */
  let quoted = false;
  let inQuotes = false;
  let problem: string | null = null;
  let line = 1;
  let rowLine = 1;
  let quoteLine = 1;

  const endRow = (): void => {
    fields.push(field);
    const blankLine = fields.length === 1 && !quoted && field.trim() === '';
    if (!blankLine) rows.push({ line: rowLine, fields, problem });
    fields = [];
    field = '';
    quoted = false;
    problem = null;
  };

  for (let i = text.startsWith('\uFEFF') ? 1 : 0; i < text.length; i++) {
    const char = text.charAt(i);
    const crlf = char === '\r' && text.charAt(i + 1) === '\n';
    if (inQuotes) {
      if (char === '"' && text.charAt(i + 1) === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        inQuotes = false;
      } else {
        // A line break inside quotes is part of the value, but still a line of the file.
        if (char === '\n' || (char === '\r' && !crlf)) line++;
        field += char;
      }
    } else if (char === '"') {
      if (field === '' && !quoted) {
        inQuotes = true;
        quoted = true;
        quoteLine = line;
      } else {
        problem ??= quoted ? AFTER_QUOTE : STRAY_QUOTE;
        field += char;
      }
    } else if (char === ',') {
      fields.push(field);
      field = '';
      quoted = false;
    } else if (char === '\n' || char === '\r') {
      if (crlf) i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      if (quoted) problem ??= AFTER_QUOTE;
      field += char;
    }
  }
  if (inQuotes) problem = `a quoted field opened on line ${quoteLine} is never closed: the rest of the file was read into it`;
  if (fields.length > 0 || field !== '' || quoted) endRow();
  return rows;
}
