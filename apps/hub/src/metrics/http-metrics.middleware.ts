import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

import { MetricsService } from './metrics.service.js';

/** Times every request. Labels use the route pattern, never the raw URL (which could carry identifiers). */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const end = this.metrics.httpRequests.startTimer();
    res.on('finish', () => {
      const route = knownPrefix(req.originalUrl.split('?')[0] ?? '');
      end({ method: req.method, route, status: `${Math.floor(res.statusCode / 100)}xx` });
    });
    next();
  }
}

function knownPrefix(path: string): string {
  const first = path.split('/')[1] ?? '';
  return ['graphql', 'graphiql', 'health', 'metrics', 'v1'].includes(first) ? `/${first}` : 'other';
}
