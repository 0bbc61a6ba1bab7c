import { CodedError } from '@kabar/core';

export enum CliErrorCode {
  Usage = 'USAGE',
  Failed = 'FAILED',
  Unavailable = 'UNAVAILABLE',
}

/** A CLI failure with the message to print; `Usage` exits 2, `Failed` 1, `Unavailable` (hub or database) 3. */
export class CliError extends CodedError<CliErrorCode> {}
