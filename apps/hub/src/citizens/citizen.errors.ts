import { CodedError } from '@kabar/core';

export enum CitizenErrorCode {
  /** Input the citizen (or an admin) can fix; `problems` lists what. */
  InvalidInput = 'CITIZEN_INVALID_INPUT',
  /** A wrong, expired, used or unknown one-time code; the same for an address Kabar does not know. */
  InvalidCode = 'INVALID_CODE',
  /** Too many codes asked for, or too many wrong tries; `retryAfterSeconds` says when to try again. */
  RateLimited = 'RATE_LIMITED',
  /** No citizen with that national ID (for a delegation). */
  CitizenNotFound = 'CITIZEN_NOT_FOUND',
  ContactPointNotFound = 'CONTACT_POINT_NOT_FOUND',
  DelegateNotFound = 'DELEGATE_NOT_FOUND',
  /** The channel has no plugin, or the plugin could not take the code. */
  CodeNotSent = 'CODE_NOT_SENT',
  ImportTooLarge = 'IMPORT_TOO_LARGE',
}

export class CitizenError extends CodedError<CitizenErrorCode> {}
