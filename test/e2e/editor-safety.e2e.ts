import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { keepScreenshot, launchBrowser, signInAs } from './browser.ts';

interface ApiAnswer {
  etag: string;
  live: { number: number; title: string } | null;
  working: { number: number; status: string; title: string; bodyHtml: string; bodyText: string } | null;
}

async function waitState(page: Page, state: string) {
  await expect.poll(() => page.getAttribute('[data-testid=save-state]', 'data-state'), { timeout: 20_000 }).toBe(state);
}

describe('editor app: conflicts, duplicates and unsafe paste, in Chromium', () => {
  let zhida: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    [zhida, browser] = await Promise.all([startTestServer({ ZHIDA_DEMO: '1' }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await zhida?.stop();
  });

  const getAnswer = async (id: string) => (await (await zhida.api(`/api/v1/answers/${id}`)).json()) as ApiAnswer;

  it('two browsers editing the same answer: the stale one sees both versions and chooses; nothing is silently overwritten', async () => {
    const list = (await (await zhida.api('/api/v1/answers?q=挂失&pageSize=1')).json()) as { items: { id: string; title: string }[] };
    const id = list.items[0]!.id;
    const original = list.items[0]!.title;
    const [ctxA, ctxB] = await Promise.all([browser.newContext({ viewport: { width: 1280, height: 900 } }), browser.newContext({ viewport: { width: 1280, height: 900 } })]);
    const [a, b] = await Promise.all([ctxA.newPage(), ctxB.newPage()]);
    await signInAs(a, zhida.url, 'editor');
    await signInAs(b, zhida.url, 'reviewer');
    for (const p of [a, b]) {
      await p.goto(new URL(`/answers/${id}`, zhida.url).href);
      await p.locator('[data-testid=title]').waitFor();
    }

    await a.locator('[data-testid=title]').fill(`${original}（A 的修改）`);
    await waitState(a, 'saved');

    // B still holds the old etag: its save is refused with 409 and the dialog shows theirs beside mine.
    await b.locator('[data-testid=title]').fill(`${original}（B 的修改）`);
    const dialog = b.locator('[data-testid=conflict-dialog]');
    await dialog.getByText('服务器上的当前版本').waitFor({ timeout: 20_000 });
    expect(await dialog.textContent()).toContain(`${original}（A 的修改）`);
    expect(await dialog.textContent()).toContain(`${original}（B 的修改）`);
    await keepScreenshot(b, 'editor-conflict');
    expect((await getAnswer(id)).working!.title).toBe(`${original}（A 的修改）`);

    // B reloads: the form now shows A's content.
    await dialog.locator('[data-testid=conflict-reload]').click();
    await expect.poll(() => b.inputValue('[data-testid=title]')).toBe(`${original}（A 的修改）`);

    // Now A is stale. A keeps theirs on top of B's newer save.
    await b.locator('[data-testid=title]').fill(`${original}（B 再次修改）`);
    await waitState(b, 'saved');
    await a.locator('[data-testid=title]').fill(`${original}（A 坚持）`);
    const dialogA = a.locator('[data-testid=conflict-dialog]');
    await dialogA.locator('[data-testid=conflict-keep-mine]').waitFor({ timeout: 20_000 });
    expect(await dialogA.textContent()).toContain(`${original}（B 再次修改）`);
    await dialogA.locator('[data-testid=conflict-keep-mine]').click();
    await waitState(a, 'saved');
    const final = await getAnswer(id);
    expect(final.working!.title).toBe(`${original}（A 坚持）`);
    expect(final.live!.title).toBe(original);
    await ctxA.close();
    await ctxB.close();
  });

  it('the duplicate guard shows an existing answer while the title is typed', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signInAs(page, zhida.url, 'editor');
    await page.goto(new URL('/answers/new', zhida.url).href);
    await page.locator('[data-testid=title]').pressSequentially('信用卡丢了怎么办', { delay: 30 });
    const guard = page.locator('[data-testid=duplicate-guard]');
    const link = guard.locator('a', { hasText: '信用卡丢了怎么挂失' });
    await link.waitFor({ timeout: 15_000 });
    expect(await link.getAttribute('href')).toMatch(/^\/answers\/[0-9a-f-]{36}$/);
    await keepScreenshot(page, 'editor-duplicate-guard');
    await page.close();
  });

  it('pasted HTML with scripts and handlers does not execute and is not saved', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await signInAs(page, zhida.url, 'editor');
    await page.goto(new URL('/answers/new', zhida.url).href);
    await page.locator('[data-testid=title]').fill('粘贴安全测试');
    const body = page.locator('[data-testid=body-editor]');
    await body.click();
    const html = [
      '<meta charset="utf-8"><p style="color:red" onclick="window.__pwned=1">来自网页的<b>粗体</b>内容</p>',
      '<script>window.__pwned = 2; alert("xss")</script>',
      '<img src="x" onerror="window.__pwned=3; alert(1)">',
      '<a href="javascript:window.__pwned=4">坏链接</a>',
      '<iframe src="javascript:alert(2)"></iframe>',
      '<table><tr><td>费用</td><td>10元</td></tr></table>',
    ].join('');
    await body.evaluate((el, pasted) => {
      const data = new DataTransfer();
      data.setData('text/html', pasted);
      data.setData('text/plain', '来自网页的粗体内容');
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, html);
    await body.getByText('来自网页的').waitFor();
    await page.waitForTimeout(500);
    const inner = await body.innerHTML();
    expect(inner).toContain('<strong>粗体</strong>');
    expect(inner).toContain('10元');
    expect(inner).not.toMatch(/<script|onerror|onclick|<img|<iframe|javascript:/i);
    // Clicking the pasted link must not run its javascript: URL either.
    const links = body.locator('a');
    if (await links.count()) await links.first().click();
    await waitState(page, 'saved');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);

    const id = page.url().split('/').at(-1)!;
    const saved = await getAnswer(id);
    expect(saved.working!.bodyText).toContain('来自网页的粗体内容');
    expect(saved.working!.bodyHtml).not.toMatch(/<script|onerror|onclick|<img|<iframe|javascript:/i);
    await page.close();
  });
});
