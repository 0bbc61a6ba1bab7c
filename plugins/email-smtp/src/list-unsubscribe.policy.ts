import type { OutboundMessage } from '@kabar/plugin-sdk';

/** The classes the hub may put in `metadata.messageClass`. */
export const MESSAGE_CLASSES = ['critical', 'transactional', 'reminder', 'informational'] as const;
export type MessageClass = (typeof MESSAGE_CLASSES)[number];

// Citizens may opt out of reminders and news; a tax assessment or a security notice must keep arriving, so offering
// an unsubscribe link there would promise something the agency cannot honour.
const UNSUBSCRIBABLE: ReadonlySet<string> = new Set<MessageClass>(['reminder', 'informational']);

/**
 * The List-Unsubscribe headers (RFC 2369, one-click per RFC 8058) for a message, or none. None when no template is
 * configured, or the message's class is missing, unknown, critical or transactional. One-click is only offered for an
 * https link, as RFC 8058 requires; a mailto link gets List-Unsubscribe alone.
 * @example listUnsubscribeHeaders('https://kabar.go.id/u/{notificationId}', message) // { 'List-Unsubscribe': '<https://kabar.go.id/u/7f…>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
 */
export function listUnsubscribeHeaders(
  template: string | undefined,
  message: Pick<OutboundMessage, 'notificationId' | 'agencyCode' | 'eventType' | 'metadata'>,
): Record<string, string> {
  const messageClass = message.metadata.messageClass;
  if (template === undefined || messageClass === undefined || !UNSUBSCRIBABLE.has(messageClass)) return {};
  const values: Readonly<Record<string, string>> = {
    notificationId: message.notificationId,
    agencyCode: message.agencyCode,
    eventType: message.eventType,
  };
  const url = template.replace(/\{(notificationId|agencyCode|eventType)\}/g, (_match, name: string) => encodeURIComponent(values[name] ?? ''));
  const headers: Record<string, string> = { 'List-Unsubscribe': `<${url}>` };
  if (url.startsWith('https://')) headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  return headers;
}
