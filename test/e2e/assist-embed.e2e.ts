import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomSecret, sha256 } from '../../src/auth/secrets.ts';
import { apiKeys, users } from '../../src/db/schema/index.ts';
import { eq, sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { keepScreenshot, launchBrowser, pageCost } from './browser.ts';

/**
 * A stand-in for the agent's workbench on another origin: frames /assist, sends the conversation
 * when the panel says it is ready, and shows what the panel inserts.
 */
function workbenchHtml(panelUrl: string, panelOrigin: string, keyByMessage?: string) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Workbench</title></head>
<body style="display:flex;gap:12px;font-family:sans-serif">
<main style="flex:1"><h1>坐席工作台</h1><p id="customer">客户：你好，我的信用卡丢了，现在怎么办？</p>
<label>回复<textarea id="reply" rows="8" cols="50"></textarea></label><pre id="inserted"></pre><pre id="log"></pre></main>
<iframe id="panel" src="${panelUrl}" style="width:380px;height:760px;border:1px solid #ccc" allow="clipboard-write"></iframe>
<script>
  const ZHIDA = ${JSON.stringify(panelOrigin)};
  const panel = document.getElementById('panel');
  const conversation = [{ role: 'customer', text: '你好，我的信用卡丢了，现在怎么办？' }];
  window.received = [];
  addEventListener('message', (e) => {
    if (e.origin !== ZHIDA || e.source !== panel.contentWindow) return;
    window.received.push(e.data);
    if (e.data.type === 'zhida:ready') {
      const key = ${JSON.stringify(keyByMessage ?? null)};
      if (key) panel.contentWindow.postMessage({ type: 'zhida:auth', key }, ZHIDA);
      panel.contentWindow.postMessage({ type: 'zhida:conversation', messages: conversation }, ZHIDA);
    }
    if (e.data.type === 'zhida:insert') {
      document.getElementById('reply').value = e.data.text;
      document.getElementById('inserted').textContent = JSON.stringify({ answerId: e.data.answerId, title: e.data.title, hasHtml: /<\\w+/.test(e.data.html) });
    }
  });
</script></body></html>`;
}

function serveHtml(html: () => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(html());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

describe('agent assist panel embedded in a workbench (Chromium)', () => {
  let zhida: TestServer;
  let browser: Browser;
  let workbench: { server: Server; origin: string };
  let stranger: { server: Server; origin: string };
  let keyless: { server: Server; origin: string };
  let assistKey = '';
  let panelUrl = '';

  beforeAll(async () => {
    workbench = await serveHtml(() => workbenchHtml(panelUrl, new URL(zhida.url).origin));
    stranger = await serveHtml(() => workbenchHtml(panelUrl, new URL(zhida.url).origin));
    // A workbench that hands the key over by postMessage: the panel URL carries no secret at all.
    keyless = await serveHtml(() => workbenchHtml(`${zhida.url}/assist`, new URL(zhida.url).origin, assistKey));
    [zhida, browser] = await Promise.all([
      startTestServer({ ZHIDA_DEMO: '1', ZHIDA_FRAME_ANCESTORS: `'self' ${workbench.origin} ${keyless.origin}` }),
      launchBrowser(),
    ]);
    // The narrow key an embedded panel carries: scope assist only, owned by the demo agent.
    const [agent] = await zhida.ctx.db.select().from(users).where(eq(users.email, 'agent@zhida.local'));
    assistKey = randomSecret('zk_test');
    await zhida.ctx.db.insert(apiKeys).values({ userId: agent!.id, name: 'workbench', prefix: assistKey.slice(0, 12), secretHash: sha256(assistKey), scopes: ['assist'] });
    panelUrl = `${zhida.url}/assist?key=${encodeURIComponent(assistKey)}`;
    // One answer overdue for review: the panel must flag it as stale.
    await zhida.ctx.db.execute(sql`update answer_versions set review_due_at = now() - interval '2 days' where title = '信用卡丢了怎么挂失？'`);
  });
  afterAll(async () => {
    await browser?.close();
    await zhida?.stop();
    workbench?.server.close();
    stranger?.server.close();
    keyless?.server.close();
  });

  it('takes the assist key by postMessage, so no secret is ever in a URL', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(keyless.origin);
    const panel = page.frameLocator('#panel');
    await expect.poll(async () => (await panel.locator('[data-testid=assist-result] .title').first().textContent().catch(() => '')) ?? '', { timeout: 30_000 }).toContain('信用卡丢了怎么挂失');
    expect(await panel.locator('header .mode').textContent()).toContain('API');
    await page.close();
  });

  it('lets only the configured workbench frame /assist; other pages stay unframeable', async () => {
    const assist = await fetch(`${zhida.url}/assist`);
    // Every page sends a full CSP (test/e2e/security-headers.e2e.ts); here only its frame-ancestors matters.
    const frameAncestors = (res: Response) => (res.headers.get('content-security-policy') ?? '').split(';').map((d) => d.trim()).filter((d) => d.startsWith('frame-ancestors'));
    expect(frameAncestors(assist)).toEqual([`frame-ancestors 'self' ${workbench.origin} ${keyless.origin}`]);
    expect(assist.headers.get('referrer-policy')).toBe('no-referrer');
    const answersPage = await fetch(`${zhida.url}/answers`);
    expect(frameAncestors(answersPage)).toEqual(["frame-ancestors 'self'"]);

    const page = await browser.newPage();
    await page.goto(stranger.origin);
    // Chromium refuses the frame: its document never becomes the panel.
    await page.waitForTimeout(1500);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const framedPanel = frame ? await frame.locator('[data-testid=assist-panel]').count().catch(() => 0) : 0;
    expect(framedPanel).toBe(0);
    await page.close();
  });

  it('receives the conversation by postMessage, suggests the right answer, and inserts it into the host', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(workbench.origin);
    const panel = page.frameLocator('#panel');
    const first = panel.locator('[data-testid=assist-result]').first();
    await first.waitFor({ timeout: 30_000 });
    expect(await first.locator('.title').textContent()).toContain('信用卡丢了怎么挂失');
    await first.locator('[data-testid=badge-stale]').waitFor();
    await expect.poll(() => panel.locator('[data-testid=assist-conversation]').count()).toBe(1);
    // The key left the address bar at once.
    const frame = page.frames().find((f) => f.url().includes('/assist'))!;
    expect(frame.url()).not.toContain('key=');

    // Keyboard: the search box drives the list; Enter opens the highlighted answer.
    const box = panel.locator('#assist-q');
    await box.fill('转账限额');
    await expect.poll(async () => (await panel.locator('[data-testid=assist-result] .title').first().textContent()) ?? '', { timeout: 15_000 }).toContain('限额');
    await box.press('ArrowDown');
    const secondId = await panel.locator('[data-testid=assist-result]').nth(1).getAttribute('data-answer-id');
    expect(await panel.locator('[data-testid=assist-result]').nth(1).getAttribute('aria-selected')).toBe('true');
    await box.press('Enter');
    await panel.locator('[data-testid=assist-answer]').waitFor();
    expect(await panel.locator('[data-testid=assist-answer]').getAttribute('aria-labelledby')).toBe('assist-answer-title');
    await panel.locator('text=返回列表').click();

    // Back to the conversation's suggestion: open it, see it formatted, insert it.
    await box.fill('');
    await box.press('Escape');
    await expect.poll(async () => (await panel.locator('[data-testid=assist-result] .title').first().textContent()) ?? '', { timeout: 15_000 }).toContain('信用卡丢了怎么挂失');
    expect(await panel.locator('.list-head').textContent()).toContain('根据对话推荐');
    await panel.locator('[data-testid=assist-result]').first().click();
    await panel.locator('[data-testid=assist-answer-body]').waitFor();
    expect(await panel.locator('[data-testid=assist-answer-body] p, [data-testid=assist-answer-body] li').count()).toBeGreaterThan(0);
    await panel.locator('[data-testid=assist-insert]').click();
    await expect.poll(() => page.locator('#inserted').textContent(), { timeout: 10_000 }).toContain('信用卡丢了怎么挂失');
    await keepScreenshot(page, 'assist-embedded');
    const inserted = JSON.parse((await page.locator('#inserted').textContent())!) as { answerId: string; hasHtml: boolean };
    expect(inserted.hasHtml).toBe(true);
    expect(await page.locator('#reply').inputValue()).toContain('挂失');
    expect(secondId).toBeTruthy();

    // Helpful / not helpful with a comment.
    await panel.locator('text=没帮助').click();
    await panel.locator('textarea').fill('缺少境外挂失电话');
    await panel.locator('text=提交反馈').click();
    await panel.locator('text=感谢反馈').waitFor({ timeout: 10_000 });
    await page.close();
  });

  it('ignores messages from a page that is not an allowed origin', async () => {
    // The panel framed by the allowed workbench, but the message comes from a window it does not trust.
    const page = await browser.newPage();
    await page.goto(workbench.origin);
    const panel = page.frameLocator('#panel');
    await panel.locator('[data-testid=assist-result]').first().waitFor({ timeout: 30_000 });
    const frame = page.frames().find((f) => f.url().includes('/assist'))!;
    // A message the panel posts to itself has its own origin (allowed as 'self') but not its parent as source.
    await frame.evaluate(() => window.postMessage({ type: 'zhida:conversation', messages: [{ role: 'customer', text: '房贷利率' }] }, '*'));
    await page.waitForTimeout(800);
    expect(await panel.locator('[data-testid=assist-result] .title').first().textContent()).toContain('信用卡丢了怎么挂失');
    await page.close();
  });

  it('works standalone with an agent sign-in, at sidebar width', async () => {
    const ctx = await browser.newContext({ viewport: { width: 380, height: 800 } });
    const login = await fetch(`${zhida.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'agent@zhida.local', password: 'zhida-agent-demo' }) });
    const cookie = /zhida_session=([^;]+)/.exec(login.headers.getSetCookie().join(';'))![1]!;
    await ctx.addCookies([{ name: 'zhida_session', value: cookie, url: zhida.url }]);
    const page = await ctx.newPage();
    await page.goto(`${zhida.url}/assist?q=${encodeURIComponent('信用卡年费')}`);
    await page.locator('[data-testid=assist-result]').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid=assist-result] .title').first().textContent()).toContain('年费');
    // Filters: the channel filter narrows the list through the API.
    await page.locator('summary:has-text("筛选")').click();
    await page.locator('[data-testid=assist-filter-channel]').selectOption('bot');
    await page.locator('[data-testid=assist-result]').first().waitFor();
    await keepScreenshot(page, 'assist-standalone');
    await pageCost(page, '/assist');
    // English is one switch away.
    await page.locator('[data-testid=language-switch]').selectOption('en');
    await page.locator('text=Agent assist').first().waitFor();
    expect(await page.locator('.list-head').textContent()).toContain('Search results');
    await ctx.close();
  });
});
