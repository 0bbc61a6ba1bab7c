import { CloudEventError } from './cloud-event.exception.js';
import { CloudEventErrorCode } from './cloud-event-error-code.enum.js';

/**
 * Decodes a `ce-*` HTTP header value as the HTTP binding requires (percent-encoded UTF-8), refusing broken sequences.
 * @example decodeHeaderValue('ce-subject', 'Jl.%20Merdeka%20%E2%84%96%201') // 'Jl. Merdeka № 1'
 */
export function decodeHeaderValue(header: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    const attribute = header.slice('ce-'.length);
    throw new CloudEventError(
      CloudEventErrorCode.InvalidAttribute,
      `attribute "${attribute}" (header "${header}") has invalid percent-encoding: encode "%" as "%25" and non-ASCII as UTF-8 %XX sequences`,
      { attribute, header },
    );
  }
}
