import type { KabarConfig } from '@kabar/config';
import { checkNationalId, isUuid, MESSAGE_CLASSES, SecretBox } from '@kabar/core';
import { CatalogRepository, type CitizenProfile, CitizenRepository, type ConsentRow, type DelegateRow, PreferenceRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';

import { KABAR_CONFIG } from '../config/config.module.js';
import { CitizenError, CitizenErrorCode } from './citizen.errors.js';
import type { CitizenView, ConsentAction, ConsentPurposeView, ConsentReceiptView, ConsentStateView, ConsentsView, DelegationView } from './citizen.views.js';
import { maskNationalId } from './contact-address.js';
import { hhmm, parsePreferences, type PreferencesInput } from './preferences.parser.js';

const PURPOSE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const NOTICE_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const RELATION = /^[a-z][a-z-]{1,31}$/;

// Where a consent was given, as recorded. `preference-centre` would be clearer, but consent_record.channel is
// varchar(16); 'pref-centre' fits.
export const CONSENT_CHANNEL = 'preference-centre';

const classRank = (name: string): number => (MESSAGE_CLASSES as readonly string[]).indexOf(name);

const invalid = (field: string, message: string): CitizenError => new CitizenError(CitizenErrorCode.InvalidInput, `${field}: ${message}`, { problems: [{ field, message }] });

/** The citizen's own profile, preferences, consents and delegations. */
@Injectable()
export class CitizenProfileService {
  private readonly store: PreferenceRepository;
  private readonly citizens: CitizenRepository;
  private readonly catalog: CatalogRepository;

  constructor(
    em: EntityManager,
    private readonly box: SecretBox,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
  ) {
    this.store = new PreferenceRepository(em);
    this.citizens = new CitizenRepository(em);
    this.catalog = new CatalogRepository(em);
  }

  /** What citizens can consent to, under the privacy notice in force (KABAR_PRIVACY_NOTICE_VERSION). */
  async consentPurposes(): Promise<ConsentPurposeView[]> {
    const noticeVersion = this.config.policy.privacyNoticeVersion;
    return (await this.catalog.consentPurposes()).map((row) => ({ ...row, noticeVersion }));
  }

  async profile(citizenId: string): Promise<CitizenProfile> {
    const profile = await this.store.profile(citizenId);
    // The session outlived the citizen (removed by an admin): nothing to show.
    if (profile === null) throw new CitizenError(CitizenErrorCode.CitizenNotFound, 'this citizen is no longer registered');
    return profile;
  }

  async me(citizenId: string): Promise<CitizenView> {
    const p = await this.profile(citizenId);
    return {
      id: p.id,
      name: p.nameSealed === null ? null : this.box.decrypt(p.nameSealed),
      nationalId: p.nationalIdSealed === null ? null : maskNationalId(this.box.decrypt(p.nationalIdSealed)),
      regionCode: p.regionCode,
      language: p.locale,
      timezone: p.timezone,
      quietHours: p.quietStart === null || p.quietEnd === null ? null : { start: hhmm(p.quietStart), end: hhmm(p.quietEnd) },
      digest: p.digest,
      // jsonb keeps no key order: classes come in MESSAGE_CLASSES order, categories alphabetically with `*` last.
      caps: Object.entries(p.caps)
        .map(([messageClass, cap]) => ({ messageClass, count: cap.count, periodSeconds: cap.periodSeconds }))
        .sort((a, b) => classRank(a.messageClass) - classRank(b.messageClass)),
      channelOrder: Object.entries(p.channelOrder)
        .map(([category, channels]) => ({ category, channels }))
        .sort((a, b) => (a.category === '*' ? 1 : b.category === '*' ? -1 : a.category.localeCompare(b.category))),
    };
  }

  /** Applies the valid update, or answers CITIZEN_INVALID_INPUT listing every problem (nothing is changed then). */
  async updatePreferences(citizenId: string, input: PreferencesInput): Promise<CitizenView> {
    const parsed = parsePreferences(input);
    if ('problems' in parsed) {
      throw new CitizenError(CitizenErrorCode.InvalidInput, parsed.problems.map((p) => `${p.field}: ${p.message}`).join('; '), { problems: parsed.problems });
    }
    await this.profile(citizenId);
    await this.store.updatePreferences(citizenId, parsed.patch);
    return this.me(citizenId);
  }

  async consents(citizenId: string): Promise<ConsentsView> {
    const history = (await this.store.consents(citizenId)).map(toReceipt);
    const latest = new Map<string, ConsentReceiptView>();
    // Records come oldest first; the last one per purpose is the one in force.
    for (const record of history) latest.set(record.purpose, record);
    const current: ConsentStateView[] = [...latest.values()].map((r) => ({ purpose: r.purpose, granted: r.action === 'granted', noticeVersion: r.noticeVersion, since: r.recordedAt }));
    return { current, history };
  }

  /** Appends a consent record made in the preference centre; the record is the receipt. No IP address is kept. */
  async recordConsent(citizenId: string, purpose: string, noticeVersion: string, action: ConsentAction): Promise<ConsentReceiptView> {
    if (!PURPOSE.test(purpose)) throw invalid('purpose', `expected a purpose like tax-reminders (lower-case letters, digits, dashes), got ${JSON.stringify(purpose)}`);
    if (!NOTICE_VERSION.test(noticeVersion)) throw invalid('noticeVersion', `expected the privacy notice version, e.g. 2026-01, up to 32 characters, got ${JSON.stringify(noticeVersion)}`);
    await this.profile(citizenId);
    const evidence = { via: 'graphql', at: new Date().toISOString() };
    const record = { citizenId, purpose, basis: 'consent', noticeVersion, action, channel: CONSENT_CHANNEL, evidence };
    const recordedAt = await this.store.recordConsent(record);
    return { purpose, action, basis: record.basis, noticeVersion, channel: record.channel, evidence, recordedAt };
  }

  async delegations(citizenId: string): Promise<DelegationView[]> {
    const rows = await this.store.delegations(citizenId);
    return Promise.all(rows.map((row) => this.toDelegation(citizenId, row)));
  }

  /**
   * Lets an existing citizen receive my notices. The answer never carries their name: knowing someone's national ID
   * must not be enough to learn who they are.
   */
  async addDelegate(citizenId: string, nationalId: string, relation: string): Promise<DelegationView> {
    const checked = checkNationalId(nationalId);
    if (!checked.ok) throw invalid('nationalId', checked.message);
    if (!RELATION.test(relation)) throw invalid('relation', `expected a relation like guardian, parent or caregiver (lower-case letters and dashes), got ${JSON.stringify(relation)}`);
    const delegate = (await this.citizens.bySubjectHashes([this.box.lookupHash(checked.value)])).values().next().value;
    if (delegate === undefined) throw new CitizenError(CitizenErrorCode.CitizenNotFound, 'no citizen is registered with that national ID');
    if (delegate.id === citizenId) throw invalid('nationalId', 'you cannot be your own delegate');
    await this.store.addDelegate(citizenId, delegate.id, relation);
    const added = (await this.store.delegations(citizenId)).find((d) => d.citizenId === citizenId && d.delegateId === delegate.id);
    if (added === undefined) throw new CitizenError(CitizenErrorCode.DelegateNotFound, 'the delegation ended while it was being added');
    return this.toDelegation(citizenId, added);
  }

  async removeDelegate(citizenId: string, delegateId: string): Promise<void> {
    if (!isUuid(delegateId) || !(await this.store.endDelegate(citizenId, delegateId))) throw new CitizenError(CitizenErrorCode.DelegateNotFound, 'no active delegation to that citizen');
  }

  private async toDelegation(citizenId: string, row: DelegateRow): Promise<DelegationView> {
    const actsForMe = row.citizenId === citizenId;
    const otherId = actsForMe ? row.delegateId : row.citizenId;
    const other = await this.store.profile(otherId);
    return {
      id: row.id,
      direction: actsForMe ? 'ACTS_FOR_ME' : 'I_ACT_FOR',
      relation: row.relation,
      citizenId: otherId,
      nationalId: other?.nationalIdSealed == null ? null : maskNationalId(this.box.decrypt(other.nationalIdSealed)),
      since: row.createdAt,
    };
  }
}

function toReceipt(row: ConsentRow): ConsentReceiptView {
  return {
    purpose: row.purpose,
    action: row.action === 'withdrawn' ? 'withdrawn' : 'granted',
    basis: row.basis,
    noticeVersion: row.noticeVersion,
    channel: row.channel,
    evidence: row.evidence,
    recordedAt: row.recordedAt,
  };
}
