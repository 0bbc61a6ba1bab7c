import 'reflect-metadata';

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { aConfig, graphql } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launchChromium, openPage, sessionOf } from './support/browser.js';
import { startEmbeddedHub } from './support/embedded-hub.js';

interface DemoCitizen {
  readonly name: string;
  readonly session: { readonly token: string };
  readonly preferenceCentre: string;
}

// What `npm start` offers a person trying Kabar: the embedded hub with its demo data, whose demo.json links sign the
// preference centre in as a demo citizen. This tests the embedded mode itself, so it runs on PGlite by design.
describe('the preference centre on the embedded demo hub', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kabar-web-demo-'));
  let app: INestApplication;
  let url: string;
  let browser: Browser;
  let citizens: readonly DemoCitizen[];
  let demo: { citizens: DemoCitizen[]; agencies: { code: string; key: { token: string } }[] };

  beforeAll(async () => {
    const config = aConfig()
      .with({ dataDir, database: { kind: 'pglite', dataDir: join(dataDir, 'pglite') }, demo: true, port: 3000 })
      .build();
    ({ app, url } = await startEmbeddedHub(config));
    demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as typeof demo;
    citizens = demo.citizens;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser.close();
    await app.close();
  });

  it("opens Andi's inbox from his demo.json link, forgets the link, answers LAPOR!'s survey and takes his consent to the hospital's tips", async () => {
    const andi = citizens.find((c) => c.name === 'Andi Pratama');
    expect(andi?.preferenceCentre).toBe(`http://localhost:3000/#token=${andi?.session.token ?? ''}`);
    const { page, problems } = await openPage(browser, url, 'en-GB');
    // The configured port is 3000; this hub listens elsewhere, so the link's fragment is used on the real origin.
    await page.goto(`${url}/${new URL(andi?.preferenceCentre ?? '').hash}`);
    const message = page.locator('li.message').first();
    // The demo's messages reach the inbox through the hub's own dispatch after start-up, later on a busy machine.
    await expect.poll(() => message.locator('summary').textContent(), { timeout: 15_000 }).toContain('LAPOR! Kota Bandung');
    expect(await page.getByTestId('unread').textContent()).toBe('1');
    expect(await sessionOf(page)).toBe(andi?.session.token);
    expect(page.url()).toBe(`${url}/`);

    // LAPOR!'s survey waits beside its message: Andi is not satisfied, skips the score and says why.
    await message.locator('summary').click();
    const survey = message.locator('.survey');
    await expect.poll(() => survey.locator('h3').textContent()).toBe('LAPOR! service satisfaction survey');
    await survey.getByRole('button', { name: 'No', exact: true }).click();
    await survey.getByRole('textbox', { name: 'What should we improve?' }).fill('The lamp went out again after two days.');
    await survey.getByRole('button', { name: 'Send answer' }).click();
    await expect.poll(() => survey.locator('.notice').textContent()).toBe('Thank you, we have received your answers.');
    const lapor = demo.agencies.find((a) => a.code === 'lapor-bdg');
    const responses = await graphql<{ surveyResponses: { state: string; answers: { questionId: string; value: unknown }[] }[] }>(
      url,
      '{ surveyResponses(survey: "kepuasan-layanan") { state answers { questionId value } } }',
      {},
      { authorization: `Bearer ${lapor?.key.token ?? ''}` },
    );
    expect(responses.data?.surveyResponses).toEqual([
      { state: 'completed', answers: [{ questionId: 'puas', value: 'tidak' }, { questionId: 'masalah', value: 'The lamp went out again after two days.' }] },
    ]);

    // The demo hospital sends health tips only with consent: Andi finds the purpose and grants it.
    await page.getByRole('button', { name: 'Consents' }).click();
    const tips = page.locator('li.consent[data-purpose="health-tips"]');
    await expect.poll(() => tips.textContent()).toContain('Used by: RSUD Kota Bandung');
    await tips.getByRole('button', { name: 'Consent', exact: true }).click();
    await expect.poll(() => tips.locator('.state').textContent()).toBe('granted');

    // His report to the city's complaint line, and LAPOR!'s answer, as a conversation.
    await page.getByRole('button', { name: 'Reports' }).click();
    const report = page.locator('li.notification').first();
    await expect.poll(() => report.locator('strong').textContent()).toMatch(/^ADU-\d{6} · LAPOR! Kota Bandung$/);
    expect(await report.locator('.state').textContent()).toBe('answered');
    expect(await report.locator('.answer-due').count()).toBe(0);
    expect(await report.locator('.thread li.mine p').first().textContent()).toBe('The street lamp in front of Jl. Dago 12 has been out for a week.');
    expect(await report.locator('.thread li.theirs p').last().textContent()).toBe('Thank you. Our team will replace the lamp by Friday.');
    await report.getByRole('textbox', { name: 'Add details' }).fill('It is the pole in front of the mosque.');
    await report.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => report.locator('.thread li.mine p').last().textContent()).toBe('It is the pole in front of the mosque.');
    expect(await report.locator('.state').textContent()).toBe('waiting for an answer');
    // Waiting again, LAPOR! has its three days to answer.
    expect(await report.locator('.answer-due').textContent()).toMatch(/^ · answer expected by /);
    expect(problems).toEqual([]);
  });
});
