import { describeError, isKabarError, type Logger } from '@kabar/core';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Response } from 'express';

import { ROOT_LOGGER } from '../config/config.module.js';
import { domainProblem, httpProblem, type Problem, PROBLEM_CONTENT_TYPE, unexpectedProblem } from './problem.js';
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
      const retryAfter = error.details.retryAfterSeconds;
      if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
      return send(res, domainProblem(error.code, error.message, error.details.problems));
    }
    if (error instanceof HttpException) return send(res, httpProblem(error.getStatus(), error.message));
    this.logger.error({ error: describeError(error) }, 'unexpected error in an HTTP request');
    return send(res, unexpectedProblem());
  }
}

function send(res: Response, problem: Problem): void {
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
