import { CodedError } from '@kabar/core';

export enum AuditErrorCode {
  /** A filter names an action the trail does not record. */
  FilterInvalid = 'AUDIT_FILTER_INVALID',
}

export class AuditError extends CodedError<AuditErrorCode> {}
