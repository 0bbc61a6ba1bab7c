import { CodedError } from '@kabar/core';

export enum SurveyErrorCode {
  /** The definition is not a sound survey; `problems` lists each, with a JSON Pointer into it. */
  Invalid = 'SURVEY_INVALID',
  /** No survey of that code among the agency's own (another agency's is not told apart from none). */
  Unknown = 'UNKNOWN_SURVEY',
  /** `after` is not a response id. */
  BadCursor = 'BAD_CURSOR',
}

export class SurveyError extends CodedError<SurveyErrorCode> {}
