import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (scripts/services.sh up chromium installs it); never a downloaded browser. */
const CHROMIUM = process.env.KABAR_CHROMIUM ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling Google's hosts, which this closed network refuses.
const CHROMIUM_ARGS = ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * A page that records what a citizen's browser should never see: console errors, script errors, failed responses
 * (4xx/5xx) and any request that leaves the hub's origin (nothing may load from elsewhere).
 */
export async function openPage(browser: Browser, origin: string, locale = 'id-ID'): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ acceptDownloads: true, locale });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (res) => res.status() >= 400 && problems.push(`${String(res.status())}: ${res.url()}`));
  page.on('request', (request) => !request.url().startsWith(origin) && !request.url().startsWith('blob:') && problems.push(`left the origin: ${request.url()}`));
  return { page, problems };
}

/** The citizen session the page holds, '' when signed out. */
export async function sessionOf(page: Page): Promise<string> {
  return (await page.evaluate(() => sessionStorage.getItem('kabar.session'))) ?? '';
}
