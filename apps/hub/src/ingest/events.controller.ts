import { parseHttpRequest } from '@kabar/contracts';
import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { type AgencyPrincipal, CurrentAgency, RequireScope } from '../auth/index.js';
import { type ParsedItem, type PublishOutcome, PublishService } from './publish.service.js';

const view = (outcome: PublishOutcome): Record<string, unknown> =>
  outcome.ok
    ? { eventId: outcome.eventId, source: outcome.source, id: outcome.id, duplicate: outcome.duplicate, status: outcome.status }
    : { source: outcome.source, id: outcome.id, status: 'rejected', error: { code: outcome.error.code, message: outcome.error.message } };

/** `POST /v1/events`: the CloudEvents HTTP binding in binary, structured and batch mode. */
@Controller('v1/events')
@RequireScope('agency')
export class EventsController {
  constructor(private readonly publisher: PublishService) {}

  @Post()
  @HttpCode(202)
  async publish(@CurrentAgency() agency: AgencyPrincipal, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<Record<string, unknown>> {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const parsed = parseHttpRequest(req.headers, body);
    const items: ParsedItem[] = parsed.results.map((r) => (r.ok ? { ok: true, event: r.event } : { ok: false, error: r.error, source: '', id: '' }));
    const outcomes = await this.publisher.publish(agency, items, 'http');
    if (parsed.mode === 'batch') {
      res.status(200);
      return { results: outcomes.map(view) };
    }
    const [outcome] = outcomes;
    if (outcome === undefined) throw new Error('binary and structured mode carry exactly one event');
    if (!outcome.ok) throw outcome.error;
    if (outcome.duplicate) res.status(200);
    return view(outcome);
  }
}
