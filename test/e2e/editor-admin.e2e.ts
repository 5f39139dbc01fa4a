import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { keepScreenshot, launchBrowser, signInAs } from './browser.ts';

describe('editor app: admin pages and the model banner, in Chromium', () => {
  let zhida: TestServer;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    [zhida, browser] = await Promise.all([startTestServer({ ZHIDA_DEMO: '1' }), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signInAs(page, zhida.url, 'admin');
  });
  afterAll(async () => {
    await browser?.close();
    await zhida?.stop();
  });

  it('says in Chinese, briefly, that search matches keywords; the server\'s reason is an admin detail', async () => {
    const status = (await (await zhida.api('/api/v1/index/status')).json()) as { model: { state: string; reason?: string } };
    // No model weights exist on these machines, so the test server runs keyword-only.
    expect(status.model.state).toBe('unavailable');
    const banner = page.locator('[data-testid=model-banner]');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('智能语义搜索暂不可用，目前按关键词搜索。');
    // The English developer message is folded away: visible only when the admin opens the details.
    const details = banner.locator('[data-testid=model-banner-details]');
    expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await details.locator('summary').click();
    if (status.model.reason) await details.getByText(status.model.reason, { exact: false }).waitFor();
    await details.getByText('ZHIDA_MODEL=none').waitFor();
  });

  it('audit log: entries with filters, and the chain verify status', async () => {
    // Admin pages sit in one "管理" menu so the bar fits on one line.
    await page.locator('[data-testid=nav-group-admin]').click();
    await page.getByRole('link', { name: '审计日志' }).click();
    await page.waitForURL(/\/admin\/audit$/);
    await page.locator('[data-testid=audit-verify]').getByText('审计链完整').waitFor();
    const table = page.locator('[data-testid=audit-table]');
    await table.locator('tbody tr code').first().waitFor();
    await page.getByLabel('操作', { exact: true }).fill('auth.login');
    await page.getByRole('button', { name: '搜索' }).click();
    await expect.poll(async () => new Set(await table.locator('tbody code').allTextContents())).toEqual(new Set(['auth.login']));
    await keepScreenshot(page, 'editor-admin-audit');
  });

  it('users and roles: create a user, change the role, disable', async () => {
    await page.goto(new URL('/admin/users', zhida.url).href);
    const table = page.locator('[data-testid=users-table]');
    await table.getByText('editor@zhida.local').waitFor();
    await page.getByLabel('姓名').fill('新同事 陈');
    await page.locator('form').getByLabel('邮箱').fill('chen@bank.test');
    await page.locator('form').getByLabel('密码').fill('a-long-enough-password');
    await page.getByRole('button', { name: '创建' }).click();
    await page.getByText('已创建用户 chen@bank.test').waitFor();
    const row = table.locator('tr', { hasText: 'chen@bank.test' });
    await row.getByLabel('新同事 陈 的角色').selectOption('reviewer');
    await row.getByRole('button', { name: '停用' }).click();
    await row.getByText('已停用').waitFor();
    const users = (await (await zhida.api('/api/v1/users')).json()) as { items: { email: string; role: string; disabled: boolean }[] };
    expect(users.items.find((u) => u.email === 'chen@bank.test')).toMatchObject({ role: 'reviewer', disabled: true });
    await keepScreenshot(page, 'editor-admin-users');
  });

  it('API keys: created with scopes, the secret shown once and working; revoked keys stop working', async () => {
    await page.goto(new URL('/admin/api-keys', zhida.url).href);
    await page.locator('[data-testid=key-name]').fill('客服机器人');
    await page.getByRole('checkbox', { name: /^bot/ }).check();
    await page.locator('[data-testid=create-key]').click();
    const secret = await page.locator('[data-testid=secret-value]').inputValue();
    expect(secret.length).toBeGreaterThan(20);
    await keepScreenshot(page, 'editor-admin-api-key');
    const search = () => zhida.api('/api/v1/search', { method: 'POST', json: { query: '挂失' }, token: secret });
    expect((await search()).status).toBe(200);
    await page.getByRole('button', { name: '我已保存' }).click();
    expect(await page.locator('[data-testid=secret-value]').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);

    page.once('dialog', (d) => void d.accept());
    await page.locator('[data-testid=keys-table] tr', { hasText: '客服机器人' }).getByRole('button', { name: '吊销' }).click();
    await page.locator('[data-testid=keys-table] tr', { hasText: '客服机器人' }).getByText('已于').waitFor();
    expect((await search()).status).toBe(401);
  });

  it('categories: add one to the tree', async () => {
    await page.goto(new URL('/admin/categories', zhida.url).href);
    await page.getByLabel('新分类路径').fill('测试分类/新子类');
    await page.getByRole('button', { name: '创建' }).click();
    await page.locator('[data-testid=category-tree]').getByText('测试分类/新子类').waitFor();
    await keepScreenshot(page, 'editor-admin-categories');
  });

  it('imports a file with a progress display and reports bad lines in plain words', async () => {
    await page.goto(new URL('/transfer', zhida.url).href);
    const lines = [
      JSON.stringify({ externalId: 'e2e-import-1', title: '页面导入的测试问题', similarQuestions: ['页面导入'], body: '导入的**正文**', category: '测试导入', tags: ['导入'], channels: ['bot', 'web'] }),
      'this line is not JSON',
    ].join('\n');
    await page.locator('input[type=file]').setInputFiles({ name: 'answers.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(lines) });
    await page.getByRole('button', { name: '开始导入' }).click();
    const result = page.locator('[data-testid=import-result]');
    await result.waitFor();
    expect(await result.textContent()).toContain('新建 1 条');
    expect(await result.textContent()).toContain('错误 1 条');
    expect(await result.locator('tbody tr').count()).toBe(1);
    await keepScreenshot(page, 'editor-import');
    const list = (await (await zhida.api('/api/v1/answers?q=页面导入的测试问题')).json()) as { total: number };
    expect(list.total).toBe(1);
  });
});
