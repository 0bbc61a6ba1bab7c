import type { KabarConfig } from '@kabar/config';
import { type Decision, describeDecision, isLocale, isUuid, type Locale, SecretBox, type TimezoneLabel, TIMEZONES } from '@kabar/core';
import { type CitizenNotificationRow, type InboxEntry, InboxRepository, PreferenceRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';

import { KABAR_CONFIG } from '../config/config.module.js';
import { CitizenError, CitizenErrorCode } from './citizen.errors.js';
import type { NotificationView } from './citizen.views.js';
import { CitizenProfileService } from './citizen-profile.service.js';
import { retentionNotice } from './data-retention.js';
import { hhmm } from './preferences.parser.js';

export const MAX_HISTORY_PAGE = 200;
const EXPORT_PAGE = 500;

interface Reader {
  readonly citizenId: string;
  readonly locale: Locale;
  readonly timezone: TimezoneLabel;
}

/** The citizen's notification history with reasons, and the export of everything Kabar holds about them. */
@Injectable()
export class CitizenHistoryService {
  private readonly store: PreferenceRepository;
  private readonly inbox: InboxRepository;

  constructor(
    em: EntityManager,
    private readonly box: SecretBox,
    private readonly profiles: CitizenProfileService,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
  ) {
    this.store = new PreferenceRepository(em);
    this.inbox = new InboxRepository(em);
  }

  /** Newest first: everything to me, or about me to a delegate, suppressed, merged, held and deferred ones included. */
  async notifications(citizenId: string, limit: number, before: Date | null, after: string | null = null): Promise<NotificationView[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_PAGE) {
      const message = `expected 1 to ${MAX_HISTORY_PAGE}, got ${limit}`;
      throw new CitizenError(CitizenErrorCode.InvalidInput, `limit: ${message}`, { problems: [{ field: 'limit', message }] });
    }
    const anchor = after === null ? null : isUuid(after) ? await this.store.historyAnchor(citizenId, after) : null;
    if (after !== null && anchor === null) {
      // Someone else's notification, or none at all: the same answer, so ids cannot be probed.
      const message = 'expected the id of the last notification of your previous page';
      throw new CitizenError(CitizenErrorCode.InvalidInput, `after: ${message}`, { problems: [{ field: 'after', message }] });
    }
    const reader = await this.reader(citizenId);
    return (await this.store.notifications(citizenId, limit, before, anchor)).map((row) => toView(row, reader));
  }

  /** Everything held about the citizen, decrypted (it is their own data), with what is kept and for how long. */
  async export(citizenId: string): Promise<Record<string, unknown>> {
    const profile = await this.profiles.profile(citizenId);
    const reader = readerOf(citizenId, profile.locale, profile.timezone);
    const open = (sealed: string | null): string | null => (sealed === null ? null : this.box.decrypt(sealed));
    const contactPoints = (await this.store.contactPoints(citizenId)).map((p) => ({
      id: p.id,
      channel: p.channel,
      address: this.box.decrypt(p.valueSealed),
      verified: p.verifiedAt !== null && p.invalidAt === null,
      verifiedAt: p.verifiedAt,
      verifiedBy: p.verifiedBy,
      invalidAt: p.invalidAt,
    }));
    return {
      exportedAt: new Date(),
      profile: {
        id: profile.id,
        nationalId: open(profile.nationalIdSealed),
        name: open(profile.nameSealed),
        regionCode: profile.regionCode,
        language: profile.locale,
        timezone: profile.timezone,
        quietHours: profile.quietStart === null || profile.quietEnd === null ? null : { start: hhmm(profile.quietStart), end: hhmm(profile.quietEnd) },
        digest: profile.digest,
        caps: profile.caps,
        channelOrder: profile.channelOrder,
        registeredAt: profile.createdAt,
      },
      contactPoints,
      consents: await this.profiles.consents(citizenId),
      delegations: await this.profiles.delegations(citizenId),
      notifications: (await this.allNotifications(citizenId)).map((row) => toView(row, reader)),
      inbox: await this.allInbox(citizenId),
      retention: retentionNotice(this.config.policy.retentionDays),
    };
  }

  private async reader(citizenId: string): Promise<Reader> {
    const profile = await this.profiles.profile(citizenId);
    return readerOf(citizenId, profile.locale, profile.timezone);
  }

  /** Every notification, page by page, each page going on from the last row of the one before (none skipped). */
  private async allNotifications(citizenId: string): Promise<CitizenNotificationRow[]> {
    const all: CitizenNotificationRow[] = [];
    for (;;) {
      const last = all.at(-1);
      const page = await this.store.notifications(citizenId, EXPORT_PAGE, null, last === undefined ? null : { id: last.id, createdAt: last.createdAt });
      all.push(...page);
      if (page.length < EXPORT_PAGE) return all;
    }
  }

  /** Every inbox message, read or not, page by page (the inbox pages by time and id, so none is skipped). */
  private async allInbox(citizenId: string): Promise<InboxEntry[]> {
    const all: InboxEntry[] = [];
    for (;;) {
      const last = all.at(-1);
      const page = await this.inbox.page(citizenId, EXPORT_PAGE, last ?? null);
      all.push(...page);
      if (page.length < EXPORT_PAGE) return all;
    }
  }
}

// describeDecision's switch covers the codes this version knows; a code stored by a newer one falls out as undefined.
const describe: (decision: Decision, locale: Locale, timezone: TimezoneLabel) => string | undefined = describeDecision;

function readerOf(citizenId: string, locale: string, timezone: string): Reader {
  return { citizenId, locale: isLocale(locale) ? locale : 'id', timezone: Object.hasOwn(TIMEZONES, timezone) ? (timezone as TimezoneLabel) : 'WIB' };
}

function toView(row: CitizenNotificationRow, reader: Reader): NotificationView {
  const forDelegate = row.citizenId !== reader.citizenId;
  const purged = row.purgedAt !== null;
  return {
    id: row.id,
    agencyName: row.agencyName,
    eventType: row.eventType,
    messageClass: row.messageClass,
    channel: row.channel,
    state: row.state,
    reason: row.reason,
    // "Sent to you as guardian" speaks to the delegate; the subject reads `forDelegate` instead.
    decisionTrail: row.decisions.flatMap((raw) => {
      const decision = asDecision(raw);
      if (decision === null || (forDelegate && decision.code === 'DELEGATE')) return [];
      // Stored trails may carry a code this version has no words for; its name is better than a hole.
      return [describe(decision, reader.locale, reader.timezone) ?? decision.code];
    }),
    subject: purged ? null : row.subject,
    body: purged ? null : row.body,
    dueAt: row.dueAt,
    createdAt: row.createdAt,
    forDelegate,
    onBehalfOf: forDelegate ? null : row.onBehalfOf,
    mergedInto: row.mergedInto,
    purged,
  };
}

/** A stored decision, read back from JSON (whatever is not shaped like one is left out of the trail). */
function asDecision(raw: unknown): Decision | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { step, code, params } = raw as { step?: unknown; code?: unknown; params?: unknown };
  if (typeof step !== 'string' || typeof code !== 'string') return null;
  const values = typeof params === 'object' && params !== null ? Object.entries(params) : [];
  const clean = Object.fromEntries(values.filter((e): e is [string, string | number] => typeof e[1] === 'string' || typeof e[1] === 'number'));
  // The step and code are checked by describeDecision's own switch; unknown ones fall back to the code above.
  return { step, code, params: clean } as Decision;
}
