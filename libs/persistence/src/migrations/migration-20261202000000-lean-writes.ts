import { Migration } from '@mikro-orm/migrations';

/**
 * Written by hand (a compression setting, which entities do not describe). What a notification costs PostgreSQL to
 * write, read with pg_waldump over the benchmark: about 2,800 bytes of WAL, 3.9 heap rows, 10.6 index entries and
 * 2.75 row locks per notification. The locks were foreign-key checks.
 * - The foreign keys from `event` and `notification` to `agency`, from `notification` to `event` and from
 *   `delivery_attempt` to `notification` go. Each cost a locked lookup of the parent per row, every writer locking
 *   the same agency row, for rows the hub writes only in the transaction that read or wrote their parent; and no
 *   agency, event or notification is ever deleted (retention purges content in place), so their cascades never ran.
 *   References to citizens and contact points keep theirs: a citizen may remove a contact point.
 * - Packed outbox rows (status messages, a few hundred kB each) are compressed with lz4 where the server has it:
 *   pglz was 3.7 % of PostgreSQL's CPU in the benchmark, for the same WAL.
 * - Notifications get half of each page free (fillfactor 50, was 70). Each is updated once on its way out; at 70 only
 *   46 % of those updates found room on their page, and the rest were written elsewhere with all three index entries
 *   again. At 50 every update stays on its page (HOT, 50,000 of 50,000 in the benchmark), WAL per notification goes
 *   from 2,680 to 2,290 bytes, and the table is smaller (49 MB against 55 MB for 50,000), as no update leaves a dead
 *   copy behind for vacuum. Existing pages get the room as they are rewritten.
 */
export class Migration20261202000000LeanWrites extends Migration {
  override up(): void {
    this.addSql('alter table "event" drop constraint "event_agency_id_foreign";');
    this.addSql('alter table "notification" drop constraint "notification_agency_id_foreign";');
    this.addSql('alter table "notification" drop constraint "notification_event_id_foreign";');
    this.addSql('alter table "delivery_attempt" drop constraint "delivery_attempt_notification_id_foreign";');
    this.addSql('alter table "notification" set (fillfactor = 50);');
    // A server built without lz4 (PGlite among them) keeps its default compression.
    this.addSql(`do $$ begin
  alter table "outbox" alter column "value" set compression lz4;
exception when feature_not_supported then null;
end $$;`);
  }

  override down(): void {
    this.addSql('alter table "notification" set (fillfactor = 70);');
    this.addSql('alter table "outbox" alter column "value" set compression default;');
    this.addSql('alter table "delivery_attempt" add constraint "delivery_attempt_notification_id_foreign" foreign key ("notification_id") references "notification" ("id") on delete cascade;');
    this.addSql('alter table "notification" add constraint "notification_event_id_foreign" foreign key ("event_id") references "event" ("id") on delete cascade;');
    this.addSql('alter table "notification" add constraint "notification_agency_id_foreign" foreign key ("agency_id") references "agency" ("id") on delete cascade;');
    this.addSql('alter table "event" add constraint "event_agency_id_foreign" foreign key ("agency_id") references "agency" ("id") on delete cascade;');
  }
}
