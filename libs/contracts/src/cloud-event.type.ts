/** The only CloudEvents version Kabar speaks. */
export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/**
 * Extension values in the CloudEvents type system that JSON can carry without loss: String, Integer (32-bit) and
 * Boolean. Binary modes (HTTP/Kafka headers) carry every value as a string, so there extensions are always strings.
 */
export type CloudEventExtensionValue = string | number | boolean;

/**
 * A validated CloudEvents 1.0 event as Kabar handles it. `data` is the parsed JSON value (Kabar only accepts JSON data)
 * and is absent when the event carries none; `time` is kept exactly as sent (the offset can matter to the agency).
 */
export interface CloudEvent {
  readonly specversion: typeof CLOUDEVENTS_SPEC_VERSION;
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject?: string;
  readonly time?: string;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
  readonly data?: unknown;
  readonly extensions: Readonly<Record<string, CloudEventExtensionValue>>;
}
