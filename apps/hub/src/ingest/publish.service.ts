import { type CloudEvent, CloudEventError, DEFAULT_LIMITS } from '@kabar/contracts';
import { GroupCommit } from '@kabar/core';
import { Injectable } from '@nestjs/common';

import type { AgencyPrincipal } from '../auth/index.js';
import { IngestError } from './ingest.errors.js';
import { type IngestItem, type IngestOutcome, IngestService, type IngestVia } from './ingest.service.js';
import { RateLimiter } from './rate-limiter.js';

export type ParsedItem = { readonly ok: true; readonly event: CloudEvent } | { readonly ok: false; readonly error: CloudEventError; readonly source: string; readonly id: string };

export type PublishOutcome = IngestOutcome | { readonly ok: false; readonly source: string; readonly id: string; readonly error: CloudEventError };

interface PublishRequest {
  readonly agency: AgencyPrincipal;
  readonly items: readonly ParsedItem[];
  readonly via: IngestVia;
}

/** A request's answer: its outcomes, or the refusal (rate limit, quota) that stopped all of it. */
type Answer = PublishOutcome[] | IngestError;

/**
 * Ingest batches written at once by one hub for GraphQL and HTTP publishers: two, so one batch's checks and policy
 * run while the other's transaction is in PostgreSQL.
 */
const BATCHES_AT_ONCE = 2;

/**
 * Authenticated publishing (GraphQL and HTTP): limits first, then the shared ingest path. Requests that arrive while
 * earlier ones are being ingested go together (a group commit, up to a full batch of events): agencies mostly publish
 * one event per request, and each ingest costs a fixed number of queries and a transaction whatever its size, so
 * under load they share them instead of paying each. A lone request is ingested at once.
 */
@Injectable()
export class PublishService {
  private readonly requests = new GroupCommit<PublishRequest, Answer>((requests) => this.publishTogether(requests), {
    maxBatch: DEFAULT_LIMITS.maxBatchEvents,
    weigh: (request) => Math.max(1, request.items.length),
    concurrency: BATCHES_AT_ONCE,
    gatherTurn: true,
  });

  constructor(
    private readonly ingest: IngestService,
    private readonly limiter: RateLimiter,
  ) {}

  async publish(agency: AgencyPrincipal, items: readonly ParsedItem[], via: IngestVia): Promise<PublishOutcome[]> {
    const answer = await this.requests.submit({ agency, items, via });
    if (answer instanceof IngestError) throw answer;
    return answer;
  }

  /**
   * One count of the limits and one ingest for several requests, each answered as if it had come alone: a refused
   * request ingests nothing; the same event in two requests is a replay in the second, as it would be one after the
   * other. A failure of the ingest itself (the database, CONTENDED) fails every request of the group.
   */
  private async publishTogether(requests: readonly PublishRequest[]): Promise<Answer[]> {
    const refusals = await this.limiter.consumeMany(requests.map((r) => ({ keyId: r.agency.keyId, n: r.items.length, limits: r.agency.limits })));
    const valid = requests.flatMap((request, r) =>
      refusals[r] === null
        ? request.items.flatMap((item, index): { r: number; index: number; item: IngestItem }[] =>
            // A test key's events go to the sandbox (magic addresses decide outcomes); nothing reaches a provider.
            item.ok ? [{ r, index, item: { event: item.event, via: request.via, agencyId: request.agency.agencyId, sandbox: request.agency.keyKind === 'test' } }] : [],
          )
        : [],
    );
    const ingested = valid.length === 0 ? [] : await this.ingest.ingest(valid.map((v) => v.item));
    const outcomeOf = new Map(valid.map((v, i) => [`${String(v.r)}:${String(v.index)}`, ingested[i]]));
    return requests.map((request, r) => {
      const refusal = refusals[r];
      if (refusal !== null && refusal !== undefined) return refusal;
      return request.items.map((item, index) => {
        const outcome = outcomeOf.get(`${String(r)}:${String(index)}`);
        if (outcome !== undefined) return outcome;
        if (item.ok) throw new Error('a parsed event has no ingest outcome'); // unreachable: every valid item was ingested
        return item;
      });
    });
  }
}
