import { Migration } from '@mikro-orm/migrations';

/**
 * Relays claim outbox rows with a lease instead of holding them locked in a transaction while the broker answers: a
 * stalled broker held one pooled connection per hand-off in flight, and with the pool used up ingest stopped too.
 */
export class Migration20261204000000OutboxLeases extends Migration {
  override up(): void {
    this.addSql("alter table \"outbox\" add \"claimed_until\" timestamptz null;");
  }

  override down(): void {
    this.addSql("alter table \"outbox\" drop column \"claimed_until\";");
  }
}
