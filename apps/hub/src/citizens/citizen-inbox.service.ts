import { isUuid } from '@kabar/core';
import { type InboxCursor, InboxRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';

import { CitizenError, CitizenErrorCode } from './citizen.errors.js';
import type { InboxPageView } from './citizen.views.js';

export const MAX_INBOX_PAGE = 200;
/** Ids one `markInboxRead` takes: a screenful or a few, never an unbounded list. */
export const MAX_MARK_READ = 500;

/** The signed-in citizen's in-app inbox: what the inbox channel delivered to them, read and unread. */
@Injectable()
export class CitizenInboxService {
  private readonly store: InboxRepository;

  constructor(em: EntityManager) {
    this.store = new InboxRepository(em);
  }

  async page(citizenId: string, limit: number, after: string | null): Promise<InboxPageView> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_INBOX_PAGE) throw invalid('limit', `expected 1 to ${MAX_INBOX_PAGE}, got ${limit}`);
    // One more than asked tells whether an older page exists without a second query.
    const rows = await this.store.page(citizenId, limit + 1, after === null ? null : decodeCursor(after));
    const messages = rows.slice(0, limit);
    const last = messages.at(-1);
    return {
      messages,
      unread: await this.store.unread(citizenId),
      next: rows.length > limit && last !== undefined ? encodeCursor(last) : null,
    };
  }

  /** Marks the listed messages read; ids that are not the citizen's, or already read, count for nothing. */
  markRead(citizenId: string, notificationIds: readonly string[]): Promise<number> {
    if (notificationIds.length === 0 || notificationIds.length > MAX_MARK_READ) {
      throw invalid('notificationIds', `expected 1 to ${MAX_MARK_READ} ids, got ${notificationIds.length}`);
    }
    const bad = notificationIds.find((id) => !isUuid(id));
    if (bad !== undefined) throw invalid('notificationIds', `"${bad.slice(0, 64)}" is not a notification id`);
    return this.store.markRead(citizenId, notificationIds, new Date());
  }

  markAllRead(citizenId: string): Promise<number> {
    return this.store.markRead(citizenId, 'all', new Date());
  }
}

function invalid(field: string, message: string): CitizenError {
  return new CitizenError(CitizenErrorCode.InvalidInput, `${field}: ${message}`, { problems: [{ field, message }] });
}

/** Opaque to clients: base64url of the last item's time and id. */
function encodeCursor(cursor: InboxCursor): string {
  return Buffer.from(`${cursor.receivedAt.toISOString()}|${cursor.notificationId}`, 'utf8').toString('base64url');
}

function decodeCursor(text: string): InboxCursor {
  const [at, id, ...rest] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  const receivedAt = new Date(at ?? '');
  if (rest.length > 0 || id === undefined || !isUuid(id) || Number.isNaN(receivedAt.getTime())) {
    throw invalid('after', 'not a cursor this inbox gave out; pass `next` from the previous page');
  }
  return { receivedAt, notificationId: id };
}
