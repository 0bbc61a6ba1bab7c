import { isUuid, SecretBox } from '@kabar/core';
import { CitizenAuthRepository, type ContactPointRow, PreferenceRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';

import { CitizenError, CitizenErrorCode } from './citizen.errors.js';
import type { ContactPointView } from './citizen.views.js';
import { maskAddress, normalizeAddress } from './contact-address.js';
import { OneTimeCodes } from './one-time-codes.js';

const notFound = (): CitizenError => new CitizenError(CitizenErrorCode.ContactPointNotFound, 'you have no contact point with that id');

/** The citizen's phones, e-mail addresses and devices: added unverified, verified by a code sent to them (double opt-in). */
@Injectable()
export class ContactPointsService {
  private readonly store: PreferenceRepository;
  private readonly targets: CitizenAuthRepository;

  constructor(
    em: EntityManager,
    private readonly box: SecretBox,
    private readonly codes: OneTimeCodes,
  ) {
    this.store = new PreferenceRepository(em);
    this.targets = new CitizenAuthRepository(em);
  }

  async list(citizenId: string): Promise<ContactPointView[]> {
    return (await this.store.contactPoints(citizenId)).map((row) => this.toView(row));
  }

  /** Adds the address (or finds it, if already there) and, unless verified, sends it a verification code. */
  async add(citizenId: string, channel: string, address: string): Promise<ContactPointView> {
    const parsed = normalizeAddress(channel, address);
    if (!parsed.ok) throw new CitizenError(CitizenErrorCode.InvalidInput, parsed.message, { problems: [{ field: 'address', message: parsed.message }] });
    const point = await this.store.addContactPoint(citizenId, parsed.channel, this.box.encrypt(parsed.value), this.box.lookupHash(parsed.value));
    if (!point.verified) {
      const target = await this.targets.contactPointOf(citizenId, point.id);
      if (target === null) throw notFound();
      const { sent } = await this.codes.issue(target, 'verify');
      if (!sent) throw new CitizenError(CitizenErrorCode.CodeNotSent, `the verification code could not be sent by ${parsed.channel}: try again later`);
    }
    return this.one(citizenId, point.id);
  }

  /** Verifies the point with the code sent to it (method `code`); a verified point is returned as it is. */
  async verify(citizenId: string, contactPointId: string, code: string): Promise<ContactPointView> {
    const target = isUuid(contactPointId) ? await this.targets.contactPointOf(citizenId, contactPointId) : null;
    if (target === null) throw notFound();
    if (!target.verified) {
      await this.codes.redeem([target], 'verify', code);
      if (!(await this.store.markVerified(citizenId, contactPointId, 'code'))) throw notFound();
    }
    return this.one(citizenId, contactPointId);
  }

  async remove(citizenId: string, contactPointId: string): Promise<void> {
    if (!isUuid(contactPointId) || !(await this.store.removeContactPoint(citizenId, contactPointId))) throw notFound();
  }

  private async one(citizenId: string, contactPointId: string): Promise<ContactPointView> {
    const row = (await this.store.contactPoints(citizenId)).find((p) => p.id === contactPointId);
    if (row === undefined) throw notFound();
    return this.toView(row);
  }

  private toView(row: ContactPointRow): ContactPointView {
    return {
      id: row.id,
      channel: row.channel,
      address: maskAddress(row.channel, this.box.decrypt(row.valueSealed)),
      verified: row.verifiedAt !== null && row.invalidAt === null,
      verifiedAt: row.verifiedAt,
      verifiedBy: row.verifiedBy,
      invalid: row.invalidAt !== null,
    };
  }
}
