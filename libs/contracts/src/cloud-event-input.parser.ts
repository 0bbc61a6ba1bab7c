import { CloudEventError } from './cloud-event.exception.js';
import { createCloudEvent } from './cloud-event.factory.js';
import type { CloudEvent } from './cloud-event.type.js';
import { CloudEventErrorCode } from './cloud-event-error-code.enum.js';
import { type CloudEventLimits, DEFAULT_LIMITS } from './cloud-event-limits.constant.js';
import { isJsonObject } from './json-value.util.js';

/** The GraphQL `CloudEventInput` as resolvers receive it; nullable fields may arrive as null. */
export interface CloudEventInput {
  readonly specversion: string;
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject?: string | null;
  /** Declare it as `String` in the schema: a DateTime scalar would lose the offset the agency sent. */
  readonly time?: string | null;
  readonly datacontenttype?: string | null;
  readonly dataschema?: string | null;
  /** The JSON scalar; null means no data, as GraphQL cannot tell "null data" from "no data" in a nullable field. */
  readonly data?: unknown;
  readonly extensions?: Readonly<Record<string, unknown>> | null;
}

/**
 * Turns a `publishEvent(s)` input into a CloudEvent, with the same rules as the HTTP and Kafka bindings.
 * @example parseCloudEventInput({ specversion: '1.0', id: 'e-1', source: '/agencies/dukcapil', type: 'id.go.dukcapil.birth.registered.v1', data: { nik } })
 */
export function parseCloudEventInput(input: CloudEventInput, limits: Partial<CloudEventLimits> = {}): CloudEvent {
  const { maxEventBytes } = { ...DEFAULT_LIMITS, ...limits };
  const extensions: unknown = input.extensions ?? {};
  // Resolvers are typed, but a JSON scalar can still smuggle in an array or a string.
  if (!isJsonObject(extensions)) {
    throw new CloudEventError(CloudEventErrorCode.InvalidAttribute, 'field "extensions" must be an object of extension name to value', { attribute: 'extensions' });
  }
  const nullable = (value: string | null | undefined): string | undefined => value ?? undefined;
  return createCloudEvent(
    {
      attributes: {
        specversion: input.specversion,
        id: input.id,
        source: input.source,
        type: input.type,
        subject: nullable(input.subject),
        time: nullable(input.time),
        datacontenttype: nullable(input.datacontenttype),
        dataschema: nullable(input.dataschema),
      },
      extensions: new Map(Object.entries(extensions).filter(([, value]) => value !== null)),
      ...(input.data === undefined || input.data === null ? {} : { data: { value: input.data } }),
    },
    { maxEventBytes },
  );
}
