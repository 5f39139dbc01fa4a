import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createStaff, type StaffSession } from '../helpers/staff.ts';
import { keepScreenshot, launchBrowser, pageCost } from './browser.ts';

// A way customers say "I lost my card" that no answer covers yet (zero results in the demo).
const GAP_QUERY = '卡掉了';
const TARGET_TITLE = '借记卡丢了怎么挂失？';

interface SearchBody {
  searchId: string;
  results: { answerId: string; title: string }[];
}

describe('analytics: a zero-result query becomes a similar question (Chromium)', () => {
  let zhida: TestServer;
  let browser: Browser;
  let author: StaffSession;
  let approver: StaffSession;
  let ctx: BrowserContext;

  const search = async (query: string) => (await (await zhida.api('/api/v1/search', { method: 'POST', json: { query, limit: 5 } })).json()) as SearchBody;

  beforeAll(async () => {
    [zhida, browser] = await Promise.all([startTestServer({ ZHIDA_DEMO: '1' }), launchBrowser()]);
    [author, approver] = await Promise.all([createStaff(zhida, 'reviewer', '审核员 甲'), createStaff(zhida, 'reviewer', '审核员 乙')]);
    ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    await ctx.addCookies([{ name: 'zhida_session', value: author.cookie.split('=')[1]!, url: zhida.url }]);
  });
  afterAll(async () => {
    await browser?.close();
    await zhida?.stop();
  });

  it('lists the gap, adds it to an answer as a draft, and after four-eyes approval search finds the answer', async () => {
    // Traffic: the gap asked twice (two wordings), some answered searches, a bot turn and feedback.
    expect((await search(GAP_QUERY)).results).toEqual([]);
    await search('卡掉了怎么办');
    const answered = await search('信用卡年费怎么收');
    expect(answered.results.length).toBeGreaterThan(0);
    await zhida.api('/api/v1/bot/answer', { method: 'POST', json: { query: '信用卡丢了怎么挂失', channel: 'bot' } });
    const fb = await zhida.api('/api/v1/feedback', { method: 'POST', json: { searchId: answered.searchId, answerId: answered.results[0]!.answerId, helpful: true } });
    expect(fb.status).toBeLessThan(300);

    const page = await ctx.newPage();
    await page.goto(`${zhida.url}/analytics`);
    await page.locator('[data-testid=analytics-kpis]').waitFor({ timeout: 30_000 });
    await pageCost(page, '/analytics');
    const row = page.locator(`[data-testid=gap-row][data-query="${GAP_QUERY}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('卡掉了怎么办'); // grouped with its other wording
    await page.locator('[data-testid=chart-searches] canvas').waitFor();
    expect(await page.locator('[data-kpi=helpfulRate] dd').textContent()).toBe('100.0%');
    expect(await page.locator('[data-kpi=zeroResultRate] dd').textContent()).not.toBe('—');
    await keepScreenshot(page, 'analytics');

    // Add as similar question to the debit-card loss answer.
    await row.locator('[data-testid=gap-add-similar]').click();
    const dialog = page.locator('[data-testid=gap-add-dialog]');
    await dialog.locator('[data-testid=gap-answer-search]').fill('借记卡挂失');
    await dialog.locator(`label:has-text("${TARGET_TITLE}") input`).check({ timeout: 15_000 });
    await dialog.locator('[data-testid=gap-add-confirm]').click();
    await page.locator('[data-testid=gap-notice]').waitFor({ timeout: 15_000 });
    // The list reloads and marks the gap as being closed.
    await expect.poll(async () => (await row.locator('[data-testid=gap-added-to]').textContent().catch(() => '')) ?? '', { timeout: 15_000 }).toContain('审核中');

    // A draft in review, with the question appended; search does not serve it yet.
    const target = (await search('借记卡丢了怎么挂失')).results.find((r) => r.title === TARGET_TITLE)!;
    const answer = (await (await zhida.api(`/api/v1/answers/${target.answerId}`)).json()) as { etag: string; working: { status: string; similarQuestions: string[] } };
    expect(answer.working.status).toBe('in_review');
    expect(answer.working.similarQuestions).toContain(GAP_QUERY);
    expect((await search(GAP_QUERY)).results).toEqual([]);

    // Four-eyes: the reviewer who submitted it may not approve it; another reviewer does.
    const own = await author.api(`/api/v1/answers/${target.answerId}/approve`, { method: 'POST', json: { etag: answer.etag } });
    expect(own.status).toBe(403);
    const approved = await approver.api(`/api/v1/answers/${target.answerId}/approve`, { method: 'POST', json: { etag: answer.etag } });
    expect(approved.status).toBe(200);

    const after = await search(GAP_QUERY);
    expect(after.results[0]?.answerId).toBe(target.answerId);
    await page.reload();
    await expect.poll(async () => (await row.locator('[data-testid=gap-added-to]').textContent().catch(() => '')) ?? '', { timeout: 30_000 }).toContain('已发布');
    await keepScreenshot(page, 'analytics-gap-closed');
  });

  it('exports the gap list as CSV from the page', async () => {
    const page = await ctx.newPage();
    await page.goto(`${zhida.url}/analytics`);
    const link = page.locator('[data-testid=gaps-section] [data-testid=csv-link]');
    await link.waitFor({ timeout: 30_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^zhida-gaps-\d{4}-\d{2}-\d{2}\.csv$/);

    // "Start a new answer" opens the editor with the gap's wordings ready to restore.
    await page.locator('[data-testid=gap-new-answer]').first().click();
    await page.waitForURL(/\/answers\/new\?title=/);
    await page.locator('[data-testid=backup-notice]').waitFor({ timeout: 15_000 });
  });

  it('shows owners their reminders in the header', async () => {
    // The demo editor owns the demo answers; one of them is made overdue.
    await zhida.ctx.db.execute((await import('drizzle-orm')).sql`update answer_versions set review_due_at = now() - interval '1 day' where title = '信用卡年费怎么收？如何减免年费？'`);
    const res = await fetch(`${zhida.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'editor@zhida.local', password: 'zhida-editor-demo' }) });
    const cookie = /zhida_session=([^;]+)/.exec(res.headers.getSetCookie().join(';'))![1]!;
    const editor = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await editor.addCookies([{ name: 'zhida_session', value: cookie, url: zhida.url }]);
    const page = await editor.newPage();
    await page.goto(`${zhida.url}/answers`);
    await page.locator('[data-testid=reminders-count]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=reminders-button]').click();
    const list = page.locator('[data-testid=reminders-list]');
    expect(await list.textContent()).toContain('信用卡年费怎么收');
    expect(await list.textContent()).toContain('复核已逾期');
    await keepScreenshot(page, 'reminders');
    await editor.close();
  });
});
