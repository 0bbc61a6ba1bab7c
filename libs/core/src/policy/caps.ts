import type { MessageClass } from '../notify/message-class.js';
import type { FrequencyCap, PlatformPolicy, PolicyCitizen } from './policy.types.js';

/** A cap with no positive period has no rate and cannot be compared; it is ignored rather than dividing by zero. */
const usable = (cap: FrequencyCap | undefined): cap is FrequencyCap => cap !== undefined && cap.periodSeconds > 0 && cap.count >= 0;

/**
 * The lower-rate cap of the two (cross-multiplied so no rounding decides); on an equal rate the smaller count, which
 * allows the shorter burst, then the platform's.
 */
function tighter(platform: FrequencyCap, citizen: FrequencyCap): FrequencyCap {
  const platformRate = platform.count * citizen.periodSeconds;
  const citizenRate = citizen.count * platform.periodSeconds;
  if (citizenRate !== platformRate) return citizenRate < platformRate ? citizen : platform;
  return citizen.count < platform.count ? citizen : platform;
}

/**
 * The cap that applies to a citizen for a class: the tighter of platform default and the citizen's own; null when
 * neither sets one, and always for `critical`, which is never capped.
 * @example effectiveCap(DEFAULT_PLATFORM_POLICY, { ...citizen, caps: { reminder: { count: 2, periodSeconds: 604_800 } } }, 'reminder') // 2 a week, not the platform's 5
 */
export function effectiveCap(platform: PlatformPolicy, citizen: PolicyCitizen, messageClass: MessageClass): FrequencyCap | null {
  if (messageClass === 'critical') return null;
  const fromPlatform = platform.caps[messageClass];
  const fromCitizen = citizen.caps[messageClass];
  if (usable(fromPlatform)) return usable(fromCitizen) ? tighter(fromPlatform, fromCitizen) : fromPlatform;
  return usable(fromCitizen) ? fromCitizen : null;
}

/** How many of `times` fall in the cap's sliding window ending at `at`: strictly after `at - period`. */
export function countInWindow(times: readonly Date[], at: Date, cap: FrequencyCap): number {
  const since = at.getTime() - cap.periodSeconds * 1000;
  return times.filter((t) => t.getTime() > since).length;
}
