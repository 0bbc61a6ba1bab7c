import { CodedError } from '@kabar/core';

export enum SecretsErrorCode {
  /** `after` is not a cursor a previous reencryptSecrets call returned. */
  CursorInvalid = 'SECRETS_CURSOR_INVALID',
  /** A value is sealed under a master key the hub does not hold, so it cannot be moved to the current one. */
  KeyNotHeld = 'SECRETS_KEY_NOT_HELD',
}

export class SecretsError extends CodedError<SecretsErrorCode> {}
