import type { ProviderWebhookErrorCode } from '@kabar/plugin-sdk';

import { domainProblem, type Problem, PROBLEM_CONTENT_TYPE, unexpectedProblem } from '../errors/problem.js';
import type { ProviderWebhookRouteErrorCode } from './provider-webhook.errors.js';

/** What goes back to the peer, whoever decided it. */
export interface WebhookReply {
  readonly status: number;
  /** Absent with an empty body. */
  readonly contentType?: string;
  readonly body: string;
}

export type WebhookProblemCode = ProviderWebhookErrorCode | ProviderWebhookRouteErrorCode;

/**
 * A webhook refusal in the problem+json shape of the hub's other endpoints (the ProblemFilter's), its status from the
 * hub's one table of codes, so a peer's console shows the code and what to fix.
 */
export function webhookProblem(code: WebhookProblemCode, detail: string): WebhookReply {
  return reply(domainProblem(code, detail));
}

/** A provider that broke its contract (rejected, or answered nonsense): details are logged, not shown. */
export function internalProblem(): WebhookReply {
  return reply(unexpectedProblem());
}

function reply(problem: Problem): WebhookReply {
  return { status: problem.status, contentType: PROBLEM_CONTENT_TYPE, body: JSON.stringify(problem) };
}
