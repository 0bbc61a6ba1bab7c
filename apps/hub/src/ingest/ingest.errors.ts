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
  /** Other writers kept changing the same citizens' history while the batch was decided: publish again shortly. */
  Contended = 'CONTENDED',
}

export class IngestError extends CodedError<IngestErrorCode> {}
