import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { keepScreenshot, launchBrowser, pageCost } from './browser.ts';

async function signedInContext(browser: Browser, zhida: TestServer, email: string, password: string, viewport = { width: 900, height: 900 }): Promise<BrowserContext> {
  const res = await fetch(`${zhida.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status}`);
  const cookie = /zhida_session=([^;]+)/.exec(res.headers.getSetCookie().join(';'))![1]!;
  const ctx = await browser.newContext({ viewport });
  await ctx.addCookies([{ name: 'zhida_session', value: cookie, url: zhida.url }]);
  return ctx;
}

describe('customer chat with hand-off to an agent (Chromium)', () => {
  let zhida: TestServer;
  let browser: Browser;
  let customer: BrowserContext;
  let agent: BrowserContext;

  beforeAll(async () => {
    [zhida, browser] = await Promise.all([startTestServer({ ZHIDA_DEMO: '1' }), launchBrowser()]);
    // The demo chat runs on a staff session here; a real deployment gives the page a bot-scoped key.
    customer = await signedInContext(browser, zhida, 'agent@zhida.local', 'zhida-agent-demo');
    agent = await signedInContext(browser, zhida, 'agent@zhida.local', 'zhida-agent-demo', { width: 400, height: 820 });
  });
  afterAll(async () => {
    await browser?.close();
    await zhida?.stop();
  });

  it('answers with the bot variant, hands off on request with the transcript, and the assist panel suggests from it', async () => {
    const page = await customer.newPage();
    await page.goto(`${zhida.url}/chat`);
    await page.locator('#chat-input').waitFor();
    await pageCost(page, '/chat');

    await page.locator('#chat-input').fill('信用卡丢了怎么挂失');
    await page.locator('button[type=submit]').click();
    const botText = page.locator('[data-testid=chat-bot-text]').first();
    await botText.waitFor({ timeout: 30_000 });
    expect((await botText.textContent())!.length).toBeGreaterThan(5);

    await page.locator('#chat-input').fill('我要转人工');
    await page.locator('button[type=submit]').click();
    await page.locator('[data-testid=chat-handoff]').waitFor({ timeout: 30_000 });
    const transcript = page.locator('[data-testid=chat-transcript]');
    await transcript.waitFor();
    const text = (await transcript.textContent())!;
    expect(text).toContain('信用卡丢了怎么挂失');
    expect(text).toContain('我要转人工');
    await keepScreenshot(page, 'chat-handoff');

    // The agent opens assist with this transcript: suggestions at once, nothing retyped.
    const href = await page.locator('[data-testid=chat-open-assist]').getAttribute('href');
    expect(href).toMatch(/^\/assist\?session=[0-9a-f-]{36}$/);
    const assist = await agent.newPage();
    await assist.goto(`${zhida.url}${href}`);
    await assist.locator('[data-testid=assist-transcript-note]').waitFor({ timeout: 30_000 });
    const first = assist.locator('[data-testid=assist-result]').first();
    await first.waitFor({ timeout: 30_000 });
    expect(await first.locator('.title').textContent()).toContain('信用卡丢了怎么挂失');
    expect(await assist.locator('[data-testid=assist-conversation] summary').textContent()).toMatch(/[34]/);
    await keepScreenshot(assist, 'assist-from-chat-transcript');
  });

  it('offers alternatives or hands off when it cannot answer', async () => {
    const page = await customer.newPage();
    await page.goto(`${zhida.url}/chat`);
    await page.locator('#chat-input').fill('量子计算机租赁');
    await page.locator('button[type=submit]').click();
    await page.locator('[data-testid=chat-alternatives], [data-testid=chat-handoff]').first().waitFor({ timeout: 30_000 });
    await keepScreenshot(page, 'chat-unsure');
  });
});
