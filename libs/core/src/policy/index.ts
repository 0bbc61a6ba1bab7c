export { effectiveCap } from './caps.js';
export { decide } from './decide.js';
export { dedupKeyOf } from './dedup-key.js';
export { describeDecision } from './describe-decision.js';
export { DEFAULT_PLATFORM_POLICY } from './platform-defaults.js';
export {
  type ChannelTarget,
  type ConsentRecord,
  type Decision,
  type DecisionCode,
  type DedupHit,
  type FrequencyCap,
  LAWFUL_BASES,
  type LawfulBasis,
  type MinuteOfDay,
  type PlatformPolicy,
  type PolicyBatch,
  type PolicyBatchItem,
  type PolicyCitizen,
  type PolicyContact,
  type PolicyEvent,
  type PolicyEventType,
  type PolicyHistory,
  type PolicyResult,
  type PolicyVerdict,
  type QuietHours,
  type Recipient,
  type TimezoneLabel,
  TIMEZONES,
} from './policy.types.js';
export { nextDigestAt, quietUntil } from './quiet-hours.js';
export { resolveRecipients } from './recipients.js';
