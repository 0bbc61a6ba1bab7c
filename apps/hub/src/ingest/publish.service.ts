import { type CloudEvent, CloudEventError, DEFAULT_LIMITS } from '@kabar/contracts';
import { GroupCommit } from '@kabar/core';
import { Injectable } from '@nestjs/common';

import type { AgencyPrincipal } from '../auth/index.js';
import { type IngestItem, type IngestOutcome, IngestService, type IngestVia } from './ingest.service.js';
import { RateLimiter } from './rate-limiter.js';

export type ParsedItem = { readonly ok: true; readonly event: CloudEvent } | { readonly ok: false; readonly error: CloudEventError; readonly source: string; readonly id: string };

export type PublishOutcome = IngestOutcome | { readonly ok: false; readonly source: string; readonly id: string; readonly error: CloudEventError };

interface PublishRequest {
  readonly agency: AgencyPrincipal;
  readonly items: readonly ParsedItem[];
  readonly via: IngestVia;
}

/** A request's answer: its outcomes, or what stopped all of it (a rate limit, the quota, a failed ingest). */
type Answer = { readonly outcomes: PublishOutcome[] } | { readonly error: unknown };

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
    if ('error' in answer) throw answer.error;
    return answer.outcomes;
  }

  /**
   * One count of the limits and one ingest for several requests, each answered as if it had come alone: a refused
   * request ingests nothing; the same event in two requests is a replay in the second, as it would be one after the
   * other. If the ingest itself fails (the database, CONTENDED), the requests are ingested again one by one, so one
   * that cannot be written fails alone and the others are not answered with its error.
   */
  private async publishTogether(requests: readonly PublishRequest[]): Promise<Answer[]> {
    const refusals = await this.limiter.consumeMany(requests.map((r) => ({ keyId: r.agency.keyId, n: r.items.length, limits: r.agency.limits })));
    const admitted = requests.flatMap((request, r) => (refusals[r] === null ? [{ r, request }] : []));
    const answers = new Map<number, Answer>(refusals.flatMap((refusal, r) => (refusal === null ? [] : [[r, { error: refusal }] as const])));
    try {
      for (const [r, outcomes] of await this.ingestRequests(admitted)) answers.set(r, { outcomes });
    } catch (error) {
      // Each alone, to find the request the ingest cannot take. A lone request has its answer; two failures in a row
      // say it is not one request (the database is down, say), and the rest get the batch's error without waiting.
      let failuresInARow = admitted.length === 1 ? 2 : 0;
      for (const one of admitted) {
        if (failuresInARow >= 2) {
          answers.set(one.r, { error });
          continue;
        }
        try {
          for (const [r, outcomes] of await this.ingestRequests([one])) answers.set(r, { outcomes });
          failuresInARow = 0;
        } catch (alone) {
          answers.set(one.r, { error: alone });
          failuresInARow++;
        }
      }
    }
    return requests.map((_, r) => answers.get(r) ?? { error: new Error('a publish request has no answer') }); // unreachable: each was answered
  }

  /** The valid items of these requests in one ingest; the answers by request. */
  private async ingestRequests(requests: readonly { readonly r: number; readonly request: PublishRequest }[]): Promise<Map<number, PublishOutcome[]>> {
    const valid = requests.flatMap(({ r, request }) =>
      request.items.flatMap((item, index): { r: number; index: number; item: IngestItem }[] =>
        // A test key's events go to the sandbox (magic addresses decide outcomes); nothing reaches a provider.
        item.ok ? [{ r, index, item: { event: item.event, via: request.via, agencyId: request.agency.agencyId, sandbox: request.agency.keyKind === 'test' } }] : [],
      ),
    );
    const ingested = valid.length === 0 ? [] : await this.ingest.ingest(valid.map((v) => v.item));
    const outcomeOf = new Map(valid.map((v, i) => [`${String(v.r)}:${String(v.index)}`, ingested[i]]));
    return new Map(
      requests.map(({ r, request }) => [
        r,
        request.items.map((item, index) => {
          const outcome = outcomeOf.get(`${String(r)}:${String(index)}`);
          if (outcome !== undefined) return outcome;
          if (item.ok) throw new Error('a parsed event has no ingest outcome'); // unreachable: every valid item was ingested
          return item;
        }),
      ]),
    );
  }
}
