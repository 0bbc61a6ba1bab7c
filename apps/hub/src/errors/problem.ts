import { STATUS_CODES } from 'node:http';

import { httpStatusOf } from './error-status.js';

/** An RFC 9457 problem document as the hub's HTTP endpoints answer it: every one names a `code` a client can switch on. */
export interface Problem {
  readonly type: 'about:blank';
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  readonly code: string;
  readonly problems?: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A refusal the hub decided: its status from the one table of codes, the code as its title (as clients have seen it). */
export function domainProblem(code: string, detail: string, problems?: unknown): Problem {
  return { type: 'about:blank', status: httpStatusOf(code), title: code, detail, code, ...(problems === undefined ? {} : { problems }) };
}

/** A refusal by the HTTP layer itself (no such route): no domain code, so `HTTP_<status>` and the status phrase. */
export function httpProblem(status: number, detail: string): Problem {
  return { type: 'about:blank', status, title: STATUS_CODES[status] ?? 'Error', detail, code: `HTTP_${status}` };
}

/** An error the hub did not expect: logged where it happened, never shown. */
export function unexpectedProblem(): Problem {
  return { type: 'about:blank', status: 500, title: 'Internal server error', code: 'INTERNAL_SERVER_ERROR' };
}
