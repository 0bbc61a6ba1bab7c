import type { Locale } from '../notify/message-class.js';
import {
  checkEmail,
  checkFcmToken,
  checkLanguage,
  checkName,
  checkNationalId,
  checkPhone,
  checkRegionCode,
  checkTimezone,
  type CitizenTimezone,
  type FieldCheck,
} from './citizen-fields.js';

/** A citizen as agencies register them: normalized values only (see the `check…` functions). */
export interface CitizenRecord {
  readonly nationalId: string;
  readonly name: string;
  /** Where the citizen lives, as a Kemendagri code; it need not match the NIK's province, since people move. */
  readonly regionCode: string;
  readonly timezone: CitizenTimezone;
  readonly language: Locale;
  readonly phone: string | null;
  readonly email: string | null;
  readonly fcmToken: string | null;
  readonly whatsapp: string | null;
}

/** Raw values, as they come from a CSV row or a GraphQL input; blank means absent. */
export type CitizenRecordInput = Partial<Record<keyof CitizenRecord, string | null | undefined>>;

/** `contact` is the problem of a record without any contact point, which belongs to no single field. */
export type CitizenField = keyof CitizenRecord | 'contact';

export interface FieldError {
  readonly field: CitizenField;
  readonly message: string;
}

export type CitizenValidation = { readonly record: CitizenRecord } | { readonly errors: FieldError[] };

const CONTACT_FIELDS = ['phone', 'email', 'fcmToken', 'whatsapp'] as const;

const blank = (value: string | null | undefined): value is null | undefined | '' => value === null || value === undefined || value.trim() === '';

/**
 * Checks every field of a record and lists every problem, or returns the normalized record.
 * @example validateCitizenRecord({ nationalId: '3273014507850001', name: 'Siti', regionCode: '32.73', timezone: 'WIB', phone: '0812 1000 0001' })
 */
export function validateCitizenRecord(input: CitizenRecordInput): CitizenValidation {
  const errors: FieldError[] = [];
  const check = <Value extends string>(field: keyof CitizenRecord, validate: (raw: string) => FieldCheck<Value>, raw: string): Value | null => {
    const result = validate(raw);
    if (result.ok) return result.value;
    errors.push({ field, message: result.message });
    return null;
  };
  // Required fields are checked even when blank, so that their validator says what is expected.
  const required = <Value extends string>(field: keyof CitizenRecord, validate: (raw: string) => FieldCheck<Value>): Value | null =>
    check(field, validate, input[field] ?? '');
  const optional = (field: keyof CitizenRecord, validate: (raw: string) => FieldCheck): string | null => {
    const raw = input[field];
    return blank(raw) ? null : check(field, validate, raw);
  };

  const nationalId = required('nationalId', checkNationalId);
  const name = required('name', checkName);
  const regionCode = required('regionCode', checkRegionCode);
  const timezone = required('timezone', checkTimezone);
  const language = required('language', checkLanguage);
  const phone = optional('phone', checkPhone);
  const email = optional('email', checkEmail);
  const fcmToken = optional('fcmToken', checkFcmToken);
  const whatsapp = optional('whatsapp', checkPhone);
  // An invalid contact point already has its own error; this one is for rows that give none at all.
  if (CONTACT_FIELDS.every((field) => blank(input[field]))) {
    errors.push({ field: 'contact', message: 'expected at least one contact point: phone, email, FCM token or WhatsApp' });
  }
  if (errors.length > 0 || nationalId === null || name === null || regionCode === null || timezone === null || language === null) return { errors };
  return { record: { nationalId, name, regionCode, timezone, language, phone, email, fcmToken, whatsapp } };
}
