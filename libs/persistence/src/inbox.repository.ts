import type { EntityManager } from '@mikro-orm/core';

import { query } from './query.js';

/** One message in a citizen's in-app inbox, as the citizen reads it. */
export interface InboxEntry {
  readonly notificationId: string;
  /** The agency's name; its code when the agency no longer exists. */
  readonly agencyName: string;
  readonly eventType: string;
  readonly subject: string | null;
  readonly body: string;
  readonly locale: string;
  /** When it reached the inbox. */
  readonly receivedAt: Date;
  readonly readAt: Date | null;
}

/** Where a page of the inbox ends: the last item's time and id (items of one batch share a time). */
export interface InboxCursor {
  readonly receivedAt: Date;
  readonly notificationId: string;
}

/**
 * The citizen's side of `inbox_item`: the inbox plugin writes it (DispatchRepository.putInbox), the citizen pages
 * through it and marks items read. Every statement is bound to one citizen id, so no citizen reaches another's items.
 */
export class InboxRepository {
  constructor(private readonly em: EntityManager) {}

  /** Newest first, `limit` items after `cursor` (none: from the newest). */
  async page(citizenId: string, limit: number, cursor: InboxCursor | null): Promise<InboxEntry[]> {
    const rows = await query<{
      notification_id: string;
      agency_name: string | null;
      agency_code: string;
      event_type: string;
      subject: string | null;
      body: string;
      locale: string;
      created_at: Date | string;
      read_at: Date | string | null;
    }>(
      this.em.fork(),
      `select i."notification_id", a."name" as agency_name, i."agency_code", i."event_type", i."subject", i."body", i."locale", i."created_at", i."read_at"
       from "inbox_item" i left join "agency" a on a."code" = i."agency_code"
       where i."citizen_id" = ? and (?::timestamptz is null or (i."created_at", i."notification_id") < (?::timestamptz, ?::uuid))
       order by i."created_at" desc, i."notification_id" desc limit ?`,
      [citizenId, cursor?.receivedAt ?? null, cursor?.receivedAt ?? null, cursor?.notificationId ?? null, limit],
    );
    return rows.map((r) => ({
      notificationId: r.notification_id,
      agencyName: r.agency_name ?? r.agency_code,
      eventType: r.event_type,
      subject: r.subject,
      body: r.body,
      locale: r.locale,
      receivedAt: new Date(r.created_at),
      readAt: r.read_at === null ? null : new Date(r.read_at),
    }));
  }

  async unread(citizenId: string): Promise<number> {
    const [row] = await query<{ n: string | number }>(this.em.fork(), 'select count(*) as n from "inbox_item" where "citizen_id" = ? and "read_at" is null', [citizenId]);
    return Number(row?.n ?? 0);
  }

  /**
   * Marks the citizen's unread items read (the listed ones, or all): ids that are not theirs, or already read, are
   * left alone. Returns how many were marked.
   */
  async markRead(citizenId: string, ids: readonly string[] | 'all', at: Date): Promise<number> {
    const rows =
      ids === 'all'
        ? await query(this.em.fork(), 'update "inbox_item" set "read_at" = ? where "citizen_id" = ? and "read_at" is null returning 1', [at, citizenId])
        : await query(this.em.fork(), 'update "inbox_item" set "read_at" = ? where "citizen_id" = ? and "read_at" is null and "notification_id" = any(?::uuid[]) returning 1', [at, citizenId, [...ids]]);
    return rows.length;
  }
}
