import { parseKafkaRecord } from '@kabar/contracts';
import { describe, expect, it } from 'vitest';

import { type DeliveryStatus, statusRecord } from '../src/delivery/status-event.js';

describe('statusRecord', () => {
  it('is a structured CloudEvent that the contracts parser reads back exactly', () => {
    const status: DeliveryStatus = {
      agency: 'bapenda-bdg',
      eventId: '7f0c2b8e-0000-4000-8000-000000000001',
      source: 'https://bapenda.bandung.go.id/pbb',
      id: 'pbb-1',
      notificationId: '7f0c2b8e-0000-4000-8000-000000000002',
      state: 'delivered',
      reason: null,
      channel: 'inbox',
      at: '2026-11-23T10:00:00.000Z',
    };
    const record = statusRecord(status);
    expect(record).toMatchObject({ topic: 'kabar.status.v1', key: 'bapenda-bdg', headers: { 'kabar-agency': 'bapenda-bdg' } });
    expect(parseKafkaRecord({ key: null, value: record.value, headers: { ...record.headers } })).toEqual({
      specversion: '1.0',
      id: `${status.notificationId}.delivered`,
      source: 'urn:kabar:hub',
      type: 'id.kabar.notification.status.v1',
      subject: status.notificationId,
      time: status.at,
      datacontenttype: 'application/json',
      data: status,
      extensions: { kabaragency: 'bapenda-bdg' },
    });
  });
});
