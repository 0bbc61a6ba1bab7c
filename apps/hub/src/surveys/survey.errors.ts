import { CodedError } from '@kabar/core';

export enum SurveyErrorCode {
  /** The definition is not a sound survey; `problems` lists each, with a JSON Pointer into it. */
  Invalid = 'SURVEY_INVALID',
}

export class SurveyError extends CodedError<SurveyErrorCode> {}
