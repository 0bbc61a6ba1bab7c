import type { ProviderWebhookErrorCode } from '@kabar/plugin-sdk';

import { httpStatusOf } from '../errors/error-status.js';
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
  const status = httpStatusOf(code);
  return problem({ type: 'about:blank', status, title: code, detail, code });
}

/** A provider that broke its contract (rejected, or answered nonsense): details are logged, not shown. */
export function internalProblem(): WebhookReply {
  return problem({ type: 'about:blank', status: 500, title: 'Internal server error', code: 'INTERNAL_SERVER_ERROR' });
}

function problem(body: { readonly status: number } & Record<string, unknown>): WebhookReply {
  return { status: body.status, contentType: 'application/problem+json', body: JSON.stringify(body) };
}
