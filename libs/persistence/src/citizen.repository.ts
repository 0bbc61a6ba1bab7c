import { randomUUID } from 'node:crypto';

import type { EntityManager } from '@mikro-orm/core';

import { insertRows } from './bulk.js';
import { query } from './query.js';

export interface NewContactPoint {
  readonly channel: string;
  readonly valueSealed: string;
  readonly lookupHash: string;
  readonly verified: boolean;
}

export interface CitizenRef {
  readonly id: string;
  readonly subjectHash: string;
  readonly locale: string;
}

export interface ContactRef {
  readonly id: string;
  readonly citizenId: string;
  readonly channel: string;
  readonly verified: boolean;
  readonly position: number;
}

/** Citizens and their contact points as far as delivery needs them (the preference store extends this). */
export class CitizenRepository {
  constructor(private readonly em: EntityManager) {}

  /** Creates a citizen with contact points in the given order; returns the citizen id. */
  async create(subjectHash: string, locale: string, contacts: readonly NewContactPoint[]): Promise<string> {
    const id = randomUUID();
    await this.em.fork().transactional(async (tx) => {
      await insertRows(tx, 'citizen', ['id', 'subject_hash', 'locale', 'created_at'], [[id, subjectHash, locale, new Date()]]);
      await insertRows(
        tx,
        'contact_point',
        ['id', 'citizen_id', 'channel', 'value_sealed', 'lookup_hash', 'verified_at', 'position', 'created_at'],
        contacts.map((c, position) => [randomUUID(), id, c.channel, c.valueSealed, c.lookupHash, c.verified ? new Date() : null, position, new Date()]),
      );
    });
    return id;
  }

  async bySubjectHashes(hashes: readonly string[]): Promise<Map<string, CitizenRef>> {
    if (hashes.length === 0) return new Map();
    const rows = await query<{ id: string; subject_hash: string; locale: string }>(this.em.fork(), 
      'select "id", "subject_hash", "locale" from "citizen" where "subject_hash" = any(?::text[])',
      [[...new Set(hashes)]],
    );
    return new Map(rows.map((r) => [r.subject_hash, { id: r.id, subjectHash: r.subject_hash, locale: r.locale }]));
  }

  async contactsOf(citizenIds: readonly string[]): Promise<ContactRef[]> {
    if (citizenIds.length === 0) return [];
    const rows = await query<{ id: string; citizen_id: string; channel: string; verified: boolean; position: number | string }>(this.em.fork(), 
      'select "id", "citizen_id", "channel", "verified_at" is not null as "verified", "position" from "contact_point" where "citizen_id" = any(?::uuid[])',
      [[...new Set(citizenIds)]],
    );
    return rows.map((r) => ({ id: r.id, citizenId: r.citizen_id, channel: r.channel, verified: r.verified, position: Number(r.position) }));
  }
}
