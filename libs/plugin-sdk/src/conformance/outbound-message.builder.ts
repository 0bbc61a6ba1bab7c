import { randomUUID } from 'node:crypto';

import type { OutboundMessage } from '../outbound-message.type.js';

/**
 * A realistic outbound message with fresh ids; override what a test is about.
 * @example const message = anOutboundMessage({ channel: 'webhook', to: 'https://hooks.example.org/kabar' })
 */
export function anOutboundMessage(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  const notificationId = randomUUID();
  return {
    notificationId,
    idempotencyKey: `${notificationId}:1`,
    channel: 'sms',
    to: '+6281234567890',
    locale: 'id-ID',
    subject: 'Dokumen siap diambil',
    body: 'Yth. Budi Santoso, KTP-el Anda sudah dapat diambil di kantor Disdukcapil.',
    agencyCode: 'DUKCAPIL',
    eventType: 'document.ready',
    eventId: randomUUID(),
    metadata: { office: 'jakarta-selatan' },
    ...overrides,
  };
}
