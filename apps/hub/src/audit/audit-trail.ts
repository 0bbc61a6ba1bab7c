import { AUDIT_GENESIS, type AuditBreak, type AuditHead, checkAuditChain, describeError, isAuditAction, type Logger, PollingLoop, type SealedAuditRow, SecretBox } from '@kabar/core';
import { AuditRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';

import { ROOT_LOGGER } from '../config/config.module.js';
import { AuditError, AuditErrorCode } from './audit.errors.js';

/** Entries are written by the changes themselves; this is only how soon a quiet hub seals them if nobody reads. */
const SEAL_EVERY_MS = 5_000;
const SEAL_BATCH = 500;
const CHECK_PAGE = 1_000;
export const AUDIT_PAGE_MAX = 200;

export interface AuditQuery {
  readonly agencyId?: string | undefined;
  readonly action?: string | undefined;
  readonly before?: number | undefined;
  readonly first: number;
}

export interface AuditIntegrity {
  /** Sealed entries checked, from the first. */
  readonly checked: number;
  /** The last good link: its place and MAC. Keep a copy elsewhere to notice a trail cut short later. */
  readonly head: AuditHead | null;
  readonly broken: AuditBreak | null;
}

/**
 * Seals the audit trail (each new entry gets its place after the chain's head and a MAC over it and the previous MAC,
 * under a key derived from the master key) and reads it back. Sealing runs on every instance; an advisory lock makes
 * them take turns, so the chain has one order.
 */
@Injectable()
export class AuditTrail implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly repository: AuditRepository;
  private readonly loop: PollingLoop;

  constructor(
    em: EntityManager,
    private readonly box: SecretBox,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.repository = new AuditRepository(em);
    this.loop = new PollingLoop(() => this.sealOnce(), {
      batchSize: SEAL_BATCH,
      pollIntervalMs: SEAL_EVERY_MS,
      onError: (error, failures) => logger.warn({ error: describeError(error), failures }, 'sealing the audit trail failed; will retry'),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Seals everything written so far; reads call it first, so they show every change committed before them. */
  async sealAll(): Promise<void> {
    while ((await this.sealOnce()) === SEAL_BATCH);
  }

  async page(query: AuditQuery): Promise<SealedAuditRow[]> {
    if (query.action !== undefined && !isAuditAction(query.action)) throw new AuditError(AuditErrorCode.FilterInvalid, `no audit action ${query.action}`);
    await this.sealAll();
    return this.repository.page({ agencyId: query.agencyId, action: query.action, before: query.before, limit: Math.min(Math.max(query.first, 1), AUDIT_PAGE_MAX) });
  }

  /**
   * Walks the whole chain from the first entry, a page at a time, and reports the first broken link. Given a head
   * kept elsewhere (`known`), it also reports a chain that ends before that head (`cut`: entries removed from the end
   * leave no gap) or holds another MAC in its place (`head`).
   */
  async verify(known?: AuditHead): Promise<AuditIntegrity> {
    await this.sealAll();
    let from = { expectedSeq: 1, previousMac: AUDIT_GENESIS };
    let knownMac: string | undefined;
    for (;;) {
      const rows = await this.repository.chain(from.expectedSeq - 1, CHECK_PAGE);
      const { broken, next } = checkAuditChain(rows, from, (payload, keyId) => this.box.auditMac(payload, keyId));
      knownMac ??= rows.find((r) => r.seq === known?.seq)?.mac;
      if (broken !== null || rows.length < CHECK_PAGE) {
        const checked = next.expectedSeq - 1;
        const head = checked === 0 ? null : { seq: checked, mac: next.previousMac };
        if (broken !== null || known === undefined) return { checked, head, broken };
        if (checked < known.seq) return { checked, head, broken: { seq: checked + 1, reason: 'cut' } };
        return { checked, head, broken: knownMac === known.mac ? null : { seq: known.seq, reason: 'head' } };
      }
      from = next;
    }
  }

  /**
   * Seals a batch and logs the new head: shipped off the machine with the rest of the logs, those lines are the copy
   * of the head kept elsewhere that `verify(known)` checks a trail cut short against. A MAC says nothing of the entries.
   */
  private async sealOnce(): Promise<number> {
    const keyId = this.box.auditKeyId;
    const { sealed, head } = await this.repository.seal(
      keyId,
      (payload) => {
        const mac = this.box.auditMac(payload, keyId);
        // The current key is always held; a null here would mean the SecretBox was built without it.
        if (mac === null) throw new Error(`no audit key ${keyId}`);
        return mac;
      },
      SEAL_BATCH,
    );
    if (head !== null) this.logger.info({ auditHead: head, sealed }, 'audit trail sealed');
    return sealed;
  }
}
