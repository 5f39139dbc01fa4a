import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, signInAs } from './browser.ts';

/**
 * Every app page carries the CSP (script-src with SvelteKit's nonce, default-src 'self',
 * object-src 'none', base-uri 'self', frame-ancestors), nosniff and no-referrer — and the app
 * itself runs under it: no CSP violation is reported while staff use the editor, assist and chat.
 */
describe('security headers and CSP in Chromium', () => {
  let zhida: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    [zhida, browser] = await Promise.all([startTestServer({ ZHIDA_DEMO: '1' }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await zhida?.stop();
  });

  async function watched(): Promise<{ page: Page; violations: string[] }> {
    const page = await browser.newPage();
    const violations: string[] = [];
    await page.exposeFunction('__reportCsp', (v: string) => violations.push(v));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { __reportCsp: (v: string) => void }).__reportCsp(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
    });
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    return { page, violations };
  }

  it('sends the headers on every page', async () => {
    for (const path of ['/', '/login', '/answers', '/answers/new', '/review', '/analytics', '/transfer', '/admin/users', '/assist?key=zk_x', '/chat?key=zk_x']) {
      const res = await fetch(new URL(path, zhida.url));
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toMatch(/default-src 'self'/);
      expect(csp, path).toMatch(/script-src 'self' 'nonce-[^']+'/);
      expect(csp, path).toMatch(/object-src 'none'/);
      expect(csp, path).toMatch(/base-uri 'self'/);
      expect(csp, path).toMatch(/frame-ancestors /);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
  });

  it('reports no CSP violation while the editor, assist and chat run', async () => {
    const { page, violations } = await watched();
    await signInAs(page, zhida.url, 'editor');
    await page.goto(new URL('/answers/new', zhida.url).href);
    await page.locator('[data-testid=title]').fill('CSP 检查：信用卡年费怎么收');
    await page.locator('.ProseMirror').first().click();
    await page.keyboard.type('年费按卡种收取。');
    await page.goto(new URL('/answers', zhida.url).href);
    await page.locator('[data-testid=current-user]').waitFor();
    await page.goto(new URL('/assist', zhida.url).href);
    await page.locator('input, textarea').first().fill('信用卡丢了');
    await page.keyboard.press('Enter');
    await page.goto(new URL('/chat', zhida.url).href);
    await page.locator('#chat-input').fill('信用卡丢了怎么挂失');
    await page.locator('button[type=submit]').click();
    await page.locator('[data-testid=chat-bot-text]').first().waitFor({ timeout: 30_000 });
    await page.goto(new URL('/analytics', zhida.url).href);
    await page.waitForLoadState('networkidle');
    expect(violations).toEqual([]);
  }, 120_000);
});
