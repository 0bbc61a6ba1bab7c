import { describeError, isKabarError, type Logger } from '@kabar/core';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Response } from 'express';

import { ROOT_LOGGER } from '../config/config.module.js';
import { httpStatusOf } from './error-status.js';
import { ServiceErrors } from './service-error.js';

/**
 * HTTP errors as RFC 9457 problem+json, mapped from domain codes in one table. GraphQL errors pass through to
 * Apollo's formatter. Errors that mean the service cannot answer for now (the database away) become a 503 with
 * Retry-After; unexpected ones a 500 without details (they are logged).
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly services: ServiceErrors;

  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {
    this.services = new ServiceErrors(logger);
  }

  catch(thrown: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() !== 'http') return thrown;
    const res = host.switchToHttp().getResponse<Response>();
    const error = isKabarError(thrown) ? thrown : (this.services.classify(thrown) ?? thrown);
    if (isKabarError(error)) {
      const kabarError = error;
      const status = httpStatusOf(kabarError.code);
      const retryAfter = error.details.retryAfterSeconds;
      if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
      const problems = error.details.problems;
      return send(res, status, { title: error.code, detail: error.message, code: error.code, ...(problems === undefined ? {} : { problems }) });
    }
    if (error instanceof HttpException) {
      return send(res, error.getStatus(), { title: error.name, detail: error.message, code: `HTTP_${error.getStatus()}` });
    }
    this.logger.error({ error: describeError(error) }, 'unexpected error in an HTTP request');
    return send(res, 500, { title: 'Internal server error', code: 'INTERNAL_SERVER_ERROR' });
  }
}

function send(res: Response, status: number, body: Record<string, unknown>): void {
  res.status(status).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', status, ...body }));
}
