import { type AuditRecord, describeError, type Logger, PollingLoop } from '@kabar/core';
import { appendAudit } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';

import { ROOT_LOGGER } from '../config/config.module.js';

/** A credential the hub refused: what it claimed to be, why, and what it named. Never the secret. */
export interface Refusal {
  /** `admin`, `agency`, `jwt` or `citizen`: what the token looked like. */
  readonly credential: string;
  /** The AuthErrorCode it was refused with. */
  readonly reason: string;
  /** The key id it named (well-formed ids only), known or not. */
  readonly keyId: string | null;
  /** The agency owning that key, when it exists: the agency then sees the attempts in its own trail. */
  readonly agencyId: string | null;
  /** The client address; null for citizens' session tokens (a citizen's address is theirs, not the platform's). */
  readonly ip: string | null;
}

interface Tally {
  readonly refusal: Refusal;
  count: number;
  from: Date;
  to: Date;
}

/** One audit entry per distinct refusal per this long, with its count: a guessing attack cannot flood the trail. */
const WINDOW_MS = 60_000;
/** Distinct refusals kept per window; past it, the rest are counted in one entry that says so. */
const MAX_DISTINCT = 1_000;
const OVERFLOW: Refusal = { credential: 'mixed', reason: 'TOO_MANY_DISTINCT', keyId: null, agencyId: null, ip: null };

/**
 * Puts refused credentials into the audit trail (`credentials.refused`), so that admins, and an agency for its own
 * keys, can see keys being guessed, revoked keys still in use, or JWTs from a drifting clock. Refusals are tallied
 * in memory and written once a minute (and at shutdown) as one entry per distinct refusal with its count and time
 * span; /metrics counts them as they happen.
 */
@Injectable()
export class RefusedCredentials implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private tallies = new Map<string, Tally>();
  private readonly loop: PollingLoop;

  constructor(
    private readonly em: EntityManager,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.loop = new PollingLoop(() => this.flush(), {
      batchSize: Number.POSITIVE_INFINITY,
      pollIntervalMs: WINDOW_MS,
      onError: (error, failures) => logger.warn({ error: describeError(error), failures }, 'could not write refused credentials to the audit trail; will retry'),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
    await this.flush().catch((error: unknown) => this.logger.warn({ error: describeError(error) }, 'refused credentials of the last minute were not written to the audit trail'));
  }

  note(refusal: Refusal, at = new Date()): void {
    const id = JSON.stringify([refusal.credential, refusal.reason, refusal.keyId, refusal.agencyId, refusal.ip]);
    const key = this.tallies.has(id) || this.tallies.size < MAX_DISTINCT ? id : OVERFLOW_ID;
    const tally = this.tallies.get(key);
    if (tally === undefined) {
      this.tallies.set(key, { refusal: key === id ? refusal : OVERFLOW, count: 1, from: at, to: at });
      return;
    }
    tally.count += 1;
    tally.to = at;
  }

  /** Writes what was tallied since the last flush; what fails to be written is kept for the next one. */
  async flush(): Promise<number> {
    if (this.tallies.size === 0) return 0;
    const taken = this.tallies;
    this.tallies = new Map();
    try {
      await this.em.fork().transactional(async (tx) => {
        for (const tally of taken.values()) await appendAudit(tx, entryOf(tally), tally.to);
      });
    } catch (error) {
      for (const [id, tally] of taken) {
        const since = this.tallies.get(id);
        if (since === undefined) this.tallies.set(id, tally);
        else {
          since.count += tally.count;
          since.from = tally.from;
        }
      }
      throw error;
    }
    return taken.size;
  }
}

const OVERFLOW_ID = '[overflow]';

function entryOf({ refusal, count, from, to }: Tally): AuditRecord {
  return {
    action: 'credentials.refused',
    actor: { kind: 'system', id: 'auth' },
    agencyId: refusal.agencyId,
    target: refusal.keyId === null ? { kind: 'credential', id: refusal.credential } : { kind: 'api_key', id: refusal.keyId },
    details: { credential: refusal.credential, reason: refusal.reason, count, from: from.toISOString(), to: to.toISOString(), ip: refusal.ip },
  };
}
