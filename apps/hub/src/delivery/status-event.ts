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

/**
 * The status as a structured CloudEvent on `kabar.status.v1`, keyed by agency so one agency's updates stay in order.
 * Built directly rather than through the contracts serializer: Kabar writes these itself, twice per notification, and
 * re-validating its own constant attributes showed up in the benchmark profile. A test parses them back with the
 * contracts parser.
 */
export function statusRecord(status: DeliveryStatus): BusRecord {
  const event = {
    specversion: '1.0',
    id: `${status.notificationId}.${status.state}`,
    source: KABAR_SOURCE,
    type: STATUS_EVENT_TYPE,
    subject: status.notificationId,
    time: status.at,
    datacontenttype: 'application/json',
    kabaragency: status.agency,
    data: status,
  };
  return {
    topic: TOPICS.status,
    key: status.agency,
    value: Buffer.from(JSON.stringify(event)),
    headers: { 'content-type': STRUCTURED_CONTENT_TYPE, 'kabar-agency': status.agency },
  };
}
