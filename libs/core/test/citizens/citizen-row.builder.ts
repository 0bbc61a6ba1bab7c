import { CITIZEN_CSV_COLUMNS } from '../../src/citizens/index.js';

type Row = Record<string, string>;

/** A valid FCM registration token in the usual shape: instance ID, colon, 140-odd URL-safe characters. */
export const FCM_TOKEN = `dQw4w9WgXcQ:APA91b${'Hx7_k-Q2'.repeat(17)}`;

/**
 * A valid citizen CSV row; `n` makes its national ID and phone unique within a file.
 * @example aCitizenRow(2).with({ phone: '12' }).build()
 */
export function aCitizenRow(n = 1): CitizenRowBuilder {
  const suffix = String(n).padStart(4, '0');
  return new CitizenRowBuilder({
    national_id: `327301450785${suffix}`,
    name: 'Siti Rahmawati',
    region_code: '32.73.01.1001',
    timezone: 'WIB',
    language: 'id',
    phone: `0812 1000 ${suffix}`,
    email: 'siti.rahmawati@example.com',
    fcm_token: '',
    whatsapp: '',
  });
}

export class CitizenRowBuilder {
  constructor(private readonly row: Row) {}

  with(values: Row): CitizenRowBuilder {
    return new CitizenRowBuilder({ ...this.row, ...values });
  }

  build(): Row {
    return { ...this.row };
  }
}

/** Quotes a value the way spreadsheets do: only when it holds a comma, a quote or a line break. */
function csvValue(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * A CSV file of the given rows under the given columns (all of them by default).
 * @example citizenCsv([aCitizenRow(1).build()], { eol: '\r\n' })
 */
export function citizenCsv(rows: readonly Row[], options: { columns?: readonly string[]; eol?: string } = {}): string {
  const columns = options.columns ?? CITIZEN_CSV_COLUMNS;
  const eol = options.eol ?? '\n';
  const lines = [columns.join(','), ...rows.map((row) => columns.map((column) => csvValue(row[column] ?? '')).join(','))];
  return lines.map((line) => `${line}${eol}`).join('');
}
