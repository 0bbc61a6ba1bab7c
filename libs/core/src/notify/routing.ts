import type { ChannelName, Locale } from './message-class.js';

export interface ContactOption {
  readonly id: string;
  readonly channel: ChannelName;
  readonly verified: boolean;
  /** The citizen's own order; lower first. */
  readonly position: number;
}

export type ChannelChoice = { readonly channel: ChannelName; readonly contactPointId: string | null } | null;

/**
 * Until citizens' channel preferences exist (next issue), the first verified contact point the event type allows,
 * in the citizen's order; the in-app inbox, which every registered citizen has, comes last if allowed.
 * @example chooseChannel(['sms', 'inbox'], [{ id: 'c1', channel: 'sms', verified: true, position: 0 }]) // sms via c1
 */
export function chooseChannel(allowed: readonly ChannelName[], contacts: readonly ContactOption[]): ChannelChoice {
  const first = [...contacts]
    .filter((c) => c.verified && allowed.includes(c.channel))
    .sort((a, b) => a.position - b.position)
    .at(0);
  if (first !== undefined) return { channel: first.channel, contactPointId: first.id };
  return allowed.includes('inbox') ? { channel: 'inbox', contactPointId: null } : null;
}

/**
 * The citizen's language if a template exists in it, else the agency's default, else Indonesian.
 * @example chooseLocale('en', 'id', ['id']) // 'id'
 */
export function chooseLocale(citizen: Locale, agencyDefault: Locale, available: readonly Locale[]): Locale {
  for (const candidate of [citizen, agencyDefault, 'id' as const]) if (available.includes(candidate)) return candidate;
  return available[0] ?? 'id';
}
