import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { keepScreenshot, launchBrowser, seriousA11yViolations, signInAs } from './browser.ts';

interface ApiVersion {
  number: number;
  status: string;
  title: string;
  bodyHtml: string;
  botText: string;
  category: string | null;
  restoredFrom: number | null;
}
interface ApiAnswer {
  etag: string;
  archived: boolean;
  live: ApiVersion | null;
  working: ApiVersion | null;
}

const TITLE = '借记卡跨行取款手续费怎么收？';

async function waitSaved(page: Page) {
  await expect.poll(() => page.getAttribute('[data-testid=save-state]', 'data-state'), { timeout: 20_000 }).toBe('saved');
}

/** Both widths the issue asks for: the desktop and a phone. */
async function screenshots(page: Page, name: string) {
  await keepScreenshot(page, `${name}-1280`);
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 390, height: 844 });
  await keepScreenshot(page, `${name}-390`);
  await page.setViewportSize(size);
}

describe('editor app: write, format, withdraw, review with all fields and a formatted diff, reject, archive, agents, analytics (Chromium)', () => {
  let zhida: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let editorPage: Page;
  let reviewerPage: Page;
  let answerId = '';

  const answer = async () => (await (await zhida.api(`/api/v1/answers/${answerId}`)).json()) as ApiAnswer;

  beforeAll(async () => {
    [zhida, browser] = await Promise.all([startTestServer({ ZHIDA_DEMO: '1' }), launchBrowser()]);
    for (let i = 0; i < 2; i++) contexts.push(await browser.newContext({ viewport: { width: 1280, height: 900 } }));
    editorPage = await contexts[0]!.newPage();
    reviewerPage = await contexts[1]!.newPage();
    await signInAs(editorPage, zhida.url, 'editor');
    await signInAs(reviewerPage, zhida.url, 'reviewer');
  });
  afterAll(async () => {
    await browser?.close();
    await zhida?.stop();
  });

  it('writes an answer with a warning callout and a table (rows, columns, header, merge/split), in the full category path', async () => {
    const page = editorPage;
    await page.goto(new URL('/answers/new', zhida.url).href);
    const heading = page.locator('[data-testid=page-heading]');
    await heading.getByText('新建答案').waitFor();
    await page.locator('[data-testid=title]').fill(TITLE);
    // The category shows its whole path, not the leaf alone.
    const picker = page.locator('#category');
    await picker.locator('option', { hasText: '信用卡 › 挂失与补卡' }).waitFor({ state: 'attached' });
    await picker.selectOption('信用卡/挂失与补卡');

    // The toolbar speaks the user's language and has no code buttons.
    expect(await page.locator('[data-testid=tb-calloutWarning]').getAttribute('aria-label')).toBe('警示框（重要提醒）');
    expect(await page.locator('[data-testid=tb-table]').getAttribute('title')).toBe('插入表格');
    expect(await page.locator('[data-testid=tb-code], [data-testid=tb-codeBlock]').count()).toBe(0);

    const body = page.locator('[data-testid=body-editor]');
    const tool = async (id: string) => {
      await page.locator(`[data-testid=${id}]`).click();
      await expect.poll(() => page.evaluate(() => !!document.activeElement?.closest('[data-testid=body-editor]'))).toBe(true);
    };
    await body.click();
    await page.keyboard.type('注意：跨行取款手续费以实际扣收为准。');
    await tool('tb-calloutWarning');
    await expect.poll(() => page.locator('[data-testid=tb-calloutWarning]').getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('Enter');
    await tool('tb-calloutWarning'); // lift the new paragraph out of the box
    await expect.poll(() => page.locator('[data-testid=tb-calloutWarning]').getAttribute('aria-pressed')).toBe('false');
    await page.keyboard.type('收费标准如下：');
    await page.keyboard.press('Enter');

    // No table yet: the table tools are not shown. Insert one, and they appear.
    await page.locator('[data-testid=tb-table]').waitFor();
    expect(await page.locator('[data-testid=table-toolbar]').count()).toBe(0);
    await tool('tb-table');
    const tableTools = page.locator('[data-testid=table-toolbar]');
    await tableTools.waitFor();
    expect(await tableTools.locator('[data-testid=tt-headerRow]').getAttribute('aria-pressed')).toBe('true');
    await tool('tt-colDelete'); // 3 columns -> 2
    await expect.poll(() => body.locator('table tr').first().locator('th, td').count()).toBe(2);
    for (const [i, text] of ['卡种', '手续费', '借记卡', '12元/笔', '信用卡', '免费'].entries()) {
      if (i) await page.keyboard.press('Tab');
      await page.keyboard.type(text);
    }
    await tool('tt-rowAfter');
    await expect.poll(() => body.locator('table tr').count()).toBe(4);
    // In the new (empty) row: merge its two cells (Shift+Arrow selects across cells), split them
    // again, then delete the row.
    await body.locator('table tr').last().locator('td').first().click();
    await page.keyboard.press('Shift+ArrowRight');
    const tableTools2 = page.locator('[data-testid=table-toolbar]');
    await expect.poll(() => tableTools2.locator('[data-testid=tt-merge]').isEnabled()).toBe(true);
    await tableTools2.locator('[data-testid=tt-merge]').click();
    await expect.poll(() => body.locator('td[colspan="2"]').count()).toBe(1);
    await keepScreenshot(page, 'workflow-editor-table-merged-1280');
    await tableTools2.locator('[data-testid=tt-split]').click();
    await expect.poll(() => body.locator('td[colspan="2"]').count()).toBe(0);
    await body.locator('table tr').last().locator('td').first().click();
    await tool('tt-rowDelete');
    await expect.poll(() => body.locator('table tr').count()).toBe(3);

    // The bot's short text reads the table row by row, with the column names.
    await expect.poll(() => page.textContent('[data-testid=bot-preview]')).toContain('卡种：借记卡；手续费：12元/笔');
    await waitSaved(page);
    await page.waitForURL(/\/answers\/[0-9a-f-]{36}$/);
    answerId = page.url().split('/').at(-1)!;
    // After the first save this is an existing answer, and the heading says so.
    await heading.getByText('编辑答案').waitFor();
    const saved = await answer();
    expect(saved.working!.bodyHtml).toContain('<aside class="callout" data-callout="warning">');
    expect(saved.working!.bodyHtml).toMatch(/<table>.*<th[^>]*>.*卡种/s);
    expect(saved.working!.botText).toContain('卡种：借记卡；手续费：12元/笔');
    expect(saved.working!.botText).toContain('卡种：信用卡；手续费：免费');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await body.locator('p').first().click(); // out of the table: the screenshot shows the plain toolbar too
    await screenshots(page, 'workflow-editor');
  });

  it('submits, withdraws (back to a draft) and submits again', async () => {
    const page = editorPage;
    await page.locator('[data-testid=submit-review]').click();
    await page.locator('[data-testid=notice]').getByText('已提交审核').waitFor();
    await page.locator('[data-testid=withdraw]').click();
    await page.locator('[data-testid=notice]').getByText('已撤回提交').waitFor();
    expect((await answer()).working?.status).toBe('draft');
    expect(await page.locator('[data-testid=withdraw]').count()).toBe(0);
    await page.locator('[data-testid=submit-review]').click();
    await page.locator('[data-testid=notice]').getByText('已提交审核').waitFor();
    expect((await answer()).working?.status).toBe('in_review');
  });

  it('the reviewer sees every field of the new answer and its formatted body, and rejects with a reason', async () => {
    const page = reviewerPage;
    await page.goto(new URL('/review', zhida.url).href);
    const submission = page.locator('[data-testid=submission]', { hasText: TITLE });
    await submission.waitFor();
    const fields = submission.locator('[data-testid=diff-fields]');
    expect(await fields.locator('tr[data-field=category] td').textContent()).toContain('信用卡 › 挂失与补卡');
    expect(await fields.locator('tr[data-field=channels] td').textContent()).toMatch(/机器人.*坐席.*网页/s);
    expect(await fields.locator('tr[data-field=botText] td').textContent()).toContain('卡种：借记卡；手续费：12元/笔');
    expect(await fields.locator('tr[data-field=botText] td').textContent()).toContain('由正文自动生成');
    for (const f of ['title', 'similarQuestions', 'tags', 'effectiveFrom', 'expiresAt', 'reviewDueAt']) expect(await fields.locator(`tr[data-field=${f}]`).count()).toBe(1);
    await submission.locator('[data-testid=body-new] table th', { hasText: '卡种' }).waitFor();
    await submission.locator('[data-testid=body-new] aside.callout').waitFor();
    // The reviewer did not write it: approve is enabled, no four-eyes note.
    expect(await submission.locator('[data-testid=approve]').isEnabled()).toBe(true);
    expect(await submission.locator('[data-testid=four-eyes-note]').count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, 'workflow-review-new-answer');
    await submission.locator('[data-testid=review-comment]').fill('请补充信用卡取现的手续费');
    await submission.locator('[data-testid=reject]').click();
    await submission.getByText('已驳回').waitFor();
  });

  it('the author hears of the rejection in the bell, with the reviewer and the reason', async () => {
    const page = editorPage;
    await page.goto(new URL('/answers', zhida.url).href);
    const count = page.locator('[data-testid=reminders-count]');
    await count.waitFor();
    await page.locator('[data-testid=reminders-button]').click();
    const notice = page.locator('[data-testid=notice-rejected]', { hasText: TITLE });
    await notice.waitFor();
    expect(await notice.textContent()).toContain('被 审核员 李审 驳回');
    expect(await notice.textContent()).toContain('请补充信用卡取现的手续费');
    await screenshots(page, 'workflow-bell-rejection');
    await page.locator('[data-testid=reminders-button]').click();
    // "My drafts" lists the rejected answer, and only unfinished work.
    await page.locator('[data-testid=view-mine]').click();
    await page.waitForURL(/mine=1/);
    await page.locator('[data-testid=answers-table] tbody tr', { hasText: TITLE }).waitFor();
    const statuses = await page.locator('[data-testid=status-cell] [data-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    expect(statuses.filter((s) => ['draft', 'in_review', 'rejected'].includes(s!)).length).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=answers-table] tbody tr').evaluateAll((rows) => rows.filter((r) => !r.querySelector('[data-status=draft],[data-status=in_review],[data-status=rejected]')).length)).toBe(0);
  });

  it('after publishing, a changed table cell shows as one marked cell in the formatted diff', async () => {
    // Fix and publish (editor edits the rejected version, reviewer approves), then change one cell.
    const page = editorPage;
    await page.goto(new URL(`/answers/${answerId}`, zhida.url).href);
    await page.locator('[data-testid=rejection]').waitFor();
    const body = page.locator('[data-testid=body-editor]');
    await body.locator('td', { hasText: '免费' }).click();
    await page.keyboard.press('End');
    await page.keyboard.type('（取现另收1%）');
    await waitSaved(page);
    await page.locator('[data-testid=submit-review]').click();
    await page.locator('[data-testid=notice]').getByText('已提交审核').waitFor();
    await reviewerPage.goto(new URL('/review', zhida.url).href);
    let submission = reviewerPage.locator('[data-testid=submission]', { hasText: TITLE });
    await submission.locator('[data-testid=approve]').click();
    await submission.getByText('已批准').waitFor();
    expect((await answer()).live?.number).toBe(2);

    await page.goto(new URL(`/answers/${answerId}`, zhida.url).href);
    await page.getByText('修改会生成新的草稿').waitFor();
    await body.locator('td', { hasText: '12元/笔' }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('15元/笔');
    await waitSaved(page);
    await page.locator('[data-testid=submit-review]').click();
    await page.locator('[data-testid=notice]').getByText('已提交审核').waitFor();

    await reviewerPage.goto(new URL('/review', zhida.url).href);
    submission = reviewerPage.locator('[data-testid=submission]', { hasText: TITLE });
    const formatted = submission.locator('[data-testid=diff-formatted]');
    await formatted.waitFor();
    // The table is rendered; the one changed cell holds the deletion and the insertion.
    const changedCells = formatted.locator('td:has(ins), td:has(del)');
    await expect.poll(() => changedCells.count()).toBe(1);
    expect(await changedCells.first().textContent()).toMatch(/1.*2.*5.*元\/笔/);
    expect(await formatted.locator('del').allTextContents()).toContain('2');
    expect(await formatted.locator('ins').allTextContents()).toContain('5');
    expect(await formatted.locator('th', { hasText: '卡种' }).count()).toBe(1);
    // Every field is listed; only the derived bot text (it reads the table) is marked as changed.
    expect(await submission.locator('tr.changed').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-field')))).toEqual(['botText']);
    expect(await submission.locator('tr[data-field=category]').count()).toBe(1);
    await screenshots(reviewerPage, 'workflow-review-formatted-diff');
    // The plain-text diff is one choice away.
    await reviewerPage.locator('[data-testid=diff-mode]').selectOption('inline');
    expect((await submission.locator('[data-testid=diff-inline] ins').allTextContents()).join('')).toContain('5');
    await reviewerPage.locator('[data-testid=diff-mode]').selectOption('formatted');
    await submission.locator('[data-testid=approve]').click();
    await submission.getByText('已批准').waitFor();
  });

  it('archiving asks for confirmation and a reason, which is audited', async () => {
    const page = reviewerPage;
    await page.goto(new URL(`/answers/${answerId}`, zhida.url).href);
    await page.locator('[data-testid=archive-toggle]').click();
    const dialog = page.locator('[data-testid=archive-dialog]');
    await dialog.getByText(TITLE).waitFor();
    // Cancel changes nothing.
    await dialog.getByRole('button', { name: '取消' }).click();
    await dialog.getByText(TITLE).waitFor({ state: 'detached' });
    expect((await answer()).archived).toBe(false);
    await page.locator('[data-testid=archive-toggle]').click();
    await dialog.locator('[data-testid=archive-confirm]').click();
    await dialog.getByText('请填写归档原因').waitFor();
    expect((await answer()).archived).toBe(false);
    await dialog.locator('[data-testid=archive-reason]').fill('收费标准调整，待重写');
    await dialog.locator('[data-testid=archive-confirm]').click();
    await page.locator('[data-testid=notice]').getByText('已归档').waitFor();
    expect((await answer()).archived).toBe(true);
    const audit = (await (await zhida.api(`/api/v1/audit?entityId=${answerId}&action=answer.archived`)).json()) as { items: { action: string; details: unknown }[] };
    expect(audit.items.find((a) => a.action === 'answer.archived')?.details).toEqual({ reason: '收费标准调整，待重写' });
  });

  it('agents see live answers only, read-only, with a loading state and no drafts', async () => {
    // A draft the content team is writing: agents must not see it.
    const draft = await zhida.api('/api/v1/answers', { method: 'POST', json: { title: '测试草稿：坐席不应看到', bodyMarkdown: '草稿' } });
    expect(draft.status).toBe(201);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signInAs(page, zhida.url, 'agent');
    await page.locator('[data-testid=live-only-hint]').waitFor();
    const rows = page.locator('[data-testid=answers-table] tbody tr');
    await rows.first().locator('a').waitFor();
    await page.locator('[data-testid=list-search]').fill('测试草稿');
    await page.getByRole('button', { name: '搜索' }).click();
    await page.waitForURL(/q=/);
    await page.locator('[data-testid=list-empty]').getByText('没有符合条件的答案').waitFor();
    // Archived answers are not listed either.
    await page.locator('[data-testid=list-search]').fill(TITLE);
    await page.getByRole('button', { name: '搜索' }).click();
    await page.waitForURL(new RegExp(`q=${encodeURIComponent(TITLE).slice(0, 12)}`));
    await page.locator('[data-testid=list-empty]').waitFor();
    await page.goto(new URL('/answers', zhida.url).href);
    await rows.first().locator('a').waitFor();
    expect(await page.locator('[data-testid=view-mine], [data-testid=new-answer], [data-testid=filter-status]').count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, 'workflow-agent-list');
    await rows.first().locator('a').click();
    await page.locator('[data-testid=agent-readonly]').waitFor();
    expect(await page.locator('[role=toolbar], [data-testid=submit-review]').count()).toBe(0);
    await context.close();
  });

  it('links to another answer by id, so the link survives renaming it', async () => {
    const page = editorPage;
    await page.goto(new URL('/answers/new', zhida.url).href);
    await page.locator('[data-testid=title]').fill('借记卡挂失后怎么补卡？');
    await page.locator('[data-testid=body-editor]').click();
    await page.keyboard.type('请先办理挂失，参见：');
    await page.locator('[data-testid=tb-link]').click();
    await page.locator('[data-testid=link-answer-search]').fill('信用卡丢了');
    const hit = page.locator('[data-testid=link-answer-hit]', { hasText: '信用卡丢了怎么挂失' });
    await hit.click();
    const link = page.locator('[data-testid=body-editor] a', { hasText: '信用卡丢了怎么挂失' });
    await link.waitFor();
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/^\/answers\/[0-9a-f-]{36}$/);
    await waitSaved(page);
    const id = page.url().split('/').at(-1)!;
    const saved = (await (await zhida.api(`/api/v1/answers/${id}`)).json()) as ApiAnswer;
    expect(saved.working!.bodyHtml).toContain(`href="${href}"`);
    // The linked answer is renamed: the link (by id) still opens it.
    const target = (await (await zhida.api(`/api/v1${href}`)).json()) as ApiAnswer;
    const renamed = await zhida.api(`/api/v1${href}/draft`, { method: 'PATCH', json: { etag: target.etag, title: '信用卡遗失如何挂失？' } });
    expect(renamed.status).toBe(200);
    await page.goto(new URL(href, zhida.url).href);
    await page.locator('[data-testid=title]').waitFor();
    expect(await page.locator('[data-testid=title]').inputValue()).toBe('信用卡遗失如何挂失？');
  });

  it('analytics: dates across the period, the period rates chart; the admin menu keeps the bar on one line at 1280 px', async () => {
    const page = reviewerPage;
    for (const query of ['彩票怎么中大奖', '彩票怎么中大奖', '火星上有分行吗']) await zhida.api('/api/v1/search', { method: 'POST', json: { query } });
    await page.goto(new URL('/analytics', zhida.url).href);
    await page.locator('[data-testid=chart-period-rates] canvas').waitFor();
    // A gap that needs no answer is marked out of scope, leaves the list, and can be restored.
    const gapRow = page.locator('[data-testid=gap-table] [data-testid=gap-row][data-query=彩票怎么中大奖]');
    await gapRow.waitFor();
    await gapRow.locator('[data-testid=gap-out-of-scope]').click();
    await page.locator('[data-testid=gap-notice]').getByText('已将「彩票怎么中大奖」标为非业务范围').waitFor();
    await page.locator('[data-testid=gap-table] [data-testid=gap-row][data-query=火星上有分行吗]').waitFor();
    expect(await gapRow.count()).toBe(0);
    await page.locator('[data-testid=dismissed-gaps] summary').click();
    const dismissedRow = page.locator('[data-testid=dismissed-gap-table] [data-testid=gap-row][data-query=彩票怎么中大奖]');
    await dismissedRow.getByText('非业务范围').waitFor();
    await dismissedRow.locator('[data-testid=gap-restore]').click();
    await gapRow.waitFor();
    await page.locator('[data-testid=chart-searches] canvas').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, 'workflow-analytics');

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const admin = await context.newPage();
    await signInAs(admin, zhida.url, 'admin');
    const nav = admin.locator('#main-nav');
    const links = await nav.locator(':scope > a, :scope > .group > button').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    expect(links.length).toBeGreaterThan(5);
    expect(new Set(links).size).toBe(1); // one row
    await admin.locator('[data-testid=nav-group-admin]').click();
    await admin.getByRole('link', { name: '用户与角色' }).click();
    await admin.waitForURL(/\/admin\/users$/);
    await context.close();
  });
});
