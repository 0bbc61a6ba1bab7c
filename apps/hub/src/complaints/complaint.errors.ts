import { CodedError } from '@kabar/core';

export enum ComplaintErrorCode {
  /** No complaint of that id among the agency's own (another agency's is not told apart from none). */
  NotFound = 'COMPLAINT_NOT_FOUND',
  /** The complaint is closed, or its sender's address was purged under the retention policy: nothing can reach them. */
  Closed = 'COMPLAINT_CLOSED',
  /** The answer is empty or longer than COMPLAINT_ANSWER_LIMIT characters. */
  AnswerInvalid = 'COMPLAINT_ANSWER_INVALID',
  /** A complaint handed to the agency that already has it. */
  TransferInvalid = 'COMPLAINT_TRANSFER_INVALID',
  /** No file of that id among the complaint's messages. */
  MediaNotFound = 'MEDIA_NOT_FOUND',
  /** The file could not be fetched from the channel's provider (expired, provider down, or a channel that cannot). */
  MediaUnavailable = 'MEDIA_UNAVAILABLE',
  /** An inbound route's channel, address or keyword is not one Kabar can route by. */
  RouteInvalid = 'INBOUND_ROUTE_INVALID',
  /** No inbound route of that id. */
  RouteNotFound = 'INBOUND_ROUTE_NOT_FOUND',
  /** A performance period that ends before it starts. */
  PeriodInvalid = 'COMPLAINT_PERIOD_INVALID',
}

export class ComplaintError extends CodedError<ComplaintErrorCode> {}
