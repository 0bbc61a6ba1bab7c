import { CodedError } from '@kabar/core';

export enum WhatsAppWebhookErrorCode {
  /** Not JSON, or JSON that does not have the Cloud API webhook's shape where it matters. */
  Malformed = 'WHATSAPP_WEBHOOK_MALFORMED',
  /** Well-formed, but for another Meta product (`object` is not `whatsapp_business_account`): a misrouted subscription. */
  UnexpectedObject = 'WHATSAPP_WEBHOOK_UNEXPECTED_OBJECT',
}

/** A webhook body the hub must refuse (HTTP 400); `details.path` points at the part that is wrong. */
export class WhatsAppWebhookError extends CodedError<WhatsAppWebhookErrorCode> {}
