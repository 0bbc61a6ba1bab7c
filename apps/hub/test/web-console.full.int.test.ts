import 'reflect-metadata';

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { RefusedCredentials } from '@kabar/hub';
import { queryDatabase } from '@kabar/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { type SmscPeer, startSmscPeer } from '../../../plugins/sms-smpp/test/smsc-peer.fixture.js';
import { type AgencyFixture, anAgency, as } from './support/agency-fixture.js';
import { launchChromium, openPage } from './support/browser.js';
import { aNationalId } from './support/citizen-fixture.js';
import { type FullHub, startFullHub } from './support/full-hub.js';
import { packPlugin } from './support/plugin-install-fixture.js';

const ROOT = resolve(import.meta.dirname, '../../..');

// The admin console (/console), as a platform admin uses it: the built web UI in Chromium, against a hub on real
// PostgreSQL and Kafka, with the sms-smpp plugin installed from its npm tarball and checked against a real SMPP peer.
// What the page shows is checked on the page; what it changed is checked through GraphQL.
describe('the admin console in Chromium', () => {
  const services = inject('services');
  const work = mkdtempSync(join(tmpdir(), 'kabar-console-'));
  const dataDir = join(ROOT, '.kabar', `console-test-${String(process.pid)}`);
  let hub: FullHub;
  let browser: Browser;
  let agency: AgencyFixture & { admin: string };
  let smsc: SmscPeer;

  beforeAll(async () => {
    smsc = await startSmscPeer();
    hub = await startFullHub(services, (config) => config.with({ dataDir }));
    agency = await anAgency(hub.app, hub.url, 'bapenda-cons');
    const { tarball, integrity } = packPlugin(join(ROOT, 'plugins/sms-smpp'), work);
    const installed = await as(hub.url, agency.admin, 'mutation($s: String!, $i: String) { installPlugin(source: $s, integrity: $i) { id } }', { s: tarball, i: integrity });
    if (installed.errors !== undefined) throw new Error(JSON.stringify(installed.errors));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser.close();
    await hub.close();
    await smsc.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  const alertOf = (page: Page): Promise<string | null> => page.getByRole('alert').first().textContent();

  it('signs an admin in by token, creates an agency, issues and revokes its key, takes a plugin to enabled and imports citizens', async () => {
    const { page, problems } = await openPage(browser, hub.url, 'en-GB');
    const response = await page.goto(`${hub.url}/console`);
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Kabar admin console');

    // An agency's key is not an admin token; an unknown admin token is refused by the hub.
    await page.getByLabel('Admin token').fill(agency.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => alertOf(page)).toBe('Admin token: adm_…');
    await page.getByLabel('Admin token').fill(`adm_AAAAAAAAAAAA.${'A'.repeat(43)}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => alertOf(page)).toMatch(/^INVALID_CREDENTIALS: /);
    await page.getByLabel('Admin token').fill(agency.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator(`li.agency[data-code="${agency.code}"]`).waitFor();

    // A new agency: the hub's check of the code is shown, then the corrected form goes through.
    await page.getByLabel('Code').fill('Dinkes Bandung');
    await page.getByLabel('Name', { exact: true }).fill('Dinas Kesehatan Kota Bandung');
    await page.getByLabel('CloudEvents sources').fill('/id/go/bandung/dinkes');
    await page.getByLabel('SMS sender ID').fill('DINKES-BDG');
    await page.getByLabel('Rate per minute').fill('enam ratus');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => alertOf(page)).toBe('AGENCY_INVALID_INPUT: ratePerMinute must be a whole number');
    await page.getByLabel('Rate per minute').fill('600');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => alertOf(page)).toBe('AGENCY_INVALID_INPUT: code must be 2-64 lowercase letters, digits or dashes');
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Dinas Kesehatan Kota Bandung');
    await page.getByLabel('Code').fill('dinkes-bdg');
    await page.getByRole('button', { name: 'Create' }).click();
    const created = page.locator('li.agency[data-code="dinkes-bdg"]');
    // Should the hub refuse it, the failure names the hub's words rather than a missing list item.
    await page
      .getByRole('status')
      .filter({ hasText: 'Created.' })
      .waitFor({ timeout: 5_000 })
      .catch(async () => {
        throw new Error(`no agency created: ${String(await alertOf(page))}`);
      });
    await created.waitFor();
    const agencies = await as<{ agencies: { code: string; senderIds: { sms: string | null }; ratePerMinute: number; sources: string[] }[] }>(
      hub.url,
      agency.admin,
      '{ agencies { code senderIds { sms } ratePerMinute sources } }',
    );
    expect(agencies.data?.agencies.find((a) => a.code === 'dinkes-bdg')).toEqual({ code: 'dinkes-bdg', senderIds: { sms: 'DINKES-BDG' }, ratePerMinute: 600, sources: ['/id/go/bandung/dinkes'] });
    await expect.poll(() => created.locator('p').textContent()).toContain('600/min · 250000/day · answer within 72 hours (WIB)');

    // Edited as shown: the hub's refusal of an answer target of 0 hours is shown in the form, the fixed one is saved.
    await created.getByRole('button', { name: 'Edit' }).click();
    const edit = created.locator('form.edit');
    expect(await edit.getByLabel('SMS sender ID').inputValue()).toBe('DINKES-BDG');
    expect(await edit.getByLabel('CloudEvents sources').inputValue()).toBe('/id/go/bandung/dinkes');
    await edit.getByLabel('SMS sender ID').fill('DINKES-KOTA');
    await edit.getByLabel('Answer within', { exact: true }).fill('0');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => edit.getByRole('alert').textContent()).toBe('AGENCY_INVALID_INPUT: complaintResponseHours must be a whole number of hours from 1 to 2160');
    await edit.getByLabel('Answer within', { exact: true }).fill('48');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => edit.count()).toBe(0);
    await expect.poll(() => created.locator('p').textContent()).toContain('SMS DINKES-KOTA · — · 600/min · 250000/day · answer within 48 hours (WIB)');
    // Then in working days, in the agency's own zone; the form opens on what the agency has.
    await created.getByRole('button', { name: 'Edit' }).click();
    expect(await edit.getByLabel('Unit').inputValue()).toBe('hours');
    await edit.getByLabel('Answer within', { exact: true }).fill('5');
    await edit.getByLabel('Unit').selectOption({ label: 'working days' });
    await edit.getByLabel('Time zone').selectOption('WITA');
    // The agency itself is not among those it may escalate to.
    expect(await edit.getByLabel('Overdue complaints escalate to').locator('option').allTextContents()).not.toContain('Dinas Kesehatan Kota Bandung');
    await edit.getByLabel('Overdue complaints escalate to').selectOption('bapenda-cons');
    // A six-day week: Saturday ticked beside Monday to Friday.
    expect(await edit.getByRole('checkbox', { name: 'Sat' }).isChecked()).toBe(false);
    await edit.getByRole('checkbox', { name: 'Sat' }).check();
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => created.locator('p').textContent()).toContain('answer within 5 working days (WITA) → bapenda-cons');
    const edited = await as<{ agencies: { code: string; senderIds: { sms: string | null }; complaintResponseHours: number; complaintResponseWorkingDays: number | null; timezone: string; workingWeekdays: number[]; complaintEscalation: string | null }[] }>(
      hub.url,
      agency.admin,
      '{ agencies { code senderIds { sms } complaintResponseHours complaintResponseWorkingDays timezone workingWeekdays complaintEscalation } }',
    );
    expect(edited.data?.agencies.find((a) => a.code === 'dinkes-bdg')).toEqual({
      code: 'dinkes-bdg',
      senderIds: { sms: 'DINKES-KOTA' },
      complaintResponseHours: 48,
      complaintResponseWorkingDays: 5,
      timezone: 'WITA',
      workingWeekdays: [1, 2, 3, 4, 5, 6],
      complaintEscalation: 'bapenda-cons',
    });

    // Its first key: the secret is shown once and works; revoked, it stops working.
    await created.getByRole('button', { name: 'API keys' }).click();
    await created.getByLabel('Key name').fill('sistem-rs');
    await created.getByLabel('Kind').selectOption('live');
    await created.getByRole('button', { name: 'Issue a key' }).click();
    const secret = (await created.getByTestId('secret').textContent()) ?? '';
    expect(secret).toMatch(/^live_[A-Za-z0-9]{12}\./);
    expect((await as(hub.url, secret, '{ eventTypes { type } }')).errors).toBeUndefined();
    await created.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => created.locator('tr .state').textContent()).toBe('revoked');
    expect((await as(hub.url, secret, '{ eventTypes { type } }')).errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');

    // The plugin installed from its tarball: approved, configured, checked, enabled and routed here.
    await page.getByRole('button', { name: 'Plugins' }).click();
    const plugin = page.locator('li.plugin[data-name="sms-smpp"]');
    await expect.poll(() => plugin.textContent()).toContain('not approved');
    await plugin.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => plugin.textContent()).not.toContain('not approved');
    await plugin.getByRole('button', { name: 'Configure' }).click();
    const configuration = plugin.getByLabel('Configuration');
    await configuration.fill('{ "host": "127.0.0.1", ');
    await plugin.getByRole('button', { name: 'Save and check' }).click();
    await expect.poll(() => plugin.getByRole('alert').textContent()).toMatch(/^INVALID_PLUGIN_CONFIG: not JSON: /);
    await configuration.fill(JSON.stringify({ host: '127.0.0.1', port: smsc.port }));
    await plugin.getByRole('button', { name: 'Save and check' }).click();
    await expect.poll(() => plugin.getByRole('alert').textContent()).toContain('/systemId is required');
    await configuration.fill(JSON.stringify({ host: '127.0.0.1', port: smsc.port, systemId: 'kabar', password: 'rahasia1', defaultSender: 'KABAR' }));
    await plugin.getByRole('button', { name: 'Save and check' }).click();
    await expect.poll(() => plugin.locator('.check').getAttribute('data-ok')).toBe('true');
    // Edited again as shown, the password masked: the stored one is kept, or the SMSC would refuse the bind.
    await plugin.getByRole('button', { name: 'Configure' }).click();
    const shown = JSON.parse(await configuration.inputValue()) as Record<string, unknown>;
    expect(shown.password).toBe('********');
    await configuration.fill(JSON.stringify({ ...shown, defaultSender: 'KABAR BDG' }));
    // The new check's time, to the millisecond: its text may read the same as the last one's within a minute.
    const checkedBefore = await plugin.locator('.check').getAttribute('data-at');
    await plugin.getByRole('button', { name: 'Save and check' }).click();
    await expect.poll(() => plugin.locator('.check').getAttribute('data-at')).not.toBe(checkedBefore);
    expect(await plugin.locator('.check').getAttribute('data-ok')).toBe('true');
    await plugin.getByRole('button', { name: 'Enable' }).click();
    await expect.poll(() => plugin.locator('.state').first().textContent()).toBe('enabled');
    await plugin.getByRole('button', { name: 'Route all sms' }).click();
    await expect.poll(() => plugin.textContent()).toContain('Routes: sms');
    const installs = await as<{ pluginInstalls: { name: string; enabled: boolean; config: { defaultSender: string } }[]; pluginRoutes: { channel: string; installName: string }[] }>(
      hub.url,
      agency.admin,
      '{ pluginInstalls { name enabled config } pluginRoutes { channel installName } }',
    );
    expect(installs.data?.pluginInstalls).toMatchObject([{ name: 'sms-smpp', enabled: true, config: { defaultSender: 'KABAR BDG' } }]);
    expect(installs.data?.pluginRoutes).toEqual([{ channel: 'sms', installName: 'sms-smpp' }]);

    // A plugin package on the hub's machine, installed from its directory: next, it waits for approval.
    await page.locator('li.discovered[data-plugin="console"]').getByRole('button', { name: 'Install' }).click();
    await expect.poll(() => page.locator('li.plugin[data-name="console"]').textContent()).toContain('not approved');

    // Citizens from a register's CSV: a bad row is named by its line and column and nothing is written; the fixed
    // file is checked, then imported once.
    await page.getByRole('button', { name: 'Citizens' }).click();
    const [nikA, nikB] = [aNationalId(), aNationalId()];
    const header = 'national_id,name,region_code,timezone,language,email';
    const bad = join(work, 'warga-salah.csv');
    writeFileSync(bad, `${header}\n${nikA},Siti Aminah,32.73.01.1001,WIB,id,siti@example.com\n123,Budi,32.73.01.1001,WIB,id,budi@example.com\n`);
    await page.getByLabel('CSV file').setInputFiles(bad);
    await page.getByRole('button', { name: 'Check (writes nothing)' }).click();
    const result = page.locator('.import-result');
    await expect.poll(() => result.locator('table.errors tr').first().textContent()).toMatch(/^Line 3national_id/);
    expect(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
    const good = join(work, 'warga.csv');
    writeFileSync(good, `${header}\n${nikA},Siti Aminah,32.73.01.1001,WIB,id,siti@example.com\n${nikB},Budi,32.73.01.1001,WIB,id,budi@example.com\n`);
    await page.getByLabel('CSV file').setInputFiles(good);
    await page.getByRole('button', { name: 'Check (writes nothing)' }).click();
    await expect.poll(() => result.getByRole('status').textContent()).toBe('Checked: 2 rows · 2 new · 0 updated');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => result.getByRole('status').textContent()).toBe('Imported: 2 rows · 2 new · 0 updated');
    expect(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
    const again = await as<{ importCitizensCsv: { created: number; updated: number } }>(hub.url, agency.admin, 'mutation($c: String!) { importCitizensCsv(csv: $c, dryRun: true) { created updated } }', {
      c: readFileSync(good, 'utf8'),
    });
    expect(again.data?.importCitizensCsv).toEqual({ created: 0, updated: 2 });

    // Citizens' own messages: the city's short code to the new agency, PAJAK to another; a bad keyword is refused.
    // A complaint the new agency answered two hours after it came in, for the complaint-handling table.
    await queryDatabase(
      hub.database.url,
      `insert into complaint (id, agency_id, event_id, channel, plugin, from_hash, locale, state, opened_at, last_activity_at, overdue_count, first_answered_at)
       select gen_random_uuid(), id, gen_random_uuid(), 'sms', 'sms-smpp', 'h', 'id', 'answered', now() - interval '1 day', now(), 0, now() - interval '22 hours' from agency where code = 'dinkes-bdg'`,
    );
    await page.getByRole('button', { name: 'Inbound' }).click();
    await expect.poll(() => page.locator('tr.performance[data-agency="dinkes-bdg"]').textContent()).toBe('dinkes-bdg100100.0 %100.0 %2 h');
    await expect.poll(() => page.getByText('No routes yet').count()).toBe(1);
    const form = page.locator('form.card').first();
    await form.getByLabel('Agency').selectOption({ label: 'Dinas Kesehatan Kota Bandung' });
    await form.getByLabel('To address (short code, number; blank for all)').fill('1708');
    await form.getByRole('button', { name: 'Save route' }).click();
    await expect.poll(() => page.locator('tr.route').count()).toBe(1);
    await form.getByLabel('First word (blank for all)').fill('dua kata');
    await form.getByRole('button', { name: 'Save route' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^INBOUND_ROUTE_INVALID: keyword must be one word/);
    // The form starts afresh after a saved route.
    expect(await form.getByLabel('To address (short code, number; blank for all)').inputValue()).toBe('');
    await form.getByLabel('To address (short code, number; blank for all)').fill('1708');
    await form.getByLabel('First word (blank for all)').fill('pajak');
    await form.getByRole('button', { name: 'Save route' }).click();
    await expect.poll(() => page.locator('tr.route[data-keyword="PAJAK"]').textContent()).toBe('sms1708PAJAK→ Dinas Kesehatan Kota BandungRemove');
    await page.locator('tr.route[data-keyword=""]').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => page.locator('tr.route').count()).toBe(1);
    const routes = await as<{ inboundRoutes: { agencyCode: string; to: string; keyword: string }[] }>(hub.url, agency.admin, '{ inboundRoutes { agencyCode to keyword } }');
    expect(routes.data?.inboundRoutes).toEqual([{ agencyCode: 'dinkes-bdg', to: '1708', keyword: 'PAJAK' }]);

    // The working calendar under the routes: a national day off and one of the new agency's, that one removed again.
    const next = String(new Date().getFullYear() + 1);
    const daysOff = page.locator('section.days-off');
    await daysOff.getByLabel('Year').selectOption(next);
    await expect.poll(() => daysOff.getByText('No days off this year yet.').count()).toBe(1);
    const dayForm = daysOff.locator('form');
    await dayForm.getByLabel('Date').fill(`${next}-08-17`);
    await dayForm.getByLabel('Name').fill('Hari Kemerdekaan RI');
    await dayForm.getByRole('button', { name: 'Save day off' }).click();
    await expect.poll(() => daysOff.getByRole('status').textContent()).toBe('0 waiting complaints moved');
    await dayForm.getByLabel('Date').fill(`${next}-09-25`);
    await dayForm.getByLabel('Name').fill('Hari jadi');
    await dayForm.getByLabel('For').selectOption({ label: 'Dinas Kesehatan Kota Bandung' });
    await dayForm.getByRole('button', { name: 'Save day off' }).click();
    await expect.poll(() => daysOff.locator('tr.day-off').allTextContents()).toEqual([
      `${next}-08-17Hari Kemerdekaan RIevery agencyRemove`,
      `${next}-09-25Hari jadiDinas Kesehatan Kota BandungRemove`,
    ]);
    await daysOff.locator(`tr.day-off[data-day="${next}-09-25"]`).getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => daysOff.locator('tr.day-off').count()).toBe(1);
    const kept = await as<{ daysOff: { day: string; agencyCode: string | null }[] }>(hub.url, agency.admin, 'query($y: Int!) { daysOff(year: $y) { day agencyCode } }', { y: Number(next) });
    expect(kept.data?.daysOff).toEqual([{ day: `${next}-08-17`, agencyCode: null }]);

    // The audit trail: every change above, newest first, 50 to a page; filtered by agency and action, the hub's
    // refusal of an unknown agency shown; the chain checked, then checked again after an entry is forged in the
    // database behind the hub's back (and put back).
    // The refusals above (a wrong token, a revoked key) go into the trail now, not at the hub's next minute in the
    // middle of the pages checked below.
    await hub.app.get(RefusedCredentials).flush();
    for (let i = 0; i < 40; i++) {
      const issued = await as(hub.url, agency.admin, 'mutation($n: String!) { issueApiKey(agencyCode: "dinkes-bdg", kind: test, name: $n) { key { id } } }', { n: `batch-${String(i)}` });
      if (issued.errors !== undefined) throw new Error(JSON.stringify(issued.errors));
    }
    const trail = async (variables: Record<string, unknown> = {}): Promise<number[]> => {
      const answer = await as<{ auditLog: { seq: number }[] }>(
        hub.url,
        agency.admin,
        'query($agencyCode: String, $action: String, $before: Int) { auditLog(agencyCode: $agencyCode, action: $action, before: $before) { seq } }',
        variables,
      );
      return answer.data?.auditLog.map((e) => e.seq) ?? [];
    };
    // Read in one go: row by row, a row that a new page replaced between the listing and the read would be waited
    // for (the action timeout, longer than the poll's), which is how this check once failed under load.
    const seqsShown = (): Promise<number[]> => page.locator('tr.audit-entry').evaluateAll((rows: readonly { getAttribute(name: string): string | null }[]) => rows.map((row) => Number(row.getAttribute('data-seq'))));
    await page.getByRole('button', { name: 'Audit' }).click();
    const newest = await trail();
    expect(newest).toHaveLength(50);
    await expect.poll(seqsShown).toEqual(newest);
    expect(await page.locator('tr.audit-entry').first().getAttribute('data-action')).toBe('api_key.issued');
    expect(await page.locator('tr.audit-entry').first().textContent()).toContain('admin test admindinkes-bdgapi_key.issued');
    await page.getByRole('button', { name: 'Older', exact: true }).click();
    const older = await trail({ before: newest.at(-1) });
    await expect.poll(seqsShown).toEqual(older);
    expect(older[0]).toBe((newest.at(-1) ?? 0) - 1);
    // The oldest page is short: there is nothing older to ask for.
    expect(older.length).toBeLessThan(50);
    expect(await page.getByRole('button', { name: 'Older', exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Newest', exact: true }).click();
    await expect.poll(seqsShown).toEqual(newest);

    const show = async (agencyCode: string, action: string): Promise<void> => {
      await page.getByLabel('Agency code (blank for all)').fill(agencyCode);
      await page.getByLabel('Action').selectOption(action === '' ? { label: 'all' } : action);
      // Both fields are controlled: once they show the values, the form holds them, and Show asks for this filter.
      await expect.poll(() => page.getByLabel('Agency code (blank for all)').inputValue()).toBe(agencyCode);
      await expect.poll(() => page.getByLabel('Action').inputValue()).toBe(action);
      await page.getByRole('button', { name: 'Show', exact: true }).click();
    };
    // Templates saved by the agency's own system, with the key it used.
    await show('', 'template.saved');
    await expect.poll(seqsShown).toEqual(await trail({ action: 'template.saved' }));
    expect(await page.locator('tr.audit-entry').allTextContents()).toEqual([expect.stringContaining(`agency ${agency.code} (key ${agency.keyId})`), expect.stringContaining(`agency ${agency.code} (key ${agency.keyId})`)]);
    await show('dinkes-bdg', 'api_key.revoked');
    await expect.poll(() => page.locator('tr.audit-entry').count()).toBe(1);
    expect(await page.locator('tr.audit-entry').textContent()).toMatch(/admin test admindinkes-bdgapi_key\.revoked/);
    // The plugin's configuration is in the trail as a change, never its password.
    await show('', 'plugin.configured');
    await expect.poll(seqsShown).toEqual(await trail({ action: 'plugin.configured' }));
    expect(await page.locator('tr.audit-entry').count()).toBeGreaterThan(0);
    expect(await page.locator('table.audit').textContent()).not.toContain('rahasia1');
    await show('nobody', '');
    await expect.poll(() => alertOf(page)).toBe('AGENCY_NOT_FOUND: no agency nobody');
    expect(await page.locator('tr.audit-entry').count()).toBe(0);
    await show('', '');
    await expect.poll(seqsShown).toEqual(newest);

    const integrity = page.getByTestId('audit-integrity');
    const head = await as<{ auditIntegrity: { checked: number; headSeq: number; headMac: string; broken: null } }>(hub.url, agency.admin, '{ auditIntegrity { checked headSeq headMac broken { seq } } }');
    const { checked, headSeq, headMac } = head.data?.auditIntegrity ?? { checked: 0, headSeq: 0, headMac: '' };
    expect([checked, headSeq]).toEqual([newest[0], newest[0]]);
    await page.getByRole('button', { name: 'Check integrity' }).click();
    await expect.poll(() => integrity.getAttribute('data-ok')).toBe('true');
    expect(await integrity.getAttribute('role')).toBe('status');
    expect(await integrity.textContent()).toBe(`Intact · entries checked: ${String(checked)} · head: #${String(headSeq)} ${headMac}`);
    // Only someone who can drop the append-only trigger can edit an entry; the chain shows it at that entry.
    const [forged] = await trail({ agencyCode: 'dinkes-bdg', action: 'agency.created' });
    const tamper = async (sql: string): Promise<void> => {
      await queryDatabase(hub.database.url, 'alter table "audit_log" disable trigger "audit_log_append_only"');
      await queryDatabase(hub.database.url, sql, [forged]);
      await queryDatabase(hub.database.url, 'alter table "audit_log" enable trigger "audit_log_append_only"');
    };
    await tamper(`update "audit_log" set "details" = "details" || '{"forged": true}'::jsonb where "seq" = $1`);
    await page.getByRole('button', { name: 'Check integrity' }).click();
    await expect.poll(() => integrity.getAttribute('data-ok')).toBe('false');
    expect(await integrity.getAttribute('role')).toBe('alert');
    expect(await integrity.textContent()).toBe(`Broken at #${String(forged)} (its MAC does not match: changed or inserted) · entries that check out before it: ${String((forged ?? 0) - 1)}`);
    await tamper(`update "audit_log" set "details" = "details" - 'forged' where "seq" = $1`);
    await page.getByRole('button', { name: 'Check integrity' }).click();
    await expect.poll(() => integrity.getAttribute('data-ok')).toBe('true');

    // The master keys: the test's one key is current and the lookup key, sealing what the agencies and citizens gave;
    // after no rotation there is nothing to move.
    await page.getByRole('button', { name: 'Show keys' }).click();
    const keyRow = page.locator('tr.master-key[data-key="test"]');
    await expect.poll(() => keyRow.count()).toBe(1);
    expect(await keyRow.textContent()).toMatch(/^testcurrent · lookup hashes[1-9]\d*[1-9]\d*current, lookup hashes, sealed values, audit entries$/);
    await page.getByRole('button', { name: 'Re-seal under the current key' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Values moved' }).count()).toBe(1);
    expect(await page.getByRole('status').filter({ hasText: 'Values moved' }).textContent()).toBe('Values moved to the current key: 0');

    // Health, in Indonesian.
    await page.getByRole('combobox', { name: 'Bahasa / Language' }).selectOption('id');
    await page.getByRole('button', { name: 'Kesehatan' }).click();
    await expect.poll(() => page.locator('table.health').textContent()).toContain('Modefull');
    expect(problems).toEqual([]);
  });
});
