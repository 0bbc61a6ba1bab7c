import { Migration } from '@mikro-orm/migrations';

/** Probe round trips and the transactional outbox. SQL is PostgreSQL 15 (also what PGlite accepts). */
export class Migration20261123Foundation extends Migration {
  override up(): void {
    this.addSql(`create table "probe" (
      "id" uuid not null,
      "note" varchar(200) not null,
      "created_at" timestamptz not null,
      "received_at" timestamptz null,
      constraint "probe_pkey" primary key ("id"));`);
    this.addSql(`create table "outbox" (
      "id" bigserial not null,
      "topic" varchar(255) not null,
      "key" varchar(255) null,
      "value" bytea not null,
      "headers" jsonb not null,
      "created_at" timestamptz not null,
      constraint "outbox_pkey" primary key ("id"));`);
  }

  override down(): void {
    this.addSql('drop table if exists "outbox";');
    this.addSql('drop table if exists "probe";');
  }
}
