import 'reflect-metadata';

import { createHub } from '@kabar/hub';
import { aConfig, eventually } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { simpleParser } from 'mailparser';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { aCitizen, type AgencyFixture, anAgency, as, TAX_SCHEMA, typeOf } from './support/agency-fixture.js';

// A notification chosen for e-mail goes through the email-smtp plugin to a real SMTP server, rendered in the
// citizen's language, from the agency's sender identity.
describe('e-mail route (embedded)', () => {
  const received: string[] = [];
  let smtp: SMTPServer;
  let app: INestApplication;
  let url: string;
  let agency: AgencyFixture;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push(Buffer.concat(chunks).toString('utf8'));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const { port } = smtp.server.address() as { port: number };
    const plugins = { 'email-smtp': { host: '127.0.0.1', port, from: 'Kabar <noreply@kabar.example>', starttls: 'disabled' } };
    app = await createHub(aConfig().with({ plugins }).build(), pino({ level: 'silent' }));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    agency = await anAgency(app, url, 'bapenda-bdg');
    await as(url, agency.key, 'mutation($i: RegisterEventTypeInput!) { registerEventType(input: $i) { id } }', {
      i: { type: typeOf(agency.code), messageClass: 'reminder', dataSchema: TAX_SCHEMA, allowedChannels: ['email', 'inbox'] },
    });
    await as(url, agency.key, 'mutation($i: SaveTemplateInput!) { saveTemplate(input: $i) { version } }', {
      i: {
        eventType: typeOf(agency.code),
        channel: 'email',
        locales: [
          { locale: 'id', subject: 'Pajak jatuh tempo', body: 'Pajak Rp{{formatNumber amount}}', html: '<p>Pajak Rp{{formatNumber amount}}</p>' },
          { locale: 'en', subject: 'Tax due', body: 'Tax IDR {{formatNumber amount}}', html: '<p>Tax IDR {{formatNumber amount}}</p>' },
        ],
      },
    });
    await aCitizen(app, '3273010101900021', 'en', [{ channel: 'email', value: 'dewi@example.com' }]);
  });

  afterAll(async () => {
    await app.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('sends the rendered e-mail to the citizen', async () => {
    const res = await as<{ publishEvent: { status: string } }>(url, agency.key, 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', {
      e: { specversion: '1.0', id: 'mail-1', source: agency.source, type: typeOf(agency.code), subject: '3273010101900021', data: { amount: 1250000, dueDate: '2026-12-31' } },
    });
    expect(res.data?.publishEvent.status).toBe('accepted');
    const raw = await eventually(() => Promise.resolve(received[0]));
    const mail = await simpleParser(raw);
    expect(mail.subject).toBe('Tax due');
    expect(mail.text?.trim()).toBe('Tax IDR 1,250,000');
    expect(mail.html).toContain('<p>Tax IDR 1,250,000</p>');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('dewi@example.com');
    expect(mail.headers.get('list-unsubscribe')).toBeUndefined();
  });
});
