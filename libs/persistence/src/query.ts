import type { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { CompiledQuery } from 'kysely';

/** PostgreSQL's limit is 65,535 bound parameters per statement; bulk writes stay under it. */
export const MAX_PARAMETERS = 60_000;

/**
 * Runs SQL with `?` placeholders as a prepared statement with bound parameters, inside the entity manager's
 * transaction if it has one. (MikroORM's own `execute` inlines every value into the SQL text, which the benchmark
 * profile showed as a large share of the hub's CPU on bulk statements.) Arrays bind as PostgreSQL arrays, so
 * membership tests are written `= any(?::uuid[])`.
 */
export async function query<Row extends object = Record<string, unknown>>(em: EntityManager, text: string, params: readonly unknown[] = []): Promise<Row[]> {
  let n = 0;
  const compiled = text.replace(/\?/g, () => `$${String(++n)}`);
  const result = await (em as SqlEntityManager).getKysely().executeQuery<Row>(CompiledQuery.raw(compiled, [...params]));
  return [...result.rows];
}
