import { kabarEventJson } from '../delivery/status-event.js';

export const REPLY_EVENT_TYPE = 'id.kabar.citizen.reply.v1';

/** What an agency's callback receives of a citizen's reply to one of its notifications. */
export interface CitizenReply {
  readonly notificationId: string;
  readonly eventId: string;
  /** The agency's own event: its `source` and `id`. */
  readonly source: string;
  readonly id: string;
  readonly channel: string;
  readonly kind: string;
  readonly text: string;
  readonly payload: string | null;
  readonly media: { readonly id: string; readonly mimeType?: string } | null;
  readonly receivedAt: string;
}

/** A record of `kabar.inbound.v1` as ProviderEvents writes it; only what a callback needs is read. */
interface InboundRecordValue {
  readonly id?: unknown;
  readonly channel?: unknown;
  readonly kind?: unknown;
  readonly text?: unknown;
  readonly payload?: unknown;
  readonly media?: unknown;
  readonly receivedAt?: unknown;
  readonly inReplyTo?: { readonly notificationId?: unknown; readonly eventId?: unknown; readonly agency?: unknown; readonly source?: unknown; readonly id?: unknown } | null;
}

/**
 * A citizen's reply that answers an agency's notification, as the structured CloudEvent its callback receives
 * (`id.kabar.citizen.reply.v1`, signed like status callbacks): what the citizen sent, and which of the agency's events
 * it answers. Never the citizen's number: the agency knows whom it wrote to. Undefined for a reply that answers no
 * notification, or a record this version cannot read.
 */
export function replyCallback(value: Buffer): { readonly agencyCode: string; readonly webhookId: string; readonly payload: string } | undefined {
  let record: InboundRecordValue;
  try {
    record = JSON.parse(value.toString('utf8')) as InboundRecordValue;
  } catch {
    return undefined;
  }
  const to = record.inReplyTo;
  const text = (v: unknown): v is string => typeof v === 'string';
  if (!text(record.id) || to === null || to === undefined || !text(to.agency) || !text(to.notificationId) || !text(to.eventId) || !text(to.source) || !text(to.id)) return undefined;
  const media = typeof record.media === 'object' && record.media !== null && text((record.media as { id?: unknown }).id) ? (record.media as CitizenReply['media']) : null;
  const reply: CitizenReply = {
    notificationId: to.notificationId,
    eventId: to.eventId,
    source: to.source,
    id: to.id,
    channel: text(record.channel) ? record.channel : '',
    kind: text(record.kind) ? record.kind : 'text',
    text: text(record.text) ? record.text : '',
    payload: text(record.payload) ? record.payload : null,
    media,
    receivedAt: text(record.receivedAt) ? record.receivedAt : new Date().toISOString(),
  };
  const webhookId = `reply.${record.id}`;
  const payload = kabarEventJson({ id: webhookId, type: REPLY_EVENT_TYPE, subject: reply.notificationId, time: reply.receivedAt, agency: to.agency, data: reply });
  return { agencyCode: to.agency, webhookId, payload };
}
