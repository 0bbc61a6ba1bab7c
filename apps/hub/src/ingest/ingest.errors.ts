import { CodedError } from '@kabar/core';

export enum IngestErrorCode {
  SourceNotAllowed = 'SOURCE_NOT_ALLOWED',
  UnknownSource = 'UNKNOWN_SOURCE',
  UnknownType = 'UNKNOWN_EVENT_TYPE',
  MissingSubject = 'MISSING_SUBJECT',
  DataInvalid = 'DATA_INVALID',
  RateLimited = 'RATE_LIMITED',
  QuotaExceeded = 'QUOTA_EXCEEDED',
  UnknownEvent = 'UNKNOWN_EVENT',
  /** A record on kabar.events.v1 without `kabar-key` and `kabar-signature` while KABAR_KAFKA_EVENT_AUTH=signed. */
  SignatureRequired = 'SIGNATURE_REQUIRED',
  /** The record's `kabar-signature` is not its signature under the named key's secret. */
  SignatureInvalid = 'SIGNATURE_INVALID',
  /** The record names a key that does not exist or is revoked. */
  UnknownKey = 'UNKNOWN_KEY',
  /** Other writers kept changing the same citizens' history while the batch was decided: publish again shortly. */
  Contended = 'CONTENDED',
  /** The event passed every check, yet the database refused to store it while it stored others: a bug to report. */
  NotStored = 'NOT_STORED',
}

export class IngestError extends CodedError<IngestErrorCode> {}
