import { timeOrderedId } from '@kabar/core';
import type { NewNotification } from '@kabar/persistence';

/** Who an answer goes to and what it says; the rest of the notification is fixed. */
export type AnswerAddressing = Pick<NewNotification, 'eventId' | 'agencyId' | 'citizenId' | 'contactPointId' | 'channel' | 'locale' | 'recipientRole'> &
  Pick<NewNotification, 'addressSealed' | 'sender'>;

/**
 * A message that answers what a citizen wrote (a survey's next question, the complaint desk's words), written as given
 * rather than rendered from a template, and ready for dispatch. It has no message class, so it counts against no
 * frequency limit and waits for no quiet hours: the citizen asked for it by writing.
 */
export function answerNotification(to: AnswerAddressing, body: string): NewNotification {
  return {
    ...to,
    id: timeOrderedId(),
    templateVersion: null,
    state: 'accepted',
    reason: null,
    renderedSubject: null,
    renderedBody: body,
    renderedHtml: null,
    onBehalfOf: null,
    messageClass: null,
    decisions: [],
    dedupKeyHash: null,
    dueAt: null,
    mergedInto: null,
    fallback: [],
    fallbackAfterSeconds: null,
  };
}
