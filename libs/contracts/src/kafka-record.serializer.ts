import { toStructuredJson } from './cloud-event.serializer.js';
import type { CloudEvent } from './cloud-event.type.js';
import { STRUCTURED_CONTENT_TYPE } from './media-type.util.js';

/** A record ready for a Kafka producer (kafkajs `Message` shape). */
export interface KafkaStructuredRecord {
  readonly key: string | null;
  readonly value: Buffer;
  readonly headers: { readonly 'content-type': typeof STRUCTURED_CONTENT_TYPE };
}

/**
 * A structured-mode Kafka record for an event Kabar publishes (delivery status on `kabar.status.v1`).
 * @example producer.send({ topic: 'kabar.status.v1', messages: [toKafkaStructuredRecord(status, status.subject ?? null)] })
 */
export function toKafkaStructuredRecord(event: CloudEvent, key: string | null): KafkaStructuredRecord {
  return { key, value: Buffer.from(toStructuredJson(event), 'utf8'), headers: { 'content-type': STRUCTURED_CONTENT_TYPE } };
}
