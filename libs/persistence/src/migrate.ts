import type { MikroORM } from '@mikro-orm/core';

/** Applies pending migrations; returns the names applied (empty when up to date). */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((m) => m.name);
}

/**
 * The SQL that would bring the database to the entity definitions; empty when migrations and entities agree.
 * A test runs it after migrating, so a hand-written migration cannot drift from the entities.
 */
export async function schemaDrift(orm: MikroORM): Promise<string> {
  return (await orm.schema.getUpdateSchemaSQL()).trim();
}
