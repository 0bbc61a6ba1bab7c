/** A parsed media type (RFC 2045/7231): lowercased `type/subtype` and its parameters (names lowercased). */
export interface MediaType {
  readonly essence: string;
  readonly subtype: string;
  readonly parameters: ReadonlyMap<string, string>;
}

export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json';
export const BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json';
/** Every CloudEvents envelope media type starts with this; what follows names the event format. */
export const CLOUDEVENTS_MEDIA_PREFIX = 'application/cloudevents';

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const ESSENCE = new RegExp(`^(${TOKEN})/(${TOKEN})$`);
const PARAMETER = new RegExp(`^(${TOKEN})=(?:(${TOKEN})|"((?:[^"\\\\]|\\\\.)*)")$`);

/**
 * Parses a Content-Type value, or returns undefined when it is not a media type.
 * @example parseMediaType('application/json; charset=utf-8')?.essence // 'application/json'
 */
export function parseMediaType(value: string): MediaType | undefined {
  const [head = '', ...rest] = value.split(';');
  const match = ESSENCE.exec(head.trim());
  if (match === null) return undefined;
  const parameters = new Map<string, string>();
  for (const part of rest) {
    const trimmed = part.trim();
    // A trailing ";" is common in the wild and harmless.
    if (trimmed === '') continue;
    const param = PARAMETER.exec(trimmed);
    if (param === null) return undefined;
    const [, name = '', token, quoted] = param;
    parameters.set(name.toLowerCase(), token ?? (quoted ?? '').replace(/\\(.)/g, '$1'));
  }
  return { essence: head.trim().toLowerCase(), subtype: (match[2] ?? '').toLowerCase(), parameters };
}

/**
 * True for `application/json` and any `+json` type, which is what CloudEvents treats as JSON data.
 * @example isJsonMediaType(parseMediaType('application/vnd.kabar+json')) // true
 */
export function isJsonMediaType(type: MediaType | undefined): boolean {
  return type !== undefined && (type.essence === 'application/json' || type.subtype.endsWith('+json'));
}

/**
 * JSON is UTF-8 (RFC 8259); a charset parameter naming anything else cannot be honoured.
 * @example hasUtf8Charset(parseMediaType('application/json; charset=UTF-8')) // true
 */
export function hasUtf8Charset(type: MediaType | undefined): boolean {
  const charset = type?.parameters.get('charset')?.toLowerCase();
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}
