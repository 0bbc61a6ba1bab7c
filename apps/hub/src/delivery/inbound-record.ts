/**
 * A citizen's message as the inbound stage reads it off `kabar.inbound.v1` (ProviderEvents writes the record): what
 * the survey stage steps and the complaint desk routes.
 */
export interface InboundMessage {
  /** The record's own id, fixed before the outbox: the same on every redelivery. */
  readonly id: string;
  readonly plugin: string;
  readonly channel: string;
  /** The keyed hash of the address it came from, as contact points store theirs. */
  readonly fromHash: string;
  /** The address itself, sealed as at rest. */
  readonly fromSealed: string | null;
  /** The address it was sent to (a short code, a WhatsApp number id), when the channel says. */
  readonly to: string | null;
  readonly kind: string;
  readonly text: string | null;
  readonly payload: string | null;
  readonly media: { readonly id: string; readonly mimeType?: string } | null;
  /** The event of the notification it answers, when the channel says (WhatsApp); null when it does not (SMS). */
  readonly inReplyToEvent: string | null;
  readonly receivedAt: Date;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The message, or undefined for a value that is not an inbound record of this version (it is skipped, not retried). */
export function readInbound(value: Buffer): InboundMessage | undefined {
  let record: unknown;
  try {
    record = JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof record !== 'object' || record === null) return undefined;
  const { id, plugin, channel, fromHash, fromSealed, to, kind, payload, media, inReplyTo, receivedAt } = record as Record<string, unknown>;
  if (typeof id !== 'string' || typeof channel !== 'string' || typeof fromHash !== 'string') return undefined;
  const eventId = typeof inReplyTo === 'object' && inReplyTo !== null ? (inReplyTo as Record<string, unknown>)['eventId'] : undefined;
  const mediaId = typeof media === 'object' && media !== null ? (media as Record<string, unknown>)['id'] : undefined;
  const mimeType = typeof media === 'object' && media !== null ? text((media as Record<string, unknown>)['mimeType']) : null;
  const at = typeof receivedAt === 'string' ? new Date(receivedAt) : new Date(Number.NaN);
  return {
    id,
    plugin: text(plugin) ?? '',
    channel,
    fromHash,
    fromSealed: text(fromSealed),
    to: text(to),
    kind: text(kind) ?? 'text',
    text: text((record as Record<string, unknown>)['text']),
    payload: text(payload),
    media: typeof mediaId === 'string' ? { id: mediaId, ...(mimeType === null ? {} : { mimeType }) } : null,
    inReplyToEvent: typeof eventId === 'string' ? eventId : null,
    receivedAt: Number.isNaN(at.getTime()) ? new Date() : at,
  };
}
