import { listUnsubscribeHeaders, MESSAGE_CLASSES, messageIdFor } from '@kabar/plugin-email-smtp';
import { anOutboundMessage } from '@kabar/plugin-sdk/conformance';
import { describe, expect, it } from 'vitest';

const https = 'https://kabar.go.id/berhenti/{notificationId}?instansi={agencyCode}&jenis={eventType}';
const message = (messageClass?: string) =>
  anOutboundMessage({
    channel: 'email',
    notificationId: 'n-1',
    agencyCode: 'BAPENDA BDG',
    eventType: 'tax.reminder',
    metadata: messageClass === undefined ? {} : { messageClass },
  });

describe('List-Unsubscribe by message class', () => {
  it.each([
    ['reminder', true],
    ['informational', true],
    ['critical', false],
    ['transactional', false],
    ['marketing', false],
    [undefined, false],
  ])('class %s gets List-Unsubscribe: %s', (messageClass, offered) => {
    const headers = listUnsubscribeHeaders(https, message(messageClass));
    expect(headers).toEqual(
      offered
        ? { 'List-Unsubscribe': '<https://kabar.go.id/berhenti/n-1?instansi=BAPENDA%20BDG&jenis=tax.reminder>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
        : {},
    );
  });

  it('covers every class the hub may send', () => {
    expect(MESSAGE_CLASSES).toEqual(['critical', 'transactional', 'reminder', 'informational']);
  });

  it('offers one-click only for https, as RFC 8058 requires', () => {
    expect(listUnsubscribeHeaders('mailto:berhenti@kabar.go.id?subject={notificationId}', message('reminder'))).toEqual({
      'List-Unsubscribe': '<mailto:berhenti@kabar.go.id?subject=n-1>',
    });
  });

  it('sends nothing when no template is configured', () => {
    expect(listUnsubscribeHeaders(undefined, message('reminder'))).toEqual({});
  });
});

describe('Message-ID', () => {
  it('is the percent-encoded idempotency key at the From domain, the same on every retry', () => {
    expect(messageIdFor('7f3c-a1:1', 'Bapenda Kota Bandung <noreply@Bapenda.Bandung.go.id>')).toBe('<7f3c-a1%3A1@bapenda.bandung.go.id>');
    expect(messageIdFor('kunci é.1', 'noreply@kabar.go.id')).toBe('<kunci%20%C3%A9%2E1@kabar.go.id>');
    expect(messageIdFor('k', 'noreply@kabar.go.id')).toBe(messageIdFor('k', 'noreply@kabar.go.id'));
  });
});
