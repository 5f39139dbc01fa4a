import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { keepScreenshot, launchBrowser, signInAs } from './browser.ts';

interface ApiAnswer {
  etag: string;
  live: { number: number; title: string; bodyText: string; botText: string; similarQuestions: string[] } | null;
  working: { number: number; status: string; title: string; bodyText: string; reviewComment: string | null; restoredFrom: number | null } | null;
  versions: { number: number; status: string }[];
}

const TITLE = '外币定期存款提前支取怎么计算利息？';
const ADDED = '（自2027年起按新规执行）';

async function waitSaved(page: Page) {
  await expect.poll(() => page.getAttribute('[data-testid=save-state]', 'data-state'), { timeout: 20_000 }).toBe('saved');
}

describe('editor app: draft -> review -> publish -> history, in Chromium', () => {
  let zhida: TestServer;
  let browser: Browser;
  let editor: BrowserContext;
  let reviewer: BrowserContext;
  let editorPage: Page;
  let reviewerPage: Page;
  let answerId = '';

  const answer = async () => (await (await zhida.api(`/api/v1/answers/${answerId}`)).json()) as ApiAnswer;

  beforeAll(async () => {
    [zhida, browser] = await Promise.all([startTestServer({ ZHIDA_DEMO: '1' }), launchBrowser()]);
    editor = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    reviewer = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    editorPage = await editor.newPage();
    reviewerPage = await reviewer.newPage();
    await signInAs(editorPage, zhida.url, 'editor');
    await signInAs(reviewerPage, zhida.url, 'reviewer');
  });
  afterAll(async () => {
    await browser?.close();
    await zhida?.stop();
  });

  it('creates an answer with rich text, similar questions and a bot variant, then submits it', async () => {
    const page = editorPage;
    await page.locator('[data-testid=new-answer]').click();
    await page.waitForURL(/\/answers\/new$/);
    await page.locator('[data-testid=title]').fill(TITLE);

    // Similar questions: one typed, three pasted at once (one per line).
    await page.locator('[data-testid=add-similar]').click();
    await page.getByLabel('相似问法 1').fill('外币定存提前取出利息怎么算');
    await page.getByText('批量粘贴').click();
    await page.locator('[data-testid=similar-bulk]').fill('美元定期提前支取\n- 外币存款没到期取出来\n\n美元定期提前支取');
    await page.getByRole('button', { name: '全部添加' }).click();
    await expect.poll(() => page.locator('[data-testid=similar-questions] ol input').count()).toBe(3);

    // The toolbar is keyboard operable: arrows move between its buttons.
    await page.locator('[data-testid=tb-h2]').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('tb-h3');
    await page.keyboard.press('ArrowLeft');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('tb-h2');

    // Body with a heading, bold text and a bulleted list from the toolbar.
    const body = page.locator('[data-testid=body-editor]');
    // A person clicks a toolbar button and then types; wait, as they would, until the editor has
    // the focus back and the button shows its new state (on a loaded machine this takes a moment).
    const tool = async (id: string, pressed?: boolean) => {
      await page.locator(`[data-testid=${id}]`).click();
      await expect.poll(() => page.evaluate(() => !!document.activeElement?.closest('[data-testid=body-editor]'))).toBe(true);
      if (pressed !== undefined) await expect.poll(() => page.locator(`[data-testid=${id}]`).getAttribute('aria-pressed')).toBe(String(pressed));
    };
    await body.click();
    await tool('tb-h2', true);
    await page.keyboard.type('提前支取规则');
    await page.keyboard.press('Enter');
    await page.keyboard.type('外币定期存款可以');
    await tool('tb-bold', true);
    await page.keyboard.type('部分或全部提前支取');
    await tool('tb-bold', false);
    await page.keyboard.type('，提前支取部分按活期利率计息。');
    await page.keyboard.press('Enter');
    await tool('tb-bullet', true);
    await page.keyboard.type('携带本人有效身份证件');
    await page.keyboard.press('Enter');
    await page.keyboard.type('到开户网点柜台办理');
    expect(await body.innerHTML()).toMatch(/<h2>提前支取规则<\/h2>.*<strong>部分或全部提前支取<\/strong>.*<ul>/s);

    // Bot variant, previewed live as a chat bubble.
    await page.locator('[data-testid=bot-text]').fill('外币定存可提前支取，提前部分按活期利率计息。');
    expect(await page.textContent('[data-testid=bot-preview]')).toContain('外币定存可提前支取，提前部分按活期利率计息。');
    await waitSaved(page);
    await page.waitForURL(/\/answers\/[0-9a-f-]{36}$/);
    answerId = page.url().split('/').at(-1)!;
    await keepScreenshot(page, 'editor-new-answer');

    const saved = await answer();
    expect(saved.live).toBeNull();
    expect(saved.working).toMatchObject({ status: 'draft', title: TITLE });
    expect((saved.working as unknown as { similarQuestions: string[] }).similarQuestions).toEqual(['外币定存提前取出利息怎么算', '美元定期提前支取', '外币存款没到期取出来']);
    expect(saved.working!.bodyText).toContain('部分或全部提前支取');

    await page.locator('[data-testid=submit-review]').click();
    await page.locator('[data-testid=notice]').getByText('已提交审核').waitFor();
    expect((await answer()).working?.status).toBe('in_review');
    // The author gets no approve button, and the server refuses if they try anyway (four eyes / role).
    expect(await page.locator('[data-testid=approve]').count()).toBe(0);
    const attempt = await page.evaluate(async (id) => {
      const me = await (await fetch('/api/v1/auth/me')).json();
      const a = await (await fetch(`/api/v1/answers/${id}`)).json();
      const res = await fetch(`/api/v1/answers/${id}/approve`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify({ etag: a.etag }) });
      return res.status;
    }, answerId);
    expect(attempt).toBe(403);
  });

  it('a reviewer sees the submission in the queue, approves it, and search finds it', async () => {
    const page = reviewerPage;
    // The list's "needs my review" view has it; the author's "my drafts" view too.
    await page.goto(new URL('/answers', zhida.url).href);
    await page.locator('[data-testid=view-review]').click();
    await page.waitForURL(/needsMyReview=1/);
    await page.locator('[data-testid=answers-table] tbody tr', { hasText: TITLE }).locator('[data-status=in_review]').waitFor();
    await keepScreenshot(page, 'editor-needs-my-review');
    await editorPage.goto(new URL('/answers', zhida.url).href);
    await editorPage.locator('[data-testid=view-mine]').click();
    await editorPage.locator('[data-testid=answers-table] tbody tr', { hasText: TITLE }).waitFor();
    // Filters live in the URL; the archive filter narrows the list (nothing of ours is archived).
    await editorPage.getByLabel('归档').selectOption('1');
    await editorPage.waitForURL(/archived=1/);
    await editorPage.locator('[data-testid=answers-table]').getByText('没有符合条件的答案').waitFor();

    await page.goto(new URL('/review', zhida.url).href);
    const submission = page.locator('[data-testid=submission]', { hasText: TITLE });
    await submission.waitFor();
    expect(await submission.textContent()).toContain('部分或全部提前支取');
    await keepScreenshot(page, 'editor-review-queue');
    await submission.locator('[data-testid=approve]').click();
    await submission.getByText('已批准').waitFor();

    const published = await answer();
    expect(published.live).toMatchObject({ number: 1, title: TITLE });
    expect(published.working).toBeNull();
    await expect
      .poll(async () => {
        const res = await zhida.api('/api/v1/search', { method: 'POST', json: { query: '外币定期提前支取利息' } });
        return ((await res.json()) as { results: { answerId: string }[] }).results.map((r) => r.answerId);
      }, { timeout: 20_000 })
      .toContain(answerId);
  });

  it('editing the published answer makes a new draft while the old version stays live; history shows the diff', async () => {
    const page = editorPage;
    await page.goto(new URL(`/answers/${answerId}`, zhida.url).href);
    await page.getByText('修改会生成新的草稿').waitFor();
    const body = page.locator('[data-testid=body-editor]');
    await body.locator('p').first().click();
    await page.keyboard.press('End');
    await page.keyboard.type(ADDED);
    await waitSaved(page);

    const edited = await answer();
    expect(edited.live).toMatchObject({ number: 1 });
    expect(edited.live!.bodyText).not.toContain(ADDED);
    expect(edited.working).toMatchObject({ number: 2, status: 'draft' });
    expect(edited.working!.bodyText).toContain(ADDED);

    await page.locator('[data-testid=history-link]').click();
    await page.waitForURL(/\/history$/);
    const diff = page.locator('[data-testid=version-diff]');
    await diff.waitFor();
    expect(await diff.locator('ins').allTextContents()).toContain(ADDED);
    await page.locator('[data-testid=diff-mode]').selectOption('inline');
    expect(await page.locator('[data-testid=diff-inline] ins').allTextContents()).toContain(ADDED);
    await page.locator('[data-testid=diff-mode]').selectOption('side-by-side');
    await keepScreenshot(page, 'editor-history-diff');
  });

  it('restores an old version as a new draft', async () => {
    const page = editorPage;
    page.once('dialog', (d) => void d.accept());
    await page.locator('[data-testid=restore-1]').click();
    await page.waitForURL(new RegExp(`/answers/${answerId}$`));
    await page.locator('[data-testid=answer-editor]').waitFor();
    const restored = await answer();
    expect(restored.live).toMatchObject({ number: 1 });
    expect(restored.working?.restoredFrom).toBe(1);
    expect(restored.working!.bodyText).not.toContain(ADDED);
    expect(await page.locator('[data-testid=body-editor]').textContent()).not.toContain(ADDED);
  });

  it('a reviewer rejects with a required comment, and the author sees it', async () => {
    await editorPage.locator('[data-testid=title]').fill(`${TITLE}（修订）`);
    await waitSaved(editorPage);
    await editorPage.locator('[data-testid=submit-review]').click();
    await editorPage.locator('[data-testid=notice]').getByText('已提交审核').waitFor();

    const page = reviewerPage;
    await page.goto(new URL('/review', zhida.url).href);
    const submission = page.locator('[data-testid=submission]', { hasText: `${TITLE}（修订）` });
    await submission.waitFor();
    // Against the live version: the title change is shown.
    expect(await submission.locator('[data-testid=version-diff]').textContent()).toContain('（修订）');
    await submission.locator('[data-testid=reject]').click();
    await submission.getByText('驳回时请填写意见').waitFor();
    expect((await answer()).working?.status).toBe('in_review');
    await submission.locator('[data-testid=review-comment]').fill('标题不要加“修订”字样，请删除后重新提交。');
    await submission.locator('[data-testid=reject]').click();
    await submission.getByText('已驳回').waitFor();

    await editorPage.reload();
    const rejection = editorPage.locator('[data-testid=rejection]');
    await rejection.waitFor();
    expect(await rejection.textContent()).toContain('标题不要加“修订”字样');
    await keepScreenshot(editorPage, 'editor-rejected');
    expect((await answer()).live).toMatchObject({ number: 1, title: TITLE });
  });

  it('a reviewer cannot approve a version they submitted (four eyes), in plain words', async () => {
    const page = reviewerPage;
    await page.goto(new URL('/answers/new', zhida.url).href);
    await page.locator('[data-testid=title]').fill('审核员自己写的答案能自己批准吗');
    await page.locator('[data-testid=body-editor]').click();
    await page.keyboard.type('不能，必须由另一位审核员批准。');
    await waitSaved(page);
    await page.locator('[data-testid=submit-review]').click();
    await page.locator('[data-testid=notice]').getByText('已提交审核').waitFor();
    // Said before clicking: the approve button is disabled, with the reason next to it.
    await page.locator('[data-testid=four-eyes-note]').getByText('须由另一位审核员批准（四眼原则）').waitFor();
    expect(await page.locator('[data-testid=review-panel] [data-testid=approve]').isDisabled()).toBe(true);
    // The server refuses anyway if the request is sent (four-eyes is the server's rule).
    const attempt = await page.evaluate(async () => {
      const id = location.pathname.split('/').at(-1);
      const me = await (await fetch('/api/v1/auth/me')).json();
      const a = await (await fetch(`/api/v1/answers/${id}`)).json();
      const res = await fetch(`/api/v1/answers/${id}/approve`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify({ etag: a.etag }) });
      return ((await res.json()) as { error: { code: string } }).error.code;
    });
    expect(attempt).toBe('four_eyes');
  });

  it('works in a narrow window', async () => {
    const page = await editor.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(new URL(`/answers/${answerId}`, zhida.url).href);
    await page.locator('[data-testid=answer-editor]').waitFor();
    // Nothing sticks out sideways (names the culprits when something does).
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`)
        .slice(0, 5),
    );
    expect(wide).toEqual([]);
    await page.getByRole('button', { name: '菜单' }).click();
    await page.getByRole('link', { name: '答案' }).waitFor();
    await keepScreenshot(page, 'editor-narrow');
    await page.close();
  });
});
