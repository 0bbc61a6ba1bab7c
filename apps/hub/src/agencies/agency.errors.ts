import { CodedError } from '@kabar/core';

export enum AgencyErrorCode {
  InvalidInput = 'AGENCY_INVALID_INPUT',
  Conflict = 'AGENCY_CONFLICT',
  NotFound = 'AGENCY_NOT_FOUND',
  KeyNotFound = 'API_KEY_NOT_FOUND',
  DayOffInvalid = 'DAY_OFF_INVALID',
  DayOffNotFound = 'DAY_OFF_NOT_FOUND',
}

export class AgencyError extends CodedError<AgencyErrorCode> {}
