import type { ChannelName } from '../notify/message-class.js';
import type { ChannelTarget, PolicyCitizen, PolicyEventType } from './policy.types.js';

/**
 * Step 6: the channels to try, in order; the first is the target, the rest the fallback chain. A channel qualifies when
 * the type allows it, has a template for it, its route is healthy and the citizen has a verified contact point on it.
 * The inbox needs no contact point and is Kabar's own store rather than a provider route, so route health does not
 * apply to it; it closes the chain as the last resort whenever the type allows it.
 */
export function planChannels(type: PolicyEventType, citizen: PolicyCitizen, healthy: ReadonlySet<ChannelName> | undefined): ChannelTarget[] {
  const usable = (channel: ChannelName): boolean =>
    type.allowedChannels.includes(channel) && type.templatedChannels.includes(channel) && (channel === 'inbox' || healthy === undefined || healthy.has(channel));
  const order = citizen.channelOrder[type.category] ?? citizen.channelOrder['*'] ?? [];
  const plan: ChannelTarget[] = [];
  for (const channel of order) {
    if (!usable(channel) || plan.some((t) => t.channel === channel)) continue;
    if (channel === 'inbox') {
      plan.push({ channel, contactPointId: null });
      continue;
    }
    const contact = citizen.contacts.find((c) => c.channel === channel && c.verified);
    if (contact !== undefined) plan.push({ channel, contactPointId: contact.id });
  }
  if (usable('inbox') && !plan.some((t) => t.channel === 'inbox')) plan.push({ channel: 'inbox', contactPointId: null });
  return plan;
}
