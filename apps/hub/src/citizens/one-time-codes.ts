import { randomInt } from 'node:crypto';

import { hashSecret, isLocale, safeEqual, SecretBox } from '@kabar/core';
import { CitizenAuthRepository, type CodeTarget } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';

import { CitizenError, CitizenErrorCode } from './citizen.errors.js';
import { CODE_TTL_MINUTES, type CodePurpose } from './code-message.js';
import { CodeSender } from './code-sender.js';
import type { AddressChannel } from './contact-address.js';

/** Limits on one-time codes: a 6-digit code survives 5 guesses, and a point gets 3 codes per 15 minutes. */
export const CODE_RULES = {
  digits: 6,
  ttlSeconds: CODE_TTL_MINUTES * 60,
  maxCodesPerWindow: 3,
  windowSeconds: 15 * 60,
  maxWrongAttempts: 5,
} as const;

export const tooManyCodes = (): CitizenError =>
  new CitizenError(CitizenErrorCode.RateLimited, `at most ${CODE_RULES.maxCodesPerWindow} codes are sent per ${CODE_RULES.windowSeconds / 60} minutes: wait, then ask again`);
export const tooManyTries = (): CitizenError =>
  new CitizenError(CitizenErrorCode.RateLimited, `this code was tried wrongly ${CODE_RULES.maxWrongAttempts} times and no longer works: ask for a new code`);
export const invalidCode = (): CitizenError => new CitizenError(CitizenErrorCode.InvalidCode, 'the code is wrong, expired or already used');

const CODE = /^\d{6}$/;

/**
 * Issues and redeems one-time codes, kept as rows (hash, tries, expiry) so every hub instance enforces the same
 * limits. Used for signing in and for verifying a new contact point.
 */
@Injectable()
export class OneTimeCodes {
  private readonly codes: CitizenAuthRepository;

  constructor(
    em: EntityManager,
    private readonly box: SecretBox,
    private readonly sender: CodeSender,
  ) {
    this.codes = new CitizenAuthRepository(em);
  }

  /** Sends a fresh code to the point; throws RATE_LIMITED when it already had its codes for the window. */
  async issue(target: CodeTarget, purpose: CodePurpose, now = new Date()): Promise<{ sent: boolean }> {
    const code = String(randomInt(0, 10 ** CODE_RULES.digits)).padStart(CODE_RULES.digits, '0');
    const id = await this.codes.addCodeWithinLimit(
      { contactPointId: target.id, purpose, codeHash: hashSecret(code), expiresAt: new Date(now.getTime() + CODE_RULES.ttlSeconds * 1000) },
      CODE_RULES.maxCodesPerWindow,
      new Date(now.getTime() - CODE_RULES.windowSeconds * 1000),
    );
    if (id === null) throw tooManyCodes();
    const sent = await this.sender.send({
      id,
      purpose,
      // Only channels with an address normalizer ever get a code; the row's channel is one of them.
      channel: target.channel as AddressChannel,
      to: this.box.decrypt(target.valueSealed),
      locale: isLocale(target.locale) ? target.locale : 'id',
      code,
    });
    return { sent };
  }

  /**
   * The point whose newest live code matches; a miss counts a try against every candidate's code. Throws
   * INVALID_CODE, or RATE_LIMITED once the code has had its tries.
   */
  async redeem(targets: readonly CodeTarget[], purpose: CodePurpose, code: string, now = new Date()): Promise<CodeTarget> {
    const live = await this.codes.liveCodes(
      targets.map((t) => t.id),
      purpose,
      now,
    );
    if (live.length === 0) throw invalidCode();
    const usable = live.filter((c) => c.attempts < CODE_RULES.maxWrongAttempts);
    if (usable.length === 0) throw tooManyTries();
    const typed = code.replace(/\s/g, '');
    const hash = hashSecret(typed);
    const match = CODE.test(typed) ? usable.find((c) => safeEqual(c.codeHash, hash)) : undefined;
    if (match === undefined) {
      await this.codes.recordWrongAttempt(usable.map((c) => c.id));
      throw invalidCode();
    }
    const target = targets.find((t) => t.id === match.contactPointId);
    if (target === undefined || !(await this.codes.consumeCode(match.id, CODE_RULES.maxWrongAttempts))) throw invalidCode();
    return target;
  }
}
