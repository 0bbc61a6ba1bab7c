/** A citizen's reply as the survey stage reads it off `kabar.inbound.v1` (ProviderEvents writes the record). */
export interface SurveyReply {
  /** The record's own id, fixed before the outbox: the same on every redelivery. */
  readonly id: string;
  readonly channel: string;
  /** The keyed hash of the address it came from, as contact points store theirs. */
  readonly fromHash: string;
  readonly text: string | null;
  readonly payload: string | null;
  /** The event of the notification it answers, when the channel says (WhatsApp); null when it does not (SMS). */
  readonly inReplyToEvent: string | null;
}

/** The reply, or undefined for a value that is not an inbound record of this version (it is skipped, not retried). */
export function readSurveyReply(value: Buffer): SurveyReply | undefined {
  let record: unknown;
  try {
    record = JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof record !== 'object' || record === null) return undefined;
  const { id, channel, fromHash, text, payload, inReplyTo } = record as Record<string, unknown>;
  if (typeof id !== 'string' || typeof channel !== 'string' || typeof fromHash !== 'string') return undefined;
  const eventId = typeof inReplyTo === 'object' && inReplyTo !== null ? (inReplyTo as Record<string, unknown>)['eventId'] : undefined;
  return { id, channel, fromHash, text: typeof text === 'string' ? text : null, payload: typeof payload === 'string' ? payload : null, inReplyToEvent: typeof eventId === 'string' ? eventId : null };
}
