import { CodedError } from '@kabar/core';

export enum ProbeErrorCode {
  NoteTooLong = 'PROBE_NOTE_TOO_LONG',
  NotFound = 'PROBE_NOT_FOUND',
  InvalidId = 'PROBE_INVALID_ID',
}

export class ProbeError extends CodedError<ProbeErrorCode> {}
