import { CloudEventErrorCode } from '@kabar/contracts';
import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';

import { domainProblem, PROBLEM_CONTENT_TYPE } from './errors/problem.js';
import { graphiqlPage, mountGraphiqlAssets } from './graphql/graphiql.js';
import { PROVIDER_WEBHOOK_ROUTE } from './provider-webhooks/index.js';
import { mountWebUi } from './web/index.js';

/** Largest request body accepted on JSON endpoints (GraphQL). */
export const MAX_JSON_BODY = '1mb';
/** Largest body on POST /v1/events: a full batch (DEFAULT_LIMITS.maxBatchBytes) plus headroom for the envelope. */
export const MAX_EVENTS_BODY = '6mb';

interface BodyParserError {
  type?: string;
  status?: number;
  message?: string;
}

/**
 * A body that is not JSON, or too large, is the client's mistake: answer 400/413 in the shape the endpoint speaks
 * (a GraphQL error on /graphql, problem+json elsewhere) instead of Express' HTML error page.
 */
function bodyErrors(error: BodyParserError, req: Request, res: Response, next: NextFunction): void {
  if (error.type !== 'entity.parse.failed' && error.type !== 'entity.too.large') {
    next(error);
    return;
  }
  const tooLarge = error.type === 'entity.too.large';
  const message = tooLarge ? `request body is larger than ${MAX_JSON_BODY}` : 'request body is not valid JSON';
  if (req.path === '/graphql') {
    res.status(tooLarge ? 413 : 400).json({ errors: [{ message, extensions: { code: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' } }] });
    return;
  }
  const problem = domainProblem(tooLarge ? CloudEventErrorCode.PayloadTooLarge : CloudEventErrorCode.MalformedJson, message);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/** Express-level wiring that must come before Nest and Apollo mount their routes. */
export function configureHttp(app: INestApplication): void {
  const router = express.Router();
  // CloudEvents arrive as raw bytes in any content type; the contracts parser reads them (batch up to 5 MiB).
  router.use('/v1/events', express.raw({ type: () => true, limit: MAX_EVENTS_BODY }));
  // Providers sign the bytes they send (e.g. Meta's X-Hub-Signature-256): parsed JSON would not verify.
  router.use(`/${PROVIDER_WEBHOOK_ROUTE}`, express.raw({ type: () => true, limit: MAX_JSON_BODY }));
  router.use(express.json({ limit: MAX_JSON_BODY }));
  router.use(bodyErrors);
  router.get('/graphql', graphiqlPage);
  mountGraphiqlAssets(router);
  mountWebUi(router);
  app.use(router);
}
