import { storableJson } from '@kabar/core';
import type { EntityManager } from '@mikro-orm/core';

import { MAX_PARAMETERS, query } from './query.js';

/** A value for a bulk statement; `Json` marks values to send as jsonb. */
export class Json {
  constructor(readonly value: unknown) {}
}

type Cell = string | number | boolean | Date | Buffer | null | Json;

/**
 * One multi-row INSERT for a whole batch (the hot paths never insert row by row).
 * `suffix` may add `on conflict … do nothing returning …`.
 */
export async function insertRows<Row extends object = Record<string, unknown>>(
  em: EntityManager,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly Cell[])[],
  suffix = '',
): Promise<Row[]> {
  if (rows.length === 0) return [];
  // Very large batches are split so no statement passes PostgreSQL's bound-parameter limit.
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  const names = columns.map((c) => `"${c}"`).join(', ');
  const results: Row[] = [];
  for (let start = 0; start < rows.length; start += perStatement) {
    const params: unknown[] = [];
    const tuples = rows.slice(start, start + perStatement).map((row) => {
      const placeholders = row.map((cell) => {
        if (cell instanceof Json) {
          params.push(storableJson(cell.value));
          return '?::jsonb';
        }
        params.push(cell);
        return '?';
      });
      return `(${placeholders.join(', ')})`;
    });
    results.push(...(await query<Row>(em, `insert into "${table}" (${names}) values ${tuples.join(', ')} ${suffix}`, params)));
  }
  return results;
}

/** A PostgreSQL type for a column sent as an array (`uuid`, `text`, `integer`, `timestamptz`, `jsonb`, …). */
export type ColumnType = 'uuid' | 'text' | 'integer' | 'bigint' | 'boolean' | 'timestamptz' | 'jsonb';

/** A cell of `insertColumns`; a `jsonb` column takes a `Json` (anything JSON can hold). */
export type ColumnCell = string | number | boolean | Date | null | Json;

/**
 * One INSERT for a whole batch, sent as one array per column and spread by `unnest`: a handful of parameters however
 * many rows, where `insertRows` binds one per cell. For the hot paths (events and notifications at ingest, attempts
 * and inbox items at dispatch): on 1,000 rows of 25 columns the driver encodes 25 parameters, not 25,000, which the
 * benchmark profile showed as a tenth of the hub's time. A column holding one value in every row (the batch's time,
 * its agency, the many NULLs) travels once, as a scalar: PostgreSQL parses it once instead of once a row.
 */
export async function insertColumns<Row extends object = Record<string, unknown>>(
  em: EntityManager,
  table: string,
  columns: readonly (readonly [name: string, type: ColumnType])[],
  rows: readonly (readonly ColumnCell[])[],
  suffix = '',
): Promise<Row[]> {
  if (rows.length === 0) return [];
  const names = columns.map(([name]) => `"${name}"`).join(', ');
  const encoded = columns.map(([, type], i) => (type === 'jsonb' ? jsonColumn(rows, i) : plainColumn(rows, i)));
  // unnest needs one array to know how many rows there are.
  if (!encoded.some((c) => c.kind === 'array')) encoded[0] = columns[0]?.[1] === 'jsonb' ? jsonColumn(rows, 0, true) : plainColumn(rows, 0, true);
  const scalars: unknown[] = [];
  const arrays: string[] = [];
  const spread: string[] = [];
  const select = columns.map(([, type], i) => {
    const column = encoded[i];
    if (column?.kind === 'scalar') {
      scalars.push(column.value);
      return `?::${type}`;
    }
    arrays.push(column?.value ?? '');
    // A JSON column travels as one JSON array (one native stringify, nothing to escape) and becomes jsonb[] here. It
    // is split as json and each element made jsonb: building one jsonb of the whole array first took PostgreSQL 3 to
    // 6 times longer (13 µs a row for a notification's decisions).
    spread.push(type === 'jsonb' ? 'array(select e::jsonb from json_array_elements(?::json) with ordinality as t(e, i) order by i)' : `?::${type}[]`);
    return `u.c${String(i)}`;
  });
  const aliases = encoded.flatMap((c, i) => (c.kind === 'array' ? [`c${String(i)}`] : [])).join(', ');
  // Placeholders number in the order they appear: the select list's scalars, then unnest's arrays.
  return query<Row>(em, `insert into "${table}" (${names}) select ${select.join(', ')} from unnest(${spread.join(', ')}) as u(${aliases}) ${suffix}`, [...scalars, ...arrays]);
}

/** A column for `insertColumns`: one value for every row, or a PostgreSQL array literal (a JSON array for jsonb). */
type EncodedColumn = { readonly kind: 'scalar'; readonly value: unknown } | { readonly kind: 'array'; readonly value: string };

/** Same cell for this purpose: the same primitive, or the same instant. */
function sameCell(a: ColumnCell | undefined, b: ColumnCell | undefined): boolean {
  return a === b || (a instanceof Date && b instanceof Date && a.getTime() === b.getTime());
}

function plainColumn(rows: readonly (readonly ColumnCell[])[], index: number, asArray = false): EncodedColumn {
  const first = rows[0]?.[index] ?? null;
  if (!asArray && !(first instanceof Json) && rows.every((row) => sameCell(row[index] ?? null, first))) return { kind: 'scalar', value: first };
  return { kind: 'array', value: arrayLiteral(rows.length, (r) => rows[r]?.[index]) };
}

/** A jsonb column's cells; a missing value is JSON null, as `Json(null)` is. */
function jsonColumn(rows: readonly (readonly ColumnCell[])[], index: number, asArray = false): EncodedColumn {
  const texts = rows.map((row) => {
    const cell = row[index] ?? null;
    return storableJson(cell instanceof Json ? (cell.value ?? null) : cell);
  });
  const first = texts[0] ?? 'null';
  if (!asArray && texts.every((t) => t === first)) return { kind: 'scalar', value: first };
  return { kind: 'array', value: `[${texts.join(',')}]` };
}

const QUOTED = /[\\"]/g;

/**
 * A list as one PostgreSQL array literal, for `= any(?::uuid[])` or `unnest(?::text[])` in hot statements: the same
 * one-pass encoding as `insertColumns` (the driver would escape every element with two regular expressions).
 */
export function arrayParam(values: readonly ColumnCell[]): string {
  return arrayLiteral(values.length, (r) => values[r]);
}

/**
 * One column as a PostgreSQL array literal, `{"a","b",NULL}`, sent as text and cast by the statement. Built here in
 * one pass rather than by the driver, which escapes each element with two regular expressions and showed in the
 * benchmark profile. Every string is quoted (so no value, trusted or not, can change the array's shape); numbers and
 * booleans need no quotes; dates travel as their text; a repeated Date (a batch's `now`) is formatted once.
 */
function arrayLiteral(count: number, cellAt: (r: number) => ColumnCell | undefined): string {
  const parts = new Array<string>(count);
  let lastDate: Date | undefined;
  let lastText = '';
  for (let r = 0; r < count; r++) {
    const cell = cellAt(r) ?? null;
    if (cell === null) parts[r] = 'NULL';
    else if (typeof cell === 'number' || typeof cell === 'boolean') parts[r] = String(cell);
    else if (cell instanceof Date) {
      if (cell !== lastDate) [lastDate, lastText] = [cell, `"${cell.toISOString()}"`];
      parts[r] = lastText;
    } else {
      const text = cell instanceof Json ? storableJson(cell.value ?? null) : cell;
      // Most values (ids, codes, times) hold neither quote nor backslash: two native scans beat a regex replace.
      parts[r] = text.includes('"') || text.includes('\\') ? `"${text.replace(QUOTED, '\\$&')}"` : `"${text}"`;
    }
  }
  return `{${parts.join(',')}}`;
}
