import type { OutboundMessage } from './outbound-message.type.js';
import type { PluginError } from './plugin-error.exception.js';
import type { SendOutcome } from './send-outcome.type.js';

/**
 * The outcome of a message the peer accepted.
 * @example outcomes.push(sentOutcome(message, response.messageId))
 */
export function sentOutcome(message: Pick<OutboundMessage, 'notificationId'>, providerMessageId?: string): SendOutcome {
  return providerMessageId === undefined
    ? { notificationId: message.notificationId, status: 'sent' }
    : { notificationId: message.notificationId, status: 'sent', providerMessageId };
}

/**
 * The outcome of a message that failed on its own (the rest of the batch may still go out).
 * @example outcomes.push(failedOutcome(message, new PluginError(PluginErrorCode.InvalidRecipient, 'no such number')))
 */
export function failedOutcome(message: Pick<OutboundMessage, 'notificationId'>, error: PluginError): SendOutcome {
  return {
    notificationId: message.notificationId,
    status: 'failed',
    error: { code: error.code, retryable: error.retryable, message: error.message },
  };
}
