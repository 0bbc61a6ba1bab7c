import type { PolicyCitizen, Recipient } from './policy.types.js';

/**
 * Step 2 for an event about one citizen: the subject, then each delegate (a guardian) acting for them. A delegate is a
 * citizen in their own right, so the engine later applies the delegate's own preferences, consents and caps. Someone
 * listed as their own delegate, or listed twice, receives one notification.
 * @example resolveRecipients(child, [mother]) // [{ citizen: child, role: 'subject' }, { citizen: mother, role: 'delegate', onBehalfOf: child.id }]
 */
export function resolveRecipients(subject: PolicyCitizen | undefined, delegates: readonly PolicyCitizen[]): Recipient[] {
  if (subject === undefined) return [];
  const recipients: Recipient[] = [{ citizen: subject, role: 'subject', onBehalfOf: null }];
  for (const delegate of delegates) {
    if (recipients.some((r) => r.citizen.id === delegate.id)) continue;
    recipients.push({ citizen: delegate, role: 'delegate', onBehalfOf: subject.id });
  }
  return recipients;
}
