import { Migration } from '@mikro-orm/migrations';

/**
 * Written by hand (partial indexes, which entities do not describe).
 * - Delivery receipts find their attempt by (plugin, provider message id): without an index every SMSC receipt or
 *   WhatsApp status read the whole attempt history. Attempts without a provider id (the inbox's) are left out.
 * - Only event types with a dedup key give notifications a key hash; the dedup lookup asks for non-null hashes, so
 *   the index leaves the rest out and most notifications cost one index entry less to write.
 */
export class Migration20261201193500LeanIndexes extends Migration {
  override up(): void {
    this.addSql('create index "delivery_attempt_plugin_provider_message_id_index" on "delivery_attempt" ("plugin", "provider_message_id") where "provider_message_id" is not null;');
    this.addSql('drop index "notification_citizen_id_dedup_key_hash_index";');
    this.addSql('create index "notification_citizen_id_dedup_key_hash_index" on "notification" ("citizen_id", "dedup_key_hash") where "dedup_key_hash" is not null;');
  }

  override down(): void {
    this.addSql('drop index "delivery_attempt_plugin_provider_message_id_index";');
    this.addSql('drop index "notification_citizen_id_dedup_key_hash_index";');
    this.addSql('create index "notification_citizen_id_dedup_key_hash_index" on "notification" ("citizen_id", "dedup_key_hash");');
  }
}
