/**
 * Test mode: events published with a `test` API key go to the hub's sandbox, never to a provider. The subject is a
 * magic address instead of a national ID, and the address decides what happens, so an agency can see every status
 * its integration must handle (like GOV.UK Notify's test keys and smoke-test numbers).
 */
export const SANDBOX_ADDRESSES = {
  delivered: ['+6280000000001', 'delivered@sandbox.kabar.id'],
  temporaryFailure: ['+6280000000002', 'temporary-failure@sandbox.kabar.id'],
  permanentFailure: ['+6280000000003', 'permanent-failure@sandbox.kabar.id'],
} as const;

export type SandboxOutcome = 'delivered' | 'temporary-failure' | 'permanent-failure' | 'sent';

/**
 * What the sandbox does with a message to `address`: the magic ones force their outcome; any other is accepted
 * ("sent") and never reported delivered.
 * @example sandboxOutcome('+6280000000003') // 'permanent-failure'
 */
export function sandboxOutcome(address: string): SandboxOutcome {
  const normal = address.trim().toLowerCase();
  const is = (list: readonly string[]): boolean => list.includes(normal);
  if (is(SANDBOX_ADDRESSES.delivered)) return 'delivered';
  if (is(SANDBOX_ADDRESSES.temporaryFailure)) return 'temporary-failure';
  if (is(SANDBOX_ADDRESSES.permanentFailure)) return 'permanent-failure';
  return 'sent';
}

/** The channel a sandbox address stands for: a phone number is SMS, an e-mail address is e-mail, else the inbox. */
export function sandboxChannel(address: string): 'sms' | 'email' | 'inbox' {
  const trimmed = address.trim();
  if (/^\+\d{8,15}$/.test(trimmed)) return 'sms';
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed)) return 'email';
  return 'inbox';
}
