import type { Logger } from '@kabar/core';
import { SecretBox } from '@kabar/core';
import { CitizenAuthRepository, RateCounterRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';

import { AuthService } from '../auth/index.js';
import { ROOT_LOGGER } from '../config/config.module.js';
import { CitizenError, CitizenErrorCode } from './citizen.errors.js';
import { normalizeAddress } from './contact-address.js';
import { CODE_RULES, invalidCode, OneTimeCodes, tooManyCodes, tooManyTries } from './one-time-codes.js';

/**
 * Sign-in with a one-time code sent to a verified contact point. Nothing a caller sees tells a known address from an
 * unknown one: an unknown address answers `true`, then INVALID_CODE, and meets the same limits, counted per address
 * hash (fixed windows) where a known one counts its code rows.
 */
@Injectable()
export class CitizenSignInService {
  private readonly points: CitizenAuthRepository;
  private readonly counters: RateCounterRepository;

  constructor(
    em: EntityManager,
    private readonly box: SecretBox,
    private readonly codes: OneTimeCodes,
    private readonly auth: AuthService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.points = new CitizenAuthRepository(em);
    this.counters = new RateCounterRepository(em);
  }

  /** Always true, whether or not the address belongs to anyone; RATE_LIMITED past 3 requests per 15 minutes. */
  async requestCode(channel: string, address: string, now = new Date()): Promise<true> {
    const { normalized, targets } = await this.find(channel, address);
    if (targets.length === 0) {
      const requests = await this.unknownRequests(normalized, 1, now);
      if (requests > CODE_RULES.maxCodesPerWindow) throw tooManyCodes();
      return true;
    }
    // A phone shared by a family may belong to several citizens: each gets a code, and the code says whose it is.
    for (const target of targets) {
      const { sent } = await this.codes.issue(target, 'sign-in', now);
      // Not an error for the caller: that would tell them the address exists.
      if (!sent) this.logger.warn({ contactPointId: target.id }, 'sign-in code could not be handed to a plugin');
    }
    return true;
  }

  /** A session for the citizen whose code matches; INVALID_CODE otherwise (also for an unknown address). */
  async signIn(channel: string, address: string, code: string, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const { normalized, targets } = await this.find(channel, address);
    if (targets.length === 0) return this.failUnknown(normalized, now);
    const target = await this.codes.redeem(targets, 'sign-in', code, now);
    return this.auth.startCitizenSession(target.citizenId, now);
  }

  private async find(channel: string, address: string): Promise<{ normalized: string; targets: Awaited<ReturnType<CitizenAuthRepository['signInTargets']>> }> {
    const parsed = normalizeAddress(channel, address);
    if (!parsed.ok) throw new CitizenError(CitizenErrorCode.InvalidInput, parsed.message, { problems: [{ field: 'address', message: parsed.message }] });
    const normalized = `${parsed.channel}:${parsed.value}`;
    return { normalized, targets: await this.points.signInTargets(parsed.channel, this.box.lookupHash(parsed.value)) };
  }

  /** Mirrors a known address's answers: no code asked for → INVALID_CODE; 5 wrong tries since the last ask → RATE_LIMITED. */
  private async failUnknown(normalized: string, now: Date): Promise<never> {
    const requests = Math.min(await this.unknownRequests(normalized, 0, now), CODE_RULES.maxCodesPerWindow);
    if (requests === 0) throw invalidCode();
    const failures = await this.count(normalized, `f${windowOf(now)}-${requests}`, 0, now);
    if (failures >= CODE_RULES.maxWrongAttempts) throw tooManyTries();
    await this.count(normalized, `f${windowOf(now)}-${requests}`, 1, now);
    throw invalidCode();
  }

  private unknownRequests(normalized: string, add: number, now: Date): Promise<number> {
    return this.count(normalized, `r${windowOf(now)}`, add, now);
  }

  private async count(normalized: string, bucket: string, add: number, now: Date): Promise<number> {
    // rate_counter keys are 40 characters: a prefix and 216 bits of the keyed hash are plenty to keep addresses apart.
    const key = `otp:${this.box.lookupHash(normalized).slice(0, 36)}`;
    const expiresAt = new Date((windowOf(now) + 2) * CODE_RULES.windowSeconds * 1000);
    return (await this.counters.add(key, add, [{ name: bucket, expiresAt }])).get(bucket) ?? 0;
  }
}

const windowOf = (now: Date): number => Math.floor(now.getTime() / (CODE_RULES.windowSeconds * 1000));
