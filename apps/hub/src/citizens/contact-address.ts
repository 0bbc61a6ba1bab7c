import { checkEmail, checkFcmToken, checkPhone, type FieldCheck } from '@kabar/core';

/** Channels a citizen can register an address for, and how each address is written in one canonical form. */
const NORMALIZERS = {
  sms: checkPhone,
  whatsapp: checkPhone,
  email: checkEmail,
  push: checkFcmToken,
} as const satisfies Readonly<Record<string, (raw: string) => FieldCheck>>;

export type AddressChannel = keyof typeof NORMALIZERS;
export const ADDRESS_CHANNELS = Object.keys(NORMALIZERS) as readonly AddressChannel[];

const isAddressChannel = (channel: string): channel is AddressChannel => Object.hasOwn(NORMALIZERS, channel);

/**
 * The canonical address for a channel (E.164 phone, e-mail with a lower-case domain, FCM token), so that the lookup
 * hash of what a citizen types matches the hash stored at import.
 * @example normalizeAddress('sms', '0812-3456-7890') // { ok: true, channel: 'sms', value: '+6281234567890' }
 */
export function normalizeAddress(channel: string, raw: string): { ok: true; channel: AddressChannel; value: string } | { ok: false; message: string } {
  if (!isAddressChannel(channel)) return { ok: false, message: `channel must be one of ${ADDRESS_CHANNELS.join(', ')}` };
  const checked = NORMALIZERS[channel](raw);
  return checked.ok ? { ok: true, channel, value: checked.value } : { ok: false, message: checked.message };
}

/**
 * An address shown back with most of it hidden: enough for the citizen to recognise it, too little to use it.
 * @example maskAddress('sms', '+6281234567890') // '+62812****7890'
 * @example maskAddress('email', 'andi@example.com') // 'a***@example.com'
 */
export function maskAddress(channel: string, value: string): string {
  if (channel === 'email') {
    const at = value.lastIndexOf('@');
    if (at > 0) return `${Array.from(value.slice(0, at))[0] ?? ''}***${value.slice(at)}`;
  }
  if (channel === 'sms' || channel === 'whatsapp') return value.length > 10 ? `${value.slice(0, 6)}****${value.slice(-4)}` : `****${value.slice(-4)}`;
  // Device tokens and anything else: the tail is enough to tell two devices apart.
  return `****${value.slice(-6)}`;
}

/**
 * A national ID with all but its last four digits hidden.
 * @example maskNationalId('3273014507850001') // '************0001'
 */
export const maskNationalId = (nationalId: string): string => `${'*'.repeat(Math.max(0, nationalId.length - 4))}${nationalId.slice(-4)}`;
