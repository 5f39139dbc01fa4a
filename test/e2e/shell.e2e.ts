import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { keepScreenshot, launchBrowser } from './browser.ts';

describe('app shell in Chromium', () => {
  let zhida: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    [zhida, browser] = await Promise.all([startTestServer({ ZHIDA_DEMO: '1' }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await zhida?.stop();
  });

  it('serves the app from the same process as the API', async () => {
    const page = await browser.newPage();
    const res = await page.goto(zhida.url);
    expect(res?.status()).toBe(200);
    // The served page is the SvelteKit app, hydrated: its header and the sign-in form are on screen.
    expect(await page.textContent('header')).toContain('知答');
    await page.locator('input[name=email]').waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await keepScreenshot(page, 'shell');
  });
});
