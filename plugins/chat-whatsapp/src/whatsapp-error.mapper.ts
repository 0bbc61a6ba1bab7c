import { PluginError, PluginErrorCode } from '@kabar/plugin-sdk';

import type { GraphExchange } from './whatsapp-cloud.client.js';

/** The parts of a Graph API error (`{ "error": { message, type, code, error_subcode, error_data, fbtrace_id } }`) that decide the outcome. */
export interface GraphError {
  readonly code?: number;
  readonly subcode?: number;
  /** Meta's title, e.g. `Message Undeliverable.`, without the `(#131026)` prefix Meta puts in `message`. */
  readonly title?: string;
  /** `error_data.details`: Meta's longer explanation, which (with `code`) is what Meta says to act on. */
  readonly details?: string;
  /** Quoted in the message: Meta's support asks for it. */
  readonly fbtraceId?: string;
}

/** What the message concerned, for the hints; the recipient is removed from anything Meta echoes. */
export interface ErrorContext {
  readonly recipient?: string;
  readonly eventType?: string;
}

// https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes. Codes 100 (and its subcode 33), the
// 200–299 permission range and the 132xxx template errors are decided in codeForGraphError.
const BY_CODE: Readonly<Record<number, PluginErrorCode>> = {
  // Message Undeliverable: not a WhatsApp account, terms not accepted, an app too old, or the business is blocked.
  131026: PluginErrorCode.InvalidRecipient,
  // A test number may only write to the numbers on its allowed list.
  131030: PluginErrorCode.InvalidRecipient,
  // Re-engagement: outside the 24-hour window; the same text fails the same way until a template is mapped.
  131047: PluginErrorCode.Rejected,
  130429: PluginErrorCode.RateLimited,
  131056: PluginErrorCode.RateLimited,
  80007: PluginErrorCode.RateLimited,
  4: PluginErrorCode.RateLimited,
  0: PluginErrorCode.Unauthorized,
  10: PluginErrorCode.Unauthorized,
  190: PluginErrorCode.Unauthorized,
  131005: PluginErrorCode.Unauthorized,
  // The business account is locked: a person must sort it out with Meta before anything can be sent.
  131031: PluginErrorCode.Unauthorized,
  1: PluginErrorCode.ProviderError,
  2: PluginErrorCode.ProviderError,
  131000: PluginErrorCode.ProviderError,
  131016: PluginErrorCode.ProviderError,
  // Maintenance mode (e.g. a throughput upgrade): it ends on its own.
  131057: PluginErrorCode.ProviderError,
};

// Code 100's details when the parameter at fault is not named: Meta gives these for a number it cannot use.
const GENERIC_DETAILS = /^(?:invalid parameter|parameter invalid)\.?$/i;
// `Param to …`, or the number in words; a bare "to" is too common in Meta's sentences to mean the parameter.
const NAMES_RECIPIENT = /\bparam(?:eter)?\s+['"]?to\b(?!\[)|phone number|recipient/i;
const MAX_QUOTE = 300;

/**
 * The hub's view of an exchange that did not give a message id (or, for check(), a phone number): Meta's error code
 * decides, then the HTTP status. The text names the status and Meta's code and quotes Meta, never the recipient.
 * @example toPluginError(exchange, 'graph.facebook.com', { recipient: '+6281234567890' }) // INVALID_RECIPIENT 'WhatsApp HTTP 400 #131026: Message Undeliverable. …'
 */
export function toPluginError(exchange: GraphExchange, host: string, context: ErrorContext = {}): PluginError {
  switch (exchange.kind) {
    case 'timeout':
      return new PluginError(PluginErrorCode.Timeout, `no answer from ${host} within ${exchange.timeoutMs} ms`);
    case 'unreachable': {
      const details = exchange.code === undefined ? {} : { code: exchange.code };
      if (exchange.code === 'ETIMEDOUT') return new PluginError(PluginErrorCode.Timeout, `${host} timed out: ${exchange.reason}`, details);
      // Refused, reset, unresolvable, or a certificate we do not trust: Meta may or may not have seen the message.
      return new PluginError(PluginErrorCode.ConnectionFailed, `connection to ${host} failed: ${exchange.reason}`, details);
    }
    case 'answer':
      return answerError(exchange, host, context);
  }
}

/**
 * The error a failed message's status webhook reports (`statuses[].errors[0]`), where there is no HTTP status.
 * @example graphErrorToPluginError({ code: 131047, title: 'Re-engagement message' }, { eventType: 'tax.due' }) // REJECTED
 */
export function graphErrorToPluginError(error: GraphError, context: ErrorContext = {}): PluginError {
  // An asynchronous failure Meta does not explain is not retried: the message may have reached the phone after all.
  const code = codeForGraphError(error) ?? PluginErrorCode.Rejected;
  return new PluginError(code, describe('WhatsApp', error, code, context), detailsOf(error));
}

/**
 * Reads the Graph API error object out of an answer's JSON (`{ error: {…} }`), if it is one.
 * @example graphErrorOf({ error: { message: '(#131026) Message Undeliverable.', code: 131026 } }) // { code: 131026, title: 'Message Undeliverable.' }
 */
export function graphErrorOf(json: unknown): GraphError | undefined {
  const error = isRecord(json) && isRecord(json.error) ? json.error : undefined;
  if (error === undefined || (typeof error.code !== 'number' && typeof error.message !== 'string')) return undefined;
  return readGraphError(error);
}

/** The fields of one error object, in the shape shared by answers and webhooks (`title` or `message`). */
export function readGraphError(error: Readonly<Record<string, unknown>>): GraphError {
  const raw = typeof error.message === 'string' ? error.message : typeof error.title === 'string' ? error.title : undefined;
  const details = isRecord(error.error_data) ? error.error_data.details : undefined;
  return {
    ...(typeof error.code === 'number' ? { code: error.code } : {}),
    ...(typeof error.error_subcode === 'number' ? { subcode: error.error_subcode } : {}),
    ...(raw === undefined ? {} : { title: raw.replace(/^\(#\d+\)\s*/, '') }),
    ...(typeof details === 'string' && details !== '' ? { details } : {}),
    ...(typeof error.fbtrace_id === 'string' ? { fbtraceId: error.fbtrace_id } : {}),
  };
}

function answerError(answer: Extract<GraphExchange, { kind: 'answer' }>, host: string, context: ErrorContext): PluginError {
  const { status, json, retryAfter } = answer;
  const error = graphErrorOf(json);
  if (error === undefined) {
    // A proxy, captive portal or gateway answered, or Meta said "OK" without what we asked for.
    const code = status >= 200 && status < 300 ? PluginErrorCode.ProviderError : codeForHttpStatus(status);
    const what = json === undefined ? 'a body that is not JSON' : 'JSON that is not a Cloud API answer';
    return new PluginError(code, `${host} answered HTTP ${status} with ${what}${retryAfterNote(code, retryAfter)}`, { httpStatus: status });
  }
  const code = codeForGraphError(error) ?? codeForHttpStatus(status);
  return new PluginError(code, describe(`WhatsApp HTTP ${status}`, error, code, context, retryAfterNote(code, retryAfter)), { httpStatus: status, ...detailsOf(error) });
}

function codeForGraphError(error: GraphError): PluginErrorCode | undefined {
  const { code } = error;
  if (code === undefined) return undefined;
  if (code === 100) {
    // Subcode 33: the phone number id does not exist, or the token may not use it (a configuration problem).
    if (error.subcode === 33) return PluginErrorCode.Unauthorized;
    // "Invalid parameter" names the parameter only sometimes; one it names that is not the number (a template
    // parameter, say) must not mark the citizen's number invalid.
    const details = error.details ?? '';
    return details === '' || GENERIC_DETAILS.test(details) || NAMES_RECIPIENT.test(details) ? PluginErrorCode.InvalidRecipient : PluginErrorCode.Rejected;
  }
  if (code >= 200 && code <= 299) return PluginErrorCode.Unauthorized;
  if (code >= 132000 && code <= 132999) return PluginErrorCode.Rejected;
  return BY_CODE[code];
}

function codeForHttpStatus(status: number): PluginErrorCode {
  if (status === 401 || status === 403) return PluginErrorCode.Unauthorized;
  if (status === 429) return PluginErrorCode.RateLimited;
  if (status === 408) return PluginErrorCode.Timeout;
  if (status >= 500) return PluginErrorCode.ProviderError;
  return PluginErrorCode.Rejected;
}

function describe(label: string, error: GraphError, code: PluginErrorCode, context: ErrorContext, note = ''): string {
  const clean = (text: string | undefined): string | undefined => (text === undefined ? undefined : redact(text, context.recipient).replace(/\.\s*$/, ''));
  const named = error.code === undefined ? label : `${label} #${error.code}${error.subcode === undefined ? '' : `/${error.subcode}`}`;
  const details = clean(error.details);
  // Meta's details often repeat the title, or start with it.
  const given = clean(error.title);
  const title = given !== undefined && details?.startsWith(given) === true ? undefined : given;
  const sentences = [title, details, hintFor(error, code, context)].filter((s): s is string => s !== undefined && s !== '');
  const trace = error.fbtraceId === undefined ? '' : ` [fbtrace_id ${error.fbtraceId}]`;
  return `${named}: ${sentences.length === 0 ? 'no explanation' : `${sentences.join('. ')}.`}${note}${trace}`;
}

function hintFor(error: GraphError, code: PluginErrorCode, context: ErrorContext): string | undefined {
  const eventType = context.eventType === undefined ? 'the event type' : `event type "${context.eventType}"`;
  if (error.code === 131047) {
    return `Outside the 24-hour customer-service window WhatsApp delivers only approved templates: map ${eventType} to one in the plugin's "templates" setting`;
  }
  if (error.code === 131030) return 'The number is not on the test number\'s list of allowed recipients';
  if (error.code === 100 && error.subcode === 33) return 'Check phoneNumberId, and that the access token may send from that number';
  if (error.code === 190) return 'The access token is invalid or has expired: issue a new one';
  if (error.code !== undefined && error.code >= 132000 && error.code <= 132999) return `Check the template mapped to ${eventType} in WhatsApp Manager`;
  if (code !== PluginErrorCode.InvalidRecipient) return undefined;
  return error.code === 100 ? "WhatsApp does not accept the recipient's number" : 'The number cannot receive WhatsApp messages';
}

function detailsOf(error: GraphError): Record<string, unknown> {
  return {
    ...(error.code === undefined ? {} : { graphCode: error.code }),
    ...(error.subcode === undefined ? {} : { graphSubcode: error.subcode }),
    ...(error.fbtraceId === undefined ? {} : { fbtraceId: error.fbtraceId }),
  };
}

function retryAfterNote(code: PluginErrorCode, retryAfter: string | undefined): string {
  const passes = code === PluginErrorCode.RateLimited || code === PluginErrorCode.ProviderError;
  return passes && retryAfter !== undefined ? ` (Retry-After: ${retryAfter})` : '';
}

/** Meta's texts sometimes quote the number; a citizen's number must never reach logs or the console. */
function redact(text: string, recipient: string | undefined): string {
  const digits = recipient?.replace(/^\+/, '') ?? '';
  const clean = digits === '' ? text : text.replaceAll(`+${digits}`, '<recipient>').replaceAll(digits, '<recipient>');
  return clean.slice(0, MAX_QUOTE);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
