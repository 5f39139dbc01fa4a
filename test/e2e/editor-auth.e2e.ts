import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { demoUsers, keepScreenshot, launchBrowser, signInAs } from './browser.ts';

describe('editor app: sign-in, session expiry, language', () => {
  let zhida: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    [zhida, browser] = await Promise.all([startTestServer({ ZHIDA_DEMO: '1' }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await zhida?.stop();
  });

  it('sends a signed-out visitor to the login page and back after signing in; wrong passwords get plain words', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(new URL('/answers?status=published', zhida.url).href);
    await page.waitForURL(/\/login\?next=/);
    await keepScreenshot(page, 'editor-login');

    await page.locator('input[name=email]').fill(demoUsers.editor.email);
    await page.locator('input[name=password]').fill('wrong-password');
    await page.locator('form.login-form button[type=submit]').click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('邮箱或密码不正确');

    await page.locator('input[name=password]').fill(demoUsers.editor.password);
    await page.locator('form.login-form button[type=submit]').click();
    await page.waitForURL(/\/answers\?status=published/);
    expect(await page.textContent('[data-testid=current-user]')).toContain('编辑');
    await page.locator('[data-testid=answers-table] tbody tr a').first().waitFor();
    await keepScreenshot(page, 'editor-answers-list');

    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL(/\/login/);
    // Signed out for real: the API refuses the old session.
    const me = await page.evaluate(() => fetch('/api/v1/auth/me').then((r) => r.status));
    expect(me).toBe(401);
    await page.close();
  });

  it('switches the whole UI to English and remembers it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signInAs(page, zhida.url, 'editor');
    expect(await page.textContent('h1')).toBe('答案');
    await page.locator('[data-testid=language-switch]').selectOption('en');
    await expect.poll(() => page.textContent('h1')).toBe('Answers');
    expect(await page.textContent('header')).toContain('Sign out');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.reload();
    await expect.poll(() => page.textContent('h1')).toBe('Answers');
    await keepScreenshot(page, 'editor-english');
    // The choice is saved on the account too: switch back so later tests see the default.
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/me') && r.request().method() === 'PATCH');
    await page.locator('[data-testid=language-switch]').selectOption('zh-CN');
    expect((await saved).status()).toBe(200);
    await expect.poll(() => page.textContent('h1')).toBe('答案');
    await context.close();
  });

  it('keeps unsaved work when the session expires: a login dialog opens over the page and the save retries', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signInAs(page, zhida.url, 'editor');
    await page.goto(new URL('/answers/new', zhida.url).href);
    await page.locator('[data-testid=title]').fill('会话过期时的草稿');
    await expect.poll(() => page.getAttribute('[data-testid=save-state]', 'data-state'), { timeout: 15_000 }).toBe('saved');
    await page.waitForURL(/\/answers\/[0-9a-f-]{36}$/);

    // The session ends server-side (expired, or signed out elsewhere) while the user keeps typing.
    await context.clearCookies();
    await page.locator('[data-testid=title]').fill('会话过期时的草稿（已修改）');
    const dialog = page.locator('[data-testid=relogin-dialog]');
    await page.locator('[data-testid=relogin-dialog][open]').waitFor({ timeout: 15_000 });
    expect(await dialog.getByRole('heading').textContent()).toBe('登录已过期');
    expect(await page.inputValue('[data-testid=title]')).toBe('会话过期时的草稿（已修改）');
    await keepScreenshot(page, 'editor-session-expired');
    await dialog.locator('input[name=password]').fill(demoUsers.editor.password);
    await dialog.locator('button[type=submit]').click();
    await expect.poll(() => page.getAttribute('[data-testid=save-state]', 'data-state'), { timeout: 15_000 }).toBe('saved');
    expect(await dialog.isVisible()).toBe(false);

    const id = page.url().split('/').at(-1)!;
    const answer = (await (await zhida.api(`/api/v1/answers/${id}`)).json()) as { working: { title: string } };
    expect(answer.working.title).toBe('会话过期时的草稿（已修改）');
    await context.close();
  });
});
