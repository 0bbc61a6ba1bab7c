import { type CloudEvent, CloudEventError } from '@kabar/contracts';
import { Injectable } from '@nestjs/common';

import type { AgencyPrincipal } from '../auth/index.js';
import { type IngestOutcome, IngestService, type IngestVia } from './ingest.service.js';
import { RateLimiter } from './rate-limiter.js';

export type ParsedItem = { readonly ok: true; readonly event: CloudEvent } | { readonly ok: false; readonly error: CloudEventError; readonly source: string; readonly id: string };

export type PublishOutcome = IngestOutcome | { readonly ok: false; readonly source: string; readonly id: string; readonly error: CloudEventError };

/** Authenticated publishing (GraphQL and HTTP): limits first, then the shared ingest path. */
@Injectable()
export class PublishService {
  constructor(
    private readonly ingest: IngestService,
    private readonly limiter: RateLimiter,
  ) {}

  async publish(agency: AgencyPrincipal, items: readonly ParsedItem[], via: IngestVia): Promise<PublishOutcome[]> {
    await this.limiter.consume(agency.keyId, items.length, agency.limits);
    const valid = items.flatMap((item, index) => (item.ok ? [{ index, event: item.event }] : []));
    // A test key's events go to the sandbox (magic addresses decide outcomes); nothing reaches a provider.
    const ingested = await this.ingest.ingest(valid.map((v) => ({ event: v.event, via, agencyId: agency.agencyId, sandbox: agency.keyKind === 'test' })));
    const byIndex = new Map(valid.map((v, i) => [v.index, ingested[i]]));
    return items.map((item, index) => {
      const outcome = byIndex.get(index);
      if (outcome !== undefined) return outcome;
      if (item.ok) throw new Error('a parsed event has no ingest outcome'); // unreachable: every valid item was ingested
      return item;
    });
  }
}
