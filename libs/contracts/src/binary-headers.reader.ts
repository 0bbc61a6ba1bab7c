import { CloudEventError } from './cloud-event.exception.js';
import { isContextAttribute } from './cloud-event-attributes.constant.js';
import { CloudEventErrorCode } from './cloud-event-error-code.enum.js';

export interface BinaryAttributes {
  readonly attributes: Readonly<Record<string, string>>;
  readonly extensions: ReadonlyMap<string, string>;
}

/**
 * Reads binary-mode attributes from headers named `<prefix><attribute>` (names already lowercased, values decoded).
 * `datacontenttype` travels in `content-type`, so a prefixed one is refused rather than silently preferred.
 * @example readBinaryAttributes(new Map([['ce-id', '1']]), 'ce-').attributes.id // '1'
 */
export function readBinaryAttributes(headers: ReadonlyMap<string, string>, prefix: string): BinaryAttributes {
  const attributes: Record<string, string> = {};
  const extensions = new Map<string, string>();
  for (const [header, value] of headers) {
    if (!header.startsWith(prefix)) continue;
    const name = header.slice(prefix.length);
    if (name === 'datacontenttype') {
      throw new CloudEventError(CloudEventErrorCode.InvalidAttribute, `attribute "datacontenttype" must be sent as the "content-type" header, not "${header}"`, {
        attribute: 'datacontenttype',
        header,
      });
    }
    if (isContextAttribute(name)) attributes[name] = value;
    else extensions.set(name, value);
  }
  return { attributes, extensions };
}
