import { BatchMemory } from './batch-memory.js';
import { effectiveCap } from './caps.js';
import { planChannels } from './channel-plan.js';
import { lawfulBasis } from './consent.js';
import { dedupKeyOf } from './dedup-key.js';
import type { Decision, PolicyBatch, PolicyCitizen, PolicyEvent, PolicyResult, PolicyVerdict, QuietHours, Recipient } from './policy.types.js';
import { nextDigestAt, quietWindowOf } from './quiet-hours.js';
import { earliestSend, type Route, sendTime } from './send-time.js';

interface Judgement {
  readonly verdict: PolicyVerdict;
  readonly dedupKey: string | null;
  readonly decisions: readonly Decision[];
}

/** Step 5's finding: send normally, gather into the next digest, or drop because it would expire before the digest. */
type CapOutcome = { readonly kind: 'send' } | { readonly kind: 'defer'; readonly dueAt: Date } | { readonly kind: 'suppress' };

const suppressed = (reason: 'EXPIRED' | 'NO_CONSENT' | 'CAPPED' | 'NO_CHANNEL'): PolicyVerdict => ({ state: 'suppressed', reason });

/**
 * Judges every (event, recipient) pair of a batch through ARCHITECTURE §4 steps 1–8, in input order, recording each
 * step's decision. Pure: the same batch gives the same results. Earlier results of the batch count like stored
 * history, so two agencies' events in one batch merge and share caps exactly as across batches.
 * @example decide({ items: [{ event, recipients: resolveRecipients(citizen, []) }], history, platform: DEFAULT_PLATFORM_POLICY, now, newId: randomUUID })
 */
export function decide(input: PolicyBatch): PolicyResult[] {
  const memory = new BatchMemory(input.history);
  const results: PolicyResult[] = [];
  for (const { event, recipients } of input.items) {
    for (const recipient of recipients) {
      const notificationId = input.newId();
      const judgement = judge(event, recipient, input, memory);
      remember(memory, event, recipient.citizen, notificationId, judgement);
      results.push({ notificationId, eventId: event.id, recipient, ...judgement });
    }
  }
  return results;
}

function remember(memory: BatchMemory, event: PolicyEvent, citizen: PolicyCitizen, notificationId: string, { verdict, dedupKey }: Judgement): void {
  // Digested, merged and suppressed notifications do not reach the citizen on their own, so they use up no cap.
  if (verdict.state === 'accepted' || verdict.state === 'held') memory.rememberSent(citizen.id, event.type.messageClass, event.receivedAt);
  // Only a notification that will reach the citizen may absorb later duplicates: merging into a suppressed one would
  // silently drop a message that the second agency's channels might still have delivered.
  if (dedupKey !== null && verdict.state !== 'merged' && verdict.state !== 'suppressed') {
    memory.rememberForDedup(citizen.id, dedupKey, { notificationId, agencyName: event.type.agencyName, at: event.receivedAt });
  }
}

function judge(event: PolicyEvent, recipient: Recipient, batch: PolicyBatch, memory: BatchMemory): Judgement {
  const { type } = event;
  const { citizen } = recipient;
  const decisions: Decision[] = [];
  let dedupKey: string | null = null;
  const conclude = (verdict: PolicyVerdict): Judgement => ({ verdict, dedupKey, decisions });

  // 1. Validate: schema and registration were checked at intake; expiry is judged now, as the batch is decided.
  if (event.expiresAt !== null && event.expiresAt.getTime() <= batch.now.getTime()) {
    decisions.push({ step: 'validate', code: 'EXPIRED', params: { expiresAt: event.expiresAt.toISOString() } });
    return conclude(suppressed('EXPIRED'));
  }

  // 2. Recipients were resolved by the caller; a delegate's trail says on whose behalf they receive it.
  if (recipient.role === 'delegate') {
    decisions.push({ step: 'recipients', code: 'DELEGATE', params: recipient.onBehalfOf === null ? {} : { onBehalfOf: recipient.onBehalfOf } });
  }

  // 3. Lawful basis.
  const basis = lawfulBasis(type, citizen, event.receivedAt);
  decisions.push(basis.decision);
  if (!basis.allowed) return conclude(suppressed('NO_CONSENT'));

  // 4. Dedup across agencies.
  if (type.dedup !== null) {
    dedupKey = dedupKeyOf(type.dedup.key, { subject: event.subject, data: event.data });
    const hit = dedupKey === null ? undefined : memory.findDuplicate(citizen.id, dedupKey, event.receivedAt, type.dedup.windowSeconds);
    if (hit !== undefined) {
      decisions.push({ step: 'dedup', code: 'MERGED', params: { agency: hit.agencyName, at: hit.at.toISOString() } });
      return conclude({ state: 'merged', mergedInto: hit.notificationId });
    }
  }

  // 5. Frequency caps.
  const quiet = quietWindowOf(citizen, batch.platform);
  const cap = judgeCap(event, citizen, batch, memory, quiet);
  decisions.push(cap.decision);
  if (cap.outcome.kind === 'suppress') return conclude(suppressed('CAPPED'));

  // 6. Channel choice, before any timing, so that held and deferred verdicts know their route too.
  const [target, ...fallback] = planChannels(type, citizen, batch.healthyChannels);
  if (target === undefined) {
    decisions.push({ step: 'channel', code: 'NO_CHANNEL', params: {} });
    return conclude(suppressed('NO_CHANNEL'));
  }
  decisions.push({ step: 'channel', code: 'CHANNEL_CHOSEN', params: { channel: target.channel, fallback: fallback.map((t) => t.channel).join('>') } });
  const route: Route = { target, fallback, fallbackAfterSeconds: type.fallbackAfterSeconds ?? batch.platform.fallbackAfterSeconds };
  // Over the cap, the digest is the send time; scheduling, quiet hours and digest choice have nothing left to decide.
  if (cap.outcome.kind === 'defer') return conclude({ state: 'deferred', dueAt: cap.outcome.dueAt, ...route });

  // Schedule, 7. quiet hours, 8. digest.
  const timing = sendTime(event, citizen, batch.platform, quiet, batch.now, route);
  decisions.push(...timing.decisions);
  return conclude(timing.verdict);
}

/** Step 5: counted as of `receivedAt`, like consent, so a batch replayed later reaches the same verdicts. */
function judgeCap(
  event: PolicyEvent,
  citizen: PolicyCitizen,
  batch: PolicyBatch,
  memory: BatchMemory,
  quiet: QuietHours | null,
): { readonly decision: Decision; readonly outcome: CapOutcome } {
  const messageClass = event.type.messageClass;
  if (messageClass === 'critical') return { decision: { step: 'caps', code: 'NOT_CAPPED_CRITICAL', params: {} }, outcome: { kind: 'send' } };
  const cap = effectiveCap(batch.platform, citizen, messageClass);
  if (cap === null) return { decision: { step: 'caps', code: 'UNDER_CAP', params: {} }, outcome: { kind: 'send' } };

  const count = memory.countFor(citizen.id, messageClass, event.receivedAt, cap);
  const usage = { messageClass, count, limit: cap.count, periodSeconds: cap.periodSeconds };
  if (count < cap.count) return { decision: { step: 'caps', code: 'UNDER_CAP', params: usage }, outcome: { kind: 'send' } };

  // Over the cap the message waits for the next digest (never before the agency's notBefore), unless it expires first.
  const dueAt = nextDigestAt(earliestSend(event, batch.now), citizen.timezone, batch.platform.digestAt, quiet);
  if (event.expiresAt !== null && event.expiresAt.getTime() <= dueAt.getTime()) {
    return { decision: { step: 'caps', code: 'CAPPED_SUPPRESSED', params: { ...usage, digestAt: dueAt.toISOString() } }, outcome: { kind: 'suppress' } };
  }
  return { decision: { step: 'caps', code: 'CAPPED_DEFERRED', params: { ...usage, at: dueAt.toISOString() } }, outcome: { kind: 'defer', dueAt } };
}
