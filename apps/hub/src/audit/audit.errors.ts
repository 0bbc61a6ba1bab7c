import { CodedError } from '@kabar/core';

export enum AuditErrorCode {
  /** A filter names an action the trail does not record. */
  FilterInvalid = 'AUDIT_FILTER_INVALID',
  /** A head to check the chain against is given by half, or at no place. */
  HeadInvalid = 'AUDIT_HEAD_INVALID',
}

export class AuditError extends CodedError<AuditErrorCode> {}
