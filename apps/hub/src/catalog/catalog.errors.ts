import { CodedError } from '@kabar/core';

export enum CatalogErrorCode {
  InvalidEventType = 'EVENT_TYPE_INVALID',
  EventTypeTaken = 'EVENT_TYPE_TAKEN',
  UnknownEventType = 'EVENT_TYPE_UNKNOWN',
  InvalidTemplate = 'TEMPLATE_INVALID',
}

export class CatalogError extends CodedError<CatalogErrorCode> {}
