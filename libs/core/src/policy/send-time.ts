import type { ChannelTarget, Decision, PlatformPolicy, PolicyCitizen, PolicyEvent, PolicyVerdict, QuietHours } from './policy.types.js';
import { nextDigestAt, quietUntil } from './quiet-hours.js';

/** Where a notification goes, decided before its timing so a held or deferred verdict still carries it. */
export interface Route {
  readonly target: ChannelTarget;
  readonly fallback: readonly ChannelTarget[];
  readonly fallbackAfterSeconds: number;
}

/** The first instant the notification may leave: the batch's `now`, or the agency's later `notBefore`. */
export function earliestSend(event: PolicyEvent, now: Date): Date {
  return event.notBefore !== null && event.notBefore.getTime() > now.getTime() ? event.notBefore : now;
}

/**
 * Steps "schedule", 7 (quiet hours) and 8 (digest): when a routed notification goes out. Quiet hours are judged at the
 * instant it would leave, so a send scheduled into the night waits for morning too. An informational message for a
 * digest reader skips the quiet-hours check: the digest time itself is already moved out of quiet hours.
 */
export function sendTime(
  event: PolicyEvent,
  citizen: PolicyCitizen,
  platform: PlatformPolicy,
  quiet: QuietHours | null,
  now: Date,
  route: Route,
): { readonly verdict: PolicyVerdict; readonly decisions: readonly Decision[] } {
  const decisions: Decision[] = [];
  const sendAt = earliestSend(event, now);
  const scheduled = sendAt !== now;
  if (scheduled) decisions.push({ step: 'schedule', code: 'SCHEDULED', params: { until: sendAt.toISOString() } });

  const messageClass = event.type.messageClass;
  if (messageClass === 'informational' && citizen.digest) {
    const dueAt = nextDigestAt(sendAt, citizen.timezone, platform.digestAt, quiet);
    decisions.push({ step: 'digest', code: 'DIGEST_DEFERRED', params: { at: dueAt.toISOString() } });
    return { verdict: { state: 'deferred', dueAt, ...route }, decisions };
  }

  const quietEnd = quietUntil(sendAt, citizen.timezone, quiet);
  if (quietEnd !== null && messageClass === 'critical') {
    decisions.push({ step: 'quiet-hours', code: 'QUIET_HOURS_CRITICAL', params: {} });
  } else if (quietEnd !== null) {
    decisions.push({ step: 'quiet-hours', code: 'QUIET_HOURS_HELD', params: { until: quietEnd.toISOString(), timezone: citizen.timezone } });
    return { verdict: { state: 'held', dueAt: quietEnd, ...route }, decisions };
  }
  return { verdict: scheduled ? { state: 'held', dueAt: sendAt, ...route } : { state: 'accepted', ...route }, decisions };
}
