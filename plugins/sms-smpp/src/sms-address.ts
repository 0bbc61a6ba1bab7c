/** An SMPP address with its type of number and numbering plan indicator. */
export interface SmppAddress {
  readonly addr: string;
  readonly ton: number;
  readonly npi: number;
}

export interface AddressPlan {
  readonly sourceTonAlphanumeric: number;
  readonly sourceNpiAlphanumeric: number;
  readonly sourceTonNumeric: number;
  readonly sourceNpiNumeric: number;
  readonly sourceTonShortCode: number;
  readonly sourceNpiShortCode: number;
  readonly destinationTon: number;
  readonly destinationNpi: number;
}

// Alphanumeric sender ids are at most 11 characters (GSM 03.40 TP-OA: 11 septets), and operators accept ASCII only.
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 .&'_-]{1,11}$/;
const NUMERIC_SENDER = /^\+?\d{1,15}$/;
// A short code (1708, 98999) is a number of the operator's network, not an international one: SMSCs expect it with
// TON 3 (network specific), and some refuse it or show it as "+1708" under TON 1.
const SHORT_CODE = /^\d{3,6}$/;
const E164 = /^\+?[1-9]\d{6,14}$/;

/**
 * The source address for a sender id: alphanumeric (e.g. "BAPENDA BDG"), a short code of 3 to 6 digits (e.g. "1708")
 * or a number.
 * @example sourceAddress('BAPENDA BDG', plan) // { addr: 'BAPENDA BDG', ton: 5, npi: 0 }
 */
export function sourceAddress(sender: string, plan: AddressPlan): SmppAddress | undefined {
  if (ALPHANUMERIC_SENDER.test(sender)) return { addr: sender, ton: plan.sourceTonAlphanumeric, npi: plan.sourceNpiAlphanumeric };
  if (SHORT_CODE.test(sender)) return { addr: sender, ton: plan.sourceTonShortCode, npi: plan.sourceNpiShortCode };
  if (NUMERIC_SENDER.test(sender)) return { addr: sender.replace(/^\+/, ''), ton: plan.sourceTonNumeric, npi: plan.sourceNpiNumeric };
  return undefined;
}

/**
 * The destination for an E.164 number, without the plus as SMPP's international TON expects.
 * @example destinationAddress('+6281234567890', plan) // { addr: '6281234567890', ton: 1, npi: 1 }
 */
export function destinationAddress(phone: string, plan: AddressPlan): SmppAddress | undefined {
  const compact = phone.replace(/[\s-]/g, '');
  if (!E164.test(compact)) return undefined;
  return { addr: compact.replace(/^\+/, ''), ton: plan.destinationTon, npi: plan.destinationNpi };
}

/** The same shapes for the configuration schema, so a bad default sender is refused at install time. */
export const SENDER_PATTERN = `${ALPHANUMERIC_SENDER.source}|${NUMERIC_SENDER.source}`;
