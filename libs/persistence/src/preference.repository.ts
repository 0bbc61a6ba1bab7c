import { randomUUID } from 'node:crypto';

import { storableJson } from '@kabar/core';
import type { EntityManager } from '@mikro-orm/core';

import { type Audited,audited } from './audit.repository.js';
import { insertRows, Json } from './bulk.js';
import { query } from './query.js';

/** A citizen row ready to store: everything personal is already sealed or hashed by the caller. */
export interface SealedCitizen {
  readonly subjectHash: string;
  readonly nationalIdSealed: string;
  readonly nameSealed: string;
  readonly regionCode: string;
  readonly timezone: string;
  readonly locale: string;
  readonly contacts: readonly { channel: string; valueSealed: string; lookupHash: string }[];
  readonly programmes?: readonly string[];
}

export interface ContactPointRow {
  readonly id: string;
  readonly channel: string;
  readonly valueSealed: string;
  readonly verifiedAt: Date | null;
  readonly verifiedBy: string | null;
  readonly invalidAt: Date | null;
  readonly position: number;
}

export interface ConsentRow {
  readonly purpose: string;
  readonly basis: string;
  readonly noticeVersion: string;
  readonly action: string;
  readonly channel: string | null;
  readonly evidence: Record<string, string>;
  readonly recordedAt: Date;
}

export interface DelegateRow {
  readonly id: string;
  readonly citizenId: string;
  readonly delegateId: string;
  readonly relation: string;
  readonly createdAt: Date;
}

export interface CitizenProfile {
  readonly id: string;
  readonly nationalIdSealed: string | null;
  readonly nameSealed: string | null;
  readonly regionCode: string | null;
  readonly locale: string;
  readonly timezone: string;
  readonly quietStart: number | null;
  readonly quietEnd: number | null;
  readonly digest: boolean;
  readonly caps: Record<string, { count: number; periodSeconds: number }>;
  readonly channelOrder: Record<string, string[]>;
  readonly createdAt: Date;
}

export interface PreferencePatch {
  readonly locale?: string;
  readonly timezone?: string;
  readonly quietStart?: number | null;
  readonly quietEnd?: number | null;
  readonly digest?: boolean;
  readonly caps?: Record<string, { count: number; periodSeconds: number }>;
  readonly channelOrder?: Record<string, string[]>;
}

export interface NewConsent {
  readonly citizenId: string;
  readonly purpose: string;
  readonly basis: string;
  readonly noticeVersion: string;
  readonly action: 'granted' | 'withdrawn';
  readonly channel: string | null;
  readonly evidence: Record<string, string>;
}

/** A notification as the citizen's history shows it. */
export interface CitizenNotificationRow {
  readonly id: string;
  readonly citizenId: string | null;
  readonly onBehalfOf: string | null;
  readonly recipientRole: string;
  readonly agencyName: string;
  readonly eventType: string;
  readonly messageClass: string | null;
  readonly channel: string | null;
  readonly state: string;
  readonly reason: string | null;
  readonly decisions: unknown[];
  readonly subject: string | null;
  readonly body: string | null;
  readonly dueAt: Date | null;
  readonly mergedInto: string | null;
  readonly purgedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

type Cap = Record<string, { count: number; periodSeconds: number }>;
const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);
const date = (value: Date | string): Date => new Date(value);

/** A position in a citizen's history: the notification a page ended with. */
export interface HistoryAnchor {
  readonly id: string;
  readonly createdAt: Date;
}

/** The citizen preference and consent store: profiles, contact points, consents (append-only) and delegates. */
export class PreferenceRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Creates or updates citizens by subject hash, adding contact points they do not have yet (imported points count
   * as verified by the register they came from). All rows in one transaction: a failure imports nothing.
   */
  async importCitizens(rows: readonly SealedCitizen[], audit: Audited<{ created: number; updated: number }>): Promise<{ created: number; updated: number }> {
    if (rows.length === 0) return { created: 0, updated: 0 };
    return audited(this.em, audit, async (tx) => {
      const now = new Date();
      const upserted = await insertRows<{ id: string; subject_hash: string; created: boolean }>(
        tx,
        'citizen',
        ['id', 'subject_hash', 'national_id_sealed', 'name_sealed', 'region_code', 'locale', 'timezone', 'digest', 'caps', 'channel_order', 'created_at', 'updated_at'],
        rows.map((r) => [randomUUID(), r.subjectHash, r.nationalIdSealed, r.nameSealed, r.regionCode, r.locale, r.timezone, false, new Json({}), new Json({}), now, now]),
        `on conflict ("subject_hash") do update set "national_id_sealed" = excluded."national_id_sealed", "name_sealed" = excluded."name_sealed",
           "region_code" = excluded."region_code", "locale" = excluded."locale", "timezone" = excluded."timezone", "updated_at" = excluded."updated_at"
         returning "id", "subject_hash", (xmax = 0) as "created"`,
      );
      const idOf = new Map(upserted.map((u) => [u.subject_hash, u.id]));
      const ids = [...idOf.values()];
      const existing = await query<{ citizen_id: string; channel: string; lookup_hash: string; position: number | string }>(
        tx,
        'select "citizen_id", "channel", "lookup_hash", "position" from "contact_point" where "citizen_id" = any(?::uuid[])',
        [ids],
      );
      // One number can be both an SMS and a WhatsApp point: a point is its channel and its value.
      const known = new Set(existing.map((e) => `${e.citizen_id} ${e.channel} ${e.lookup_hash}`));
      const nextPosition = new Map<string, number>();
      for (const e of existing) nextPosition.set(e.citizen_id, Math.max(nextPosition.get(e.citizen_id) ?? 0, Number(e.position) + 1));
      const contacts: (string | number | Date)[][] = [];
      const programmes: string[][] = [];
      for (const r of rows) {
        const citizenId = idOf.get(r.subjectHash);
        if (citizenId === undefined) continue;
        for (const c of r.contacts) {
          if (known.has(`${citizenId} ${c.channel} ${c.lookupHash}`)) continue;
          known.add(`${citizenId} ${c.channel} ${c.lookupHash}`);
          const position = nextPosition.get(citizenId) ?? 0;
          nextPosition.set(citizenId, position + 1);
          contacts.push([randomUUID(), citizenId, c.channel, c.valueSealed, c.lookupHash, now, 'import', position, now]);
        }
        for (const programme of r.programmes ?? []) programmes.push([programme, citizenId]);
      }
      await insertRows(tx, 'contact_point', ['id', 'citizen_id', 'channel', 'value_sealed', 'lookup_hash', 'verified_at', 'verified_by', 'position', 'created_at'], contacts);
      await insertRows(tx, 'programme_member', ['programme', 'citizen_id'], programmes, 'on conflict do nothing');
      const created = upserted.filter((u) => u.created).length;
      return { created, updated: upserted.length - created };
    });
  }

  /** Which of these subject hashes already exist (for a dry run's created/updated counts). */
  async existingSubjects(hashes: readonly string[]): Promise<Set<string>> {
    if (hashes.length === 0) return new Set();
    const rows = await query<{ subject_hash: string }>(this.em.fork(), 'select "subject_hash" from "citizen" where "subject_hash" = any(?::text[])', [[...new Set(hashes)]]);
    return new Set(rows.map((r) => r.subject_hash));
  }

  async citizenIdOf(subjectHash: string): Promise<string | null> {
    const [row] = await query<{ id: string }>(this.em.fork(), 'select "id" from "citizen" where "subject_hash" = ?', [subjectHash]);
    return row?.id ?? null;
  }

  async profile(citizenId: string): Promise<CitizenProfile | null> {
    const [r] = await query<{
      id: string;
      national_id_sealed: string | null;
      name_sealed: string | null;
      region_code: string | null;
      locale: string;
      timezone: string;
      quiet_start: number | null;
      quiet_end: number | null;
      digest: boolean;
      caps: Cap | string;
      channel_order: Record<string, string[]> | string;
      created_at: Date | string;
    }>(
      this.em.fork(),
      `select "id", "national_id_sealed", "name_sealed", "region_code", "locale", "timezone", "quiet_start", "quiet_end", "digest", "caps", "channel_order", "created_at"
       from "citizen" where "id" = ?`,
      [citizenId],
    );
    if (r === undefined) return null;
    return {
      id: r.id,
      nationalIdSealed: r.national_id_sealed,
      nameSealed: r.name_sealed,
      regionCode: r.region_code,
      locale: r.locale,
      timezone: r.timezone,
      quietStart: r.quiet_start,
      quietEnd: r.quiet_end,
      digest: r.digest,
      caps: json(r.caps),
      channelOrder: json(r.channel_order),
      createdAt: date(r.created_at),
    };
  }

  async updatePreferences(citizenId: string, patch: PreferencePatch): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [];
    const set = (column: string, value: unknown, cast = ''): void => {
      sets.push(`"${column}" = ?${cast}`);
      params.push(value);
    };
    if (patch.locale !== undefined) set('locale', patch.locale);
    if (patch.timezone !== undefined) set('timezone', patch.timezone);
    if (patch.quietStart !== undefined) set('quiet_start', patch.quietStart);
    if (patch.quietEnd !== undefined) set('quiet_end', patch.quietEnd);
    if (patch.digest !== undefined) set('digest', patch.digest);
    if (patch.caps !== undefined) set('caps', storableJson(patch.caps), '::jsonb');
    if (patch.channelOrder !== undefined) set('channel_order', storableJson(patch.channelOrder), '::jsonb');
    if (sets.length === 0) return;
    await query(this.em.fork(), `update "citizen" set ${sets.join(', ')}, "updated_at" = now() where "id" = ?`, [...params, citizenId]);
  }

  async contactPoints(citizenId: string): Promise<ContactPointRow[]> {
    const rows = await query<{ id: string; channel: string; value_sealed: string; verified_at: Date | string | null; verified_by: string | null; invalid_at: Date | string | null; position: number | string }>(
      this.em.fork(),
      'select "id", "channel", "value_sealed", "verified_at", "verified_by", "invalid_at", "position" from "contact_point" where "citizen_id" = ? order by "position", "created_at"',
      [citizenId],
    );
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel,
      valueSealed: r.value_sealed,
      verifiedAt: r.verified_at === null ? null : date(r.verified_at),
      verifiedBy: r.verified_by,
      invalidAt: r.invalid_at === null ? null : date(r.invalid_at),
      position: Number(r.position),
    }));
  }

  /** Adds an unverified point; the same channel and value twice for one citizen returns the existing point. */
  async addContactPoint(citizenId: string, channel: string, valueSealed: string, lookupHash: string): Promise<{ id: string; verified: boolean }> {
    return this.em.fork().transactional(async (tx) => {
      const [existing] = await query<{ id: string; verified: boolean }>(
        tx,
        'select "id", "verified_at" is not null and "invalid_at" is null as "verified" from "contact_point" where "citizen_id" = ? and "channel" = ? and "lookup_hash" = ? for update',
        [citizenId, channel, lookupHash],
      );
      if (existing !== undefined) return existing;
      const id = randomUUID();
      await query(
        tx,
        `insert into "contact_point" ("id", "citizen_id", "channel", "value_sealed", "lookup_hash", "position", "created_at")
         values (?, ?, ?, ?, ?, (select coalesce(max("position") + 1, 0) from "contact_point" where "citizen_id" = ?), now())`,
        [id, citizenId, channel, valueSealed, lookupHash, citizenId],
      );
      return { id, verified: false };
    });
  }

  /** Marks the point verified (and valid again); false when it is not this citizen's. */
  async markVerified(citizenId: string, contactPointId: string, by: string): Promise<boolean> {
    const rows = await query(this.em.fork(), 'update "contact_point" set "verified_at" = now(), "verified_by" = ?, "invalid_at" = null where "id" = ? and "citizen_id" = ? returning "id"', [
      by,
      contactPointId,
      citizenId,
    ]);
    return rows.length > 0;
  }

  async removeContactPoint(citizenId: string, contactPointId: string): Promise<boolean> {
    const rows = await query(this.em.fork(), 'delete from "contact_point" where "id" = ? and "citizen_id" = ? returning "id"', [contactPointId, citizenId]);
    return rows.length > 0;
  }

  /** Marks points the provider reported dead (e.g. unregistered FCM tokens); they are never chosen again. */
  async invalidateContactPoints(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await query(this.em.fork(), 'update "contact_point" set "invalid_at" = now() where "id" = any(?::uuid[]) and "invalid_at" is null', [[...new Set(ids)]]);
  }

  /** Appends a consent record; returns its time (the instant from which it takes effect). */
  async recordConsent(consent: NewConsent): Promise<Date> {
    const [row] = await query<{ recorded_at: Date | string }>(
      this.em.fork(),
      `insert into "consent_record" ("citizen_id", "purpose", "basis", "notice_version", "action", "channel", "evidence", "recorded_at")
       values (?, ?, ?, ?, ?, ?, ?::jsonb, clock_timestamp()) returning "recorded_at"`,
      [consent.citizenId, consent.purpose, consent.basis, consent.noticeVersion, consent.action, consent.channel, storableJson(consent.evidence)],
    );
    return row === undefined ? new Date() : date(row.recorded_at);
  }

  async consents(citizenId: string): Promise<ConsentRow[]> {
    const rows = await query<{
      purpose: string;
      basis: string;
      notice_version: string;
      action: string;
      channel: string | null;
      evidence: Record<string, string> | string;
      recorded_at: Date | string;
    }>(this.em.fork(), 'select "purpose", "basis", "notice_version", "action", "channel", "evidence", "recorded_at" from "consent_record" where "citizen_id" = ? order by "id"', [citizenId]);
    return rows.map((r) => ({
      purpose: r.purpose,
      basis: r.basis,
      noticeVersion: r.notice_version,
      action: r.action,
      channel: r.channel,
      evidence: json(r.evidence),
      recordedAt: date(r.recorded_at),
    }));
  }

  /** Records that `delegateId` receives `citizenId`'s notices; idempotent. */
  async addDelegate(citizenId: string, delegateId: string, relation: string): Promise<void> {
    await query(
      this.em.fork(),
      `insert into "delegate" ("id", "citizen_id", "delegate_id", "relation", "created_at") values (?, ?, ?, ?, now())
       on conflict ("citizen_id", "delegate_id") do update set "relation" = excluded."relation", "ended_at" = null`,
      [randomUUID(), citizenId, delegateId, relation],
    );
  }

  async endDelegate(citizenId: string, delegateId: string): Promise<boolean> {
    const rows = await query(this.em.fork(), 'update "delegate" set "ended_at" = now() where "citizen_id" = ? and "delegate_id" = ? and "ended_at" is null returning "id"', [
      citizenId,
      delegateId,
    ]);
    return rows.length > 0;
  }

  /** Active delegations in both directions: who acts for this citizen, and for whom this citizen acts. */
  async delegations(citizenId: string): Promise<DelegateRow[]> {
    const rows = await query<{ id: string; citizen_id: string; delegate_id: string; relation: string; created_at: Date | string }>(
      this.em.fork(),
      'select "id", "citizen_id", "delegate_id", "relation", "created_at" from "delegate" where ("citizen_id" = ? or "delegate_id" = ?) and "ended_at" is null order by "created_at"',
      [citizenId, citizenId],
    );
    return rows.map((r) => ({ id: r.id, citizenId: r.citizen_id, delegateId: r.delegate_id, relation: r.relation, createdAt: date(r.created_at) }));
  }

  /** Every notification to this citizen, or about them to a delegate, newest first. */
  /**
   * Newest first (created_at desc, then id). `after`, the last row of the previous page, continues the order exactly:
   * a batch's notifications share one created_at, so a time alone would skip those left on the far side of a page.
   */
  /** Where a page of a citizen's history ends: its last notification's time and id; null when it is not theirs. */
  async historyAnchor(citizenId: string, notificationId: string): Promise<HistoryAnchor | null> {
    const [row] = await query<{ created_at: Date | string }>(
      this.em.fork(),
      'select "created_at" from "notification" where "id" = ? and ("citizen_id" = ? or "on_behalf_of" = ?)',
      [notificationId, citizenId, citizenId],
    );
    return row === undefined ? null : { id: notificationId, createdAt: new Date(row.created_at) };
  }

  async notifications(citizenId: string, limit: number, before: Date | null, after: HistoryAnchor | null = null): Promise<CitizenNotificationRow[]> {
    const rows = await query<{
      id: string;
      citizen_id: string | null;
      on_behalf_of: string | null;
      recipient_role: string;
      name: string;
      type: string;
      message_class: string | null;
      channel: string | null;
      state: string;
      reason: string | null;
      decisions: unknown[] | string;
      rendered_subject: string | null;
      rendered_body: string | null;
      due_at: Date | string | null;
      merged_into: string | null;
      purged_at: Date | string | null;
      created_at: Date | string;
      updated_at: Date | string;
    }>(
      this.em.fork(),
      `select n."id", n."citizen_id", n."on_behalf_of", n."recipient_role", a."name", e."type", n."message_class", n."channel", n."state", n."reason",
              n."decisions", n."rendered_subject", n."rendered_body", n."due_at", n."merged_into", n."purged_at", n."created_at", n."updated_at"
       from "notification" n join "event" e on e."id" = n."event_id" join "agency" a on a."id" = n."agency_id"
       where (n."citizen_id" = ? or n."on_behalf_of" = ?) and (?::timestamptz is null or n."created_at" < ?)
         and (?::timestamptz is null or n."created_at" < ? or (n."created_at" = ? and n."id" > ?::uuid))
       order by n."created_at" desc, n."id" limit ?`,
      [citizenId, citizenId, before, before, after?.createdAt ?? null, after?.createdAt ?? null, after?.createdAt ?? null, after?.id ?? null, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      citizenId: r.citizen_id,
      onBehalfOf: r.on_behalf_of,
      recipientRole: r.recipient_role,
      agencyName: r.name,
      eventType: r.type,
      messageClass: r.message_class,
      channel: r.channel,
      state: r.state,
      reason: r.reason,
      decisions: json(r.decisions),
      subject: r.rendered_subject,
      body: r.rendered_body,
      dueAt: r.due_at === null ? null : date(r.due_at),
      mergedInto: r.merged_into,
      purgedAt: r.purged_at === null ? null : date(r.purged_at),
      createdAt: date(r.created_at),
      updatedAt: date(r.updated_at),
    }));
  }
}
