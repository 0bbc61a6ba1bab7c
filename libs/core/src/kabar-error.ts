/**
 * Base of every domain error: a stable machine-readable `code` from the domain's enum. The edges (GraphQL, HTTP,
 * Kafka dead-letter) map codes to their own vocabulary in one place each, so the domain never knows about transports.
 */
export abstract class KabarError<Code extends string = string> extends Error {
  abstract readonly code: Code;

  constructor(
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** `instanceof` with the code typed as a string (a bare `instanceof KabarError` widens it to `any`). */
export function isKabarError(error: unknown): error is KabarError {
  return error instanceof KabarError;
}

/**
 * The usual domain error: a code from the domain's enum, a message, optional details for the edge.
 * @example export class AgencyError extends CodedError<AgencyErrorCode> {}
 */
export class CodedError<Code extends string> extends KabarError<Code> {
  constructor(
    readonly code: Code,
    message: string,
    details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message, details);
  }
}
