/** Where a command writes: `out` is the result (stdout, for pipes and `$(…)`), `err` is for people (stderr). */
export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/**
 * Left-aligned columns separated by two spaces, with a header row; the last column is not padded.
 * @example table(['CODE', 'NAME'], [['bapenda-bdg', 'Bapenda Kota Bandung']])
 */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
