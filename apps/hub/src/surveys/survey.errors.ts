import { CodedError } from '@kabar/core';

export enum SurveyErrorCode {
  /** The definition is not a sound survey; `problems` lists each, with a JSON Pointer into it. */
  Invalid = 'SURVEY_INVALID',
  /** No survey of that code among the agency's own (another agency's is not told apart from none). */
  Unknown = 'UNKNOWN_SURVEY',
  /** `after` is not a response id. */
  BadCursor = 'BAD_CURSOR',
  /** No survey asked by that message of the citizen's inbox. */
  NotFound = 'SURVEY_NOT_FOUND',
  /** The survey is over: completed, closed, or past its deadline. */
  Closed = 'SURVEY_CLOSED',
  /** The answer is for another question than the one the survey waits for (the page was stale). */
  NotWaiting = 'SURVEY_NOT_WAITING',
  /** The answer does not fit the question: not one of its choices, not a score in range, empty or too long. */
  AnswerInvalid = 'SURVEY_ANSWER_INVALID',
  /** A summary's period ends before it starts. */
  PeriodInvalid = 'SURVEY_PERIOD_INVALID',
}

export class SurveyError extends CodedError<SurveyErrorCode> {}
