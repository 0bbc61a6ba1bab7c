import { isLocale, type Locale } from '../notify/message-class.js';
import { provinceName } from './provinces.js';

/** The outcome of checking one field: the normalized value, or a message for the person who typed it. */
export type FieldCheck<Value extends string = string> = { readonly ok: true; readonly value: Value } | { readonly ok: false; readonly message: string };

/** Indonesia's three time zones, with the IANA zone each stands for. */
export const CITIZEN_TIMEZONES = { WIB: 'Asia/Jakarta', WITA: 'Asia/Makassar', WIT: 'Asia/Jayapura' } as const;
export type CitizenTimezone = keyof typeof CITIZEN_TIMEZONES;

const ok = <Value extends string>(value: Value): FieldCheck<Value> => ({ ok: true, value });
const problem = <Value extends string>(message: string): FieldCheck<Value> => ({ ok: false, message });

/** Echoes what was given, cut short: long values (tokens, whole misaligned rows) would drown the message. */
function quote(raw: string): string {
  if (raw.trim() === '') return 'nothing';
  const chars = Array.from(raw.trim());
  return JSON.stringify(chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : chars.join(''));
}

const NIK_EXPECTED = 'a national ID (NIK) of 16 digits';

/**
 * A national ID (NIK): 16 digits once spaces and dots are removed, starting with a province code.
 * Messages never echo the value: an NIK is personal data, and messages can end up in hub logs.
 * @example checkNationalId('3273.0145.0785.0001') // { ok: true, value: '3273014507850001' }
 */
export function checkNationalId(raw: string): FieldCheck {
  const digits = raw.replace(/[\s.]/g, '');
  if (digits === '') return problem(`expected ${NIK_EXPECTED}, got nothing`);
  if (!/^\d+$/.test(digits)) return problem(`expected ${NIK_EXPECTED}, got other characters than digits`);
  if (digits.length !== 16) return problem(`expected ${NIK_EXPECTED}, got ${digits.length} digits`);
  const province = digits.slice(0, 2);
  if (provinceName(province) === undefined) return problem(`a national ID (NIK) starts with a province code, and no province has code ${province}`);
  return ok(digits);
}

const REGION_CODE = /^(\d{2})(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?$/;

/**
 * A Kemendagri region code: province, regency, district and village, the coarser levels alone allowed.
 * @example checkRegionCode('32.73.01.1001') // Kelurahan in Kota Bandung, Jawa Barat
 */
export function checkRegionCode(raw: string): FieldCheck {
  const code = raw.trim();
  const match = REGION_CODE.exec(code);
  if (match?.[1] === undefined) {
    return problem(`expected a region code PP, PP.RR, PP.RR.DD or PP.RR.DD.VVVV (province.regency.district.village) like 32.73.01.1001, got ${quote(raw)}`);
  }
  if (provinceName(match[1]) === undefined) return problem(`no province has code ${match[1]} (region code ${quote(raw)}); e.g. 32 is Jawa Barat, 31 DKI Jakarta`);
  return ok(code);
}

/**
 * A phone number (SMS or WhatsApp) in E.164. Indonesian numbers may be written +62…, 62… or 08…; spaces, dashes and
 * parentheses are dropped. Indonesian numbers must be mobile (+628…): landlines receive neither SMS nor WhatsApp.
 * @example checkPhone('0812-3456-7890') // { ok: true, value: '+6281234567890' }
 */
export function checkPhone(raw: string): FieldCheck {
  const compact = raw.replace(/[\s\-()]/g, '');
  const e164 = compact.startsWith('+') ? compact : compact.startsWith('62') ? `+${compact}` : compact.startsWith('0') ? `+62${compact.slice(1)}` : null;
  if (e164 === null || !/^\+[1-9]\d{7,14}$/.test(e164)) return problem(`expected E.164 like +6281234567890, got ${quote(raw)}`);
  if (e164.startsWith('+62') && !e164.startsWith('+628')) return problem(`expected an Indonesian mobile number (+628… or 08…) like +6281234567890, got ${quote(raw)}`);
  return ok(e164);
}

/**
 * An e-mail address, checked pragmatically (the mail server has the last word); the domain is lower-cased, the
 * local part kept as written because servers may treat its case as significant.
 * @example checkEmail('Siti@Example.COM') // { ok: true, value: 'Siti@example.com' }
 */
export function checkEmail(raw: string): FieldCheck {
  const address = raw.trim();
  const parts = address.split('@');
  const [local, domain] = parts;
  const valid =
    parts.length === 2 &&
    local !== undefined &&
    domain !== undefined &&
    local !== '' &&
    address.length <= 254 &&
    !/\s/.test(address) &&
    domain.includes('.') &&
    domain.split('.').every((label) => label !== '');
  if (!valid) return problem(`expected an e-mail address like nama@example.go.id, got ${quote(raw)}`);
  return ok(`${local}@${domain.toLowerCase()}`);
}

const TIMEZONE_BY_NAME: ReadonlyMap<string, CitizenTimezone> = new Map(
  Object.entries(CITIZEN_TIMEZONES).flatMap(([label, iana]) => [
    [label.toLowerCase(), label as CitizenTimezone],
    [iana.toLowerCase(), label as CitizenTimezone],
  ]),
);

/**
 * WIB, WITA or WIT, also given as the IANA zone; either way, in any case.
 * @example checkTimezone('Asia/Makassar') // { ok: true, value: 'WITA' }
 */
export function checkTimezone(raw: string): FieldCheck<CitizenTimezone> {
  const label = TIMEZONE_BY_NAME.get(raw.trim().toLowerCase());
  if (label === undefined) return problem(`expected WIB, WITA or WIT (or Asia/Jakarta, Asia/Makassar, Asia/Jayapura), got ${quote(raw)}`);
  return ok(label);
}

/**
 * The citizen's language, id or en; Indonesian when not given.
 * @example checkLanguage('') // { ok: true, value: 'id' }
 */
export function checkLanguage(raw: string): FieldCheck<Locale> {
  const language = raw.trim().toLowerCase();
  if (language === '') return ok('id');
  if (!isLocale(language)) return problem(`expected id or en, got ${quote(raw)}`);
  return ok(language);
}

// FCM registration tokens are opaque, but in practice 140–200 URL-safe characters with a colon after the instance
// ID; the wider bounds tolerate format changes while still catching a truncated paste or a stray value.
const FCM_TOKEN = /^[A-Za-z0-9_:-]{100,4096}$/;

/**
 * A Firebase Cloud Messaging registration token. Messages give only its length: a token addresses a device.
 * @example checkFcmToken('short') // { ok: false, message: 'expected an FCM registration token … got 5 characters' }
 */
export function checkFcmToken(raw: string): FieldCheck {
  const token = raw.trim();
  if (!FCM_TOKEN.test(token)) {
    const got = token === '' ? 'nothing' : `${token.length} characters${/^[A-Za-z0-9_:-]*$/.test(token) ? '' : ', some of them not allowed'}`;
    return problem(`expected an FCM registration token of 100–4096 letters, digits, "_", ":" or "-", got ${got}`);
  }
  return ok(token);
}

const NAME_MAX = 200;

/**
 * The citizen's name as written, trimmed; at most 200 characters.
 * @example checkName('  Siti Rahmawati ') // { ok: true, value: 'Siti Rahmawati' }
 */
export function checkName(raw: string): FieldCheck {
  const name = raw.trim();
  if (name === '') return problem('expected a name, got nothing');
  // Code points, as PostgreSQL counts varchar length; UTF-16 units would count some characters twice.
  const length = Array.from(name).length;
  if (length > NAME_MAX) return problem(`expected a name of at most ${NAME_MAX} characters, got ${length}`);
  // A line break or control character would break an SMS or an e-mail header the name is rendered into.
  if (/\p{Cc}/u.test(name)) return problem('expected a name on one line, without control characters');
  return ok(name);
}
