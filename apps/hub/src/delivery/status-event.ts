import { STRUCTURED_CONTENT_TYPE } from '@kabar/contracts';
import { type BusRecord, TOPICS } from '@kabar/messaging';

export const STATUS_EVENT_TYPE = 'id.kabar.notification.status.v1';
export const KABAR_SOURCE = 'urn:kabar:hub';

/** What an agency learns about one of its notifications: states and reason codes, never personal data. */
export interface DeliveryStatus {
  readonly agency: string;
  readonly eventId: string;
  readonly source: string;
  readonly id: string;
  readonly notificationId: string;
  readonly state: 'accepted' | 'held' | 'deferred' | 'merged' | 'suppressed' | 'sent' | 'delivered' | 'retrying' | 'failed' | 'cancelled';
  readonly reason: string | null;
  readonly channel: string | null;
  readonly at: string;
}

/** What Kabar itself tells an agency: a status, a citizen's reply, a finished survey. */
export interface KabarEvent {
  readonly id: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  /** The agency's code, as the `kabaragency` extension. */
  readonly agency: string;
  readonly data: unknown;
}

/** A Kabar event as the JSON of a structured CloudEvent (source `urn:kabar:hub`), for the bus and for callbacks. */
export function kabarEventJson(event: KabarEvent): string {
  return JSON.stringify({
    specversion: '1.0',
    id: event.id,
    source: KABAR_SOURCE,
    type: event.type,
    subject: event.subject,
    time: event.time,
    datacontenttype: 'application/json',
    kabaragency: event.agency,
    data: event.data,
  });
}

/**
 * The status as a structured CloudEvent on `kabar.status.v1`, keyed by agency so one agency's updates stay in order.
 * Built directly rather than through the contracts serializer: Kabar writes these itself, twice per notification, and
 * re-validating its own constant attributes showed up in the benchmark profile. A test parses them back with the
 * contracts parser.
 */
export function statusRecord(status: DeliveryStatus): BusRecord {
  const event = kabarEventJson({ id: `${status.notificationId}.${status.state}`, type: STATUS_EVENT_TYPE, subject: status.notificationId, time: status.at, agency: status.agency, data: status });
  return {
    topic: TOPICS.status,
    key: status.agency,
    value: Buffer.from(event),
    headers: { 'content-type': STRUCTURED_CONTENT_TYPE, 'kabar-agency': status.agency },
  };
}
