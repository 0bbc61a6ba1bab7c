import { type BusRecord, TOPICS } from '@kabar/messaging';

/** The delivery that failed for good, as operators see it on the dead-letter topic: identifiers only. */
export interface DeadDelivery {
  readonly notificationId: string;
  readonly eventId: string;
  readonly source: string;
  readonly ceId: string;
  readonly agencyCode: string;
  readonly channel: string | null;
  readonly plugin: string;
  readonly code: string;
  /** A fixed phrase; never the provider's own message, which may quote the recipient. */
  readonly reason: string;
}

/**
 * A delivery that failed for good on its channel (a permanent error, retries spent, or a receipt saying it never
 * arrived), for operators on `kabar.dispatch.dlq.v1` with the code and reason in headers, as on the events
 * dead-letter topic. The notification may still move on to a fallback channel: its status messages tell the rest.
 */
export function deadLetterRecord(dead: DeadDelivery): BusRecord {
  return {
    topic: TOPICS.dispatchDeadLetter,
    key: dead.agencyCode,
    value: Buffer.from(
      JSON.stringify({
        notificationId: dead.notificationId,
        eventId: dead.eventId,
        source: dead.source,
        id: dead.ceId,
        agency: dead.agencyCode,
        channel: dead.channel,
        plugin: dead.plugin,
        code: dead.code,
      }),
    ),
    headers: { 'content-type': 'application/json', 'kabar-dlq-code': dead.code, 'kabar-dlq-reason': dead.reason, 'kabar-agency': dead.agencyCode },
  };
}
