import 'reflect-metadata';

import { readFile } from 'node:fs/promises';

import { AgencyService } from '@kabar/hub';
import { eventually } from '@kabar/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { type AgencyFixture, anAgency, as, TAX_SCHEMA, typeOf } from './support/agency-fixture.js';
import { launchChromium, openPage, sessionOf } from './support/browser.js';
import { aCitizenRow, type Call, caller, importCitizens, signInByEmail, SmtpInbox } from './support/citizen-fixture.js';
import { type FullHub, startFullHub } from './support/full-hub.js';

const ME = '{ me { language digest quietHours { start end } channelOrder { category channels } caps { messageClass count periodSeconds } contactPoints { channel verified } consents { current { purpose granted noticeVersion } } } }';

// The citizen preference centre, as a citizen uses it: the built web UI that the hub serves at /, driven in Chromium,
// against a hub on real PostgreSQL and Kafka, with sign-in codes mailed through the email-smtp plugin to a real SMTP
// server. What the page shows is checked on the page; what it changed is checked through GraphQL.
describe('the preference centre in Chromium', () => {
  const services = inject('services');
  let hub: FullHub;
  let mail: SmtpInbox;
  let browser: Browser;
  let agency: AgencyFixture & { admin: string };
  const citizen = aCitizenRow().withEmail('rina.web@example.com').build();

  beforeAll(async () => {
    mail = await SmtpInbox.start();
    hub = await startFullHub(services, (config) => config.with({ plugins: mail.pluginConfig }));
    const admin = caller(hub.url, await hub.app.get(AgencyService).createAdmin('web test admin', { kind: 'system', id: 'test' }));
    agency = await anAgency(hub.app, hub.url, 'bapenda-web', { ratePerMinute: 1000 });
    // A second type, sent only with consent: the preference centre lists its purpose.
    const registered = await as(hub.url, agency.key, 'mutation($input: RegisterEventTypeInput!) { registerEventType(input: $input) { id } }', {
      input: {
        type: typeOf(agency.code).replace('tax-due', 'tax-tips'),
        description: 'Tips pajak daerah',
        messageClass: 'informational',
        dataSchema: TAX_SCHEMA,
        allowedChannels: ['inbox'],
        basis: 'consent',
        purpose: 'tax-tips',
      },
    });
    if (registered.errors !== undefined) throw new Error(JSON.stringify(registered.errors));
    await importCitizens(admin, [citizen]);
    // The citizen has e-mail only and the type allows SMS and the inbox: it lands in the inbox.
    const published = await as(hub.url, agency.key, 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', {
      e: { specversion: '1.0', id: 'web-1', source: agency.source, type: typeOf(agency.code), subject: citizen.nationalId, data: { amount: 750000, dueDate: '2026-12-31' } },
    });
    if (published.errors !== undefined) throw new Error(JSON.stringify(published.errors));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser.close();
    await hub.close();
    await mail.close();
  });

  it('signs a citizen in by an e-mailed code, then reads, sets and exports everything in it', async () => {
    const { page, problems } = await openPage(browser, hub.url);
    const response = await page.goto(`${hub.url}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Pusat Preferensi Kabar');

    // Sign-in: ask for a code, try a wrong one (an error, in words), then the mailed one.
    await page.getByLabel('Alamat atau nomor').fill(citizen.email ?? '');
    await page.getByRole('button', { name: 'Kirim kode' }).click();
    await page.getByRole('status').filter({ hasText: 'Jika alamat ini terdaftar' }).waitFor();
    const code = await eventually(() => Promise.resolve(mail.to(citizen.email ?? '').length > 0 ? mail.lastCode(citizen.email ?? '') : undefined));
    const wrong = `${String((Number(code[0]) + 1) % 10)}${code.slice(1)}`;
    await page.getByLabel('Kode').fill(wrong);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Kode salah, kedaluwarsa, atau sudah dipakai.');
    await page.getByLabel('Kode').fill(code);
    await page.getByRole('button', { name: 'Masuk' }).click();

    // The inbox: the agency's message, unread, in the citizen's language; opening it marks it read on the hub.
    const message = page.locator('li.message').filter({ hasText: 'Pajak jatuh tempo' });
    await message.waitFor();
    expect(await page.getByTestId('unread').textContent()).toBe('1');
    await message.locator('summary').click();
    await expect.poll(() => message.locator('p.body').textContent()).toBe('Pajak Anda Rp750.000 jatuh tempo 31 Desember 2026.');
    await expect.poll(() => page.getByTestId('unread').textContent()).toBe('0');
    const token = await sessionOf(page);
    expect(token).toMatch(/^cit_/);
    const asCitizen: Call = caller(hub.url, token);
    const inbox = await asCitizen<{ myInbox: { unread: number } }>('{ myInbox { unread } }');
    expect(inbox.data?.myInbox.unread).toBe(0);

    // The page in English, then the preferences: own quiet hours, the digest, and English for messages too.
    await page.getByLabel('Bahasa', { exact: true }).selectOption('en');
    await page.getByRole('button', { name: 'Preferences' }).click();
    await page.getByLabel('My own').check();
    await page.getByLabel('From').fill('22:00');
    await page.getByLabel('Until').fill('05:30');
    await page.getByLabel('Gather informational messages').check();
    await page.getByLabel('English', { exact: true }).check();
    await page.getByRole('button', { name: 'Set an order for any other category' }).click();
    await page.getByRole('button', { name: 'Move up sms' }).click();
    // A limit that is not a number is named by the page; a number the hub refuses, by the hub. Nothing changes.
    await page.getByLabel('reminder', { exact: true }).fill('dua');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Please check your input: reminder: enter a whole number, or leave it empty');
    await page.getByLabel('reminder', { exact: true }).fill('0');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Please check your input: caps[0].count: expected a positive whole number, got 0');
    expect((await asCitizen<{ me: { language: string } }>(ME)).data?.me.language).toBe('id');
    await page.getByLabel('reminder', { exact: true }).fill('2');
    await page.getByRole('combobox', { name: 'reminder: per day / per week' }).selectOption({ label: 'per week' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const afterSave = await asCitizen<{ me: { language: string; digest: boolean; quietHours: unknown; channelOrder: unknown; caps: unknown } }>(ME);
    expect(afterSave.data?.me).toMatchObject({
      language: 'en',
      digest: true,
      quietHours: { start: '22:00', end: '05:30' },
      channelOrder: [{ category: '*', channels: ['inbox', 'email', 'sms', 'whatsapp', 'push'] }],
      caps: [{ messageClass: 'reminder', count: 2, periodSeconds: 604_800 }],
    });

    // A second e-mail address, confirmed with the code mailed to it (double opt-in).
    await page.getByRole('button', { name: 'Contact points' }).click();
    await page.getByLabel('Address or number').fill('rina.kantor@example.com');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Enter the code we sent' }).waitFor();
    const added = page.locator('li.contact').filter({ hasText: 'not verified' });
    await added.getByLabel('Code').fill(mail.lastCode('rina.kantor@example.com'));
    await added.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.locator('li.contact').filter({ hasText: 'verified' }).filter({ hasNotText: 'not verified' }).count()).toBe(2);
    await expect.poll(() => page.locator('li.contact').first().textContent()).not.toContain('rina.web@example.com');

    // Consent for the purpose the agency asks it for, under the notice version in force.
    await page.getByRole('button', { name: 'Consents' }).click();
    const purpose = page.locator('li.consent[data-purpose="tax-tips"]');
    await expect.poll(() => purpose.textContent()).toContain(`Used by: Agency ${agency.code}`);
    expect(await purpose.textContent()).toContain('never given');
    await purpose.getByRole('button', { name: 'Consent', exact: true }).click();
    await expect.poll(() => purpose.locator('.state').textContent()).toBe('granted');
    const me = await asCitizen<{ me: { contactPoints: { channel: string; verified: boolean }[]; consents: { current: unknown[] } } }>(ME);
    expect(me.data?.me.contactPoints).toEqual([
      { channel: 'email', verified: true },
      { channel: 'email', verified: true },
    ]);
    expect(me.data?.me.consents.current).toEqual([{ purpose: 'tax-tips', granted: true, noticeVersion: '1' }]);

    // The history with the policy's reasons, and the export as a file.
    await page.getByRole('button', { name: 'History' }).click();
    const item = page.locator('li.notification').filter({ hasText: 'Pajak jatuh tempo' });
    await expect.poll(() => item.locator('.state').textContent()).toBe('delivered');
    expect(await item.locator('.trail li').count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'My data' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download my data (JSON)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^kabar-data-\d{4}-\d{2}-\d{2}\.json$/);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8')) as { profile: { nationalId: string }; contactPoints: { address: string }[]; inbox: unknown[] };
    expect(exported.profile.nationalId).toBe(citizen.nationalId);
    expect(exported.contactPoints.map((p) => p.address).sort()).toEqual(['rina.kantor@example.com', 'rina.web@example.com']);
    expect(exported.inbox).toHaveLength(1);

    // Signing out ends the session on the hub, not only in the tab.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await sessionOf(page)).toBe('');
    const refused = await asCitizen('{ me { id } }');
    expect(refused.errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
    expect(problems).toEqual([]);
  });

  it('shows invalid input in words and keeps the form, and sends a stale session back to sign-in', async () => {
    const { page, problems } = await openPage(browser, hub.url);
    await page.goto(`${hub.url}/`);
    await page.getByLabel('Alamat atau nomor').fill('bukan-alamat');
    await page.getByRole('button', { name: 'Kirim kode' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^Periksa isian Anda: /);
    expect(await page.getByLabel('Alamat atau nomor').inputValue()).toBe('bukan-alamat');

    // A token the hub does not know (expired, signed out elsewhere): the first call returns the page to sign-in.
    await page.evaluate(() => sessionStorage.setItem('kabar.session', 'cit_unknown'));
    await page.reload();
    await page.getByRole('heading', { name: 'Masuk' }).waitFor();
    expect(await sessionOf(page)).toBe('');

    // A sign-in link (#token=, as the embedded demo hands out) is taken off the URL and refused by a full hub.
    const valid = await signInByEmail(hub.url, mail, citizen.email ?? '');
    const linked = await openPage(browser, hub.url);
    await linked.page.goto(`${hub.url}/#token=${valid}`);
    await expect.poll(() => linked.page.getByRole('alert').textContent()).toBe('Tautan masuk hanya berlaku di hub demo. Silakan masuk dengan kode.');
    expect(linked.page.url()).toBe(`${hub.url}/`);
    expect(await sessionOf(linked.page)).toBe('');
    expect(linked.problems).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('pages through a long history, and adds and removes a delegate', async () => {
    const budi = aCitizenRow().withEmail('budi.web@example.com').inEnglish().build();
    const admin = caller(hub.url, agency.admin);
    await importCitizens(admin, [budi]);
    const events = Array.from({ length: 21 }, (_, i) => ({
      specversion: '1.0',
      id: `web-budi-${String(i)}`,
      source: agency.source,
      type: typeOf(agency.code),
      subject: budi.nationalId,
      data: { amount: 1000 + i, dueDate: '2026-12-31' },
    }));
    const published = await as(hub.url, agency.key, 'mutation($e: [CloudEventInput!]!) { publishEvents(events: $e) { status } }', { e: events });
    expect(published.errors).toBeUndefined();

    const { page, problems } = await openPage(browser, hub.url, 'en-GB');
    await page.goto(`${hub.url}/`);
    await page.getByLabel('Address or number').fill(budi.email ?? '');
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByRole('status').filter({ hasText: 'If this address is registered' }).waitFor();
    await page.getByLabel('Code').fill(mail.lastCode(budi.email ?? ''));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'History' }).waitFor();
    const asBudi = caller(hub.url, await sessionOf(page));
    await eventually(async () => ((await asBudi<{ myNotifications: unknown[] }>('{ myNotifications(limit: 50) { id } }')).data?.myNotifications.length === 21 ? true : undefined));

    // Twenty at a time, newest first; the rest on request, none twice.
    await page.getByRole('button', { name: 'History' }).click();
    await expect.poll(() => page.locator('li.notification').count()).toBe(20);
    await page.getByRole('button', { name: 'Older notifications' }).click();
    await expect.poll(() => page.locator('li.notification').count()).toBe(21);
    expect(await page.getByRole('button', { name: 'Older notifications' }).count()).toBe(0);

    // Rina (the first test's citizen) as Budi's delegate, by her national ID, then removed.
    await page.getByRole('button', { name: 'My data' }).click();
    await page.getByLabel("Delegate's national ID (NIK)").fill(citizen.nationalId);
    await page.getByLabel('Relation').selectOption('child');
    await page.getByRole('button', { name: 'Add a delegate' }).click();
    const delegate = page.locator('li.delegate');
    await expect.poll(() => delegate.textContent()).toContain(`acts for me: ************${citizen.nationalId.slice(-4)} (child)`);
    const delegates = await asBudi<{ me: { delegates: { relation: string; direction: string }[] } }>('{ me { delegates { relation direction } } }');
    expect(delegates.data?.me.delegates).toEqual([{ relation: 'child', direction: 'ACTS_FOR_ME' }]);
    await delegate.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => delegate.count()).toBe(0);
    expect((await asBudi<{ me: { delegates: unknown[] } }>('{ me { delegates { id } } }')).data?.me.delegates).toEqual([]);
    expect(problems).toEqual([]);
  });
});
