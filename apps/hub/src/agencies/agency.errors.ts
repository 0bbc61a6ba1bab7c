import { CodedError } from '@kabar/core';

export enum AgencyErrorCode {
  InvalidInput = 'AGENCY_INVALID_INPUT',
  Conflict = 'AGENCY_CONFLICT',
  NotFound = 'AGENCY_NOT_FOUND',
  KeyNotFound = 'API_KEY_NOT_FOUND',
}

export class AgencyError extends CodedError<AgencyErrorCode> {}
