import type { ConsentRecord, Decision, PolicyCitizen, PolicyEventType } from './policy.types.js';

/** The record in force at `at`: the latest at or before it, a tie going to the one later in the array (recorded last). */
function consentInForce(consents: readonly ConsentRecord[], purpose: string, at: Date): ConsentRecord | undefined {
  let inForce: ConsentRecord | undefined;
  for (const record of consents) {
    if (record.purpose !== purpose || record.at.getTime() > at.getTime()) continue;
    if (inForce === undefined || record.at.getTime() >= inForce.at.getTime()) inForce = record;
  }
  return inForce;
}

/**
 * Step 3: may Kabar contact this citizen for this type at all? Judged as of the event's `receivedAt`, not the batch's
 * `now`, so a consent withdrawn between two events of one batch stops the later event and not the earlier one.
 */
export function lawfulBasis(type: PolicyEventType, citizen: PolicyCitizen, receivedAt: Date): { readonly allowed: boolean; readonly decision: Decision } {
  if (type.basis !== 'consent') {
    return { allowed: true, decision: { step: 'basis', code: 'BASIS_NO_CONSENT_NEEDED', params: { basis: type.basis } } };
  }
  const record = consentInForce(citizen.consents, type.purpose, receivedAt);
  if (record?.action !== 'granted') {
    return { allowed: false, decision: { step: 'basis', code: 'NO_CONSENT', params: { purpose: type.purpose } } };
  }
  return { allowed: true, decision: { step: 'basis', code: 'CONSENT_OK', params: { purpose: type.purpose, noticeVersion: record.noticeVersion } } };
}
