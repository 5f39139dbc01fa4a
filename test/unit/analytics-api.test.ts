import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomSecret, sha256 } from '../../src/auth/secrets.ts';
import { answers, answerVersions, apiKeys, botSessions, botTurns, searchLog, users } from '../../src/db/schema/index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createStaff, type StaffSession } from '../helpers/staff.ts';

/** Analytics, notifications, bot transcripts and assist cards over real HTTP: roles, scopes, CSV, bad input. */
describe('analytics and assist read API', () => {
  let zhida: TestServer;
  let agent: StaffSession;
  let reviewer: StaffSession;
  let editor: StaffSession;
  let assistKey: string;
  let searchOnlyKey: string;
  let answerId: string;
  let sessionId: string;

  async function key(userId: string, scopes: string[]) {
    const secret = randomSecret('zk_test');
    await zhida.ctx.db.insert(apiKeys).values({ userId, name: `k-${scopes.join('-')}`, prefix: secret.slice(0, 12), secretHash: sha256(secret), scopes });
    return secret;
  }

  beforeAll(async () => {
    zhida = await startTestServer({ ZHIDA_DEMO: '1' });
    [agent, reviewer, editor] = await Promise.all([createStaff(zhida, 'agent'), createStaff(zhida, 'reviewer'), createStaff(zhida, 'editor')]);
    assistKey = await key(agent.userId, ['assist']);
    searchOnlyKey = await key(agent.userId, ['search']);
    // One demo answer made stale and owned by the editor: it must show in freshness and the editor's reminders.
    const [a] = await zhida.ctx.db.select().from(answers).limit(1);
    answerId = a!.id;
    await zhida.ctx.db.update(answers).set({ ownerId: editor.userId }).where(eq(answers.id, answerId));
    await zhida.ctx.db.update(answerVersions).set({ reviewDueAt: new Date(Date.now() - 86_400_000) }).where(eq(answerVersions.answerId, answerId));
    const [s] = await zhida.ctx.db.insert(botSessions).values({ channel: 'bot', handedOffAt: new Date(), handoffReason: 'customer_request' }).returning();
    sessionId = s!.id;
    await zhida.ctx.db.insert(botTurns).values([
      { sessionId, role: 'customer', text: '我的信用卡丢了' },
      { sessionId, role: 'bot', text: '请立即挂失', answerId, confidence: 0.8 },
      { sessionId, role: 'customer', text: '转人工' },
    ]);
    await zhida.ctx.db.insert(searchLog).values({ source: 'search', query: '数字人民币钱包', normalised: '数字人民币钱包', mode: 'keyword', resultIds: [], resultCount: 0, latencyMs: 12, channel: 'agent' });
  });
  afterAll(async () => zhida?.stop());

  it('lets reviewers read analytics and refuses agents, editors and anonymous callers', async () => {
    expect((await agent.api('/api/v1/analytics/overview')).status).toBe(403);
    expect((await editor.api('/api/v1/analytics/gaps')).status).toBe(403);
    expect((await zhida.api('/api/v1/analytics/gaps', { token: null })).status).toBe(401);
    expect((await zhida.api('/api/v1/analytics/gaps', { token: assistKey })).status).toBe(403);
    const res = await reviewer.api('/api/v1/analytics/overview?days=7');
    expect(res.status).toBe(200);
    const o = (await res.json()) as { daily: unknown[]; totals: { searches: number; zeroResultRate: number } };
    expect(o.daily).toHaveLength(7);
    expect(o.totals.searches).toBeGreaterThanOrEqual(1);
    const gaps = (await (await reviewer.api('/api/v1/analytics/gaps')).json()) as { items: { query: string }[] };
    expect(gaps.items.map((g) => g.query)).toContain('数字人民币钱包');
  });

  it('exports every table as CSV with a BOM for Excel', async () => {
    for (const table of ['overview', 'top-queries', 'gaps', 'answers', 'freshness']) {
      const res = await reviewer.api(`/api/v1/analytics/${table}?format=csv`);
      expect(res.status, table).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="zhida-/);
      // The UTF-8 BOM (res.text() would strip it).
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    }
    const gaps = await (await reviewer.api('/api/v1/analytics/gaps?format=csv')).text();
    expect(gaps.split('\r\n')[0]).toBe('query,count,zeroResults,lowConfidence,lastSeenAt,variants,candidateAnswerId,candidate,addedTo');
    expect(gaps).toContain('数字人民币钱包');
  });

  it('rejects bad periods with 400 and the error shape', async () => {
    for (const qs of ['days=0', 'days=abc', 'from=2026-13-01', 'from=2026-11-20&to=2026-11-01', 'format=xml']) {
      const res = await reviewer.api(`/api/v1/analytics/overview?${qs}`);
      expect(res.status, qs).toBe(400);
      const body = (await res.json()) as { error: { code: string } };
      expect(body.error.code).toMatch(/validation_failed|bad_request/);
    }
  });

  it('reminds an owner about their stale answer and nobody else', async () => {
    const mine = (await (await editor.api('/api/v1/notifications')).json()) as { items: { answerId: string; kind: string }[] };
    expect(mine.items).toContainEqual(expect.objectContaining({ answerId, kind: 'review_overdue' }));
    const theirs = (await (await agent.api('/api/v1/notifications')).json()) as { items: unknown[] };
    expect(theirs.items).toEqual([]);
    expect((await zhida.api('/api/v1/notifications', { token: null })).status).toBe(401);
  });

  it('hands the bot transcript of a handed-off session to signed-in agents, not to other keys', async () => {
    // The session belongs to no key here (opened by another caller): keys get 404, agents read it.
    expect((await zhida.api(`/api/v1/bot/sessions/${sessionId}`, { token: assistKey })).status).toBe(404);
    const res = await agent.api(`/api/v1/bot/sessions/${sessionId}`);
    expect(res.status).toBe(200);
    const t = (await res.json()) as { messages: { role: string; text: string }[]; handoffReason: string };
    expect(t.messages.map((m) => `${m.role}:${m.text}`)).toEqual(['customer:我的信用卡丢了', 'bot:请立即挂失', 'customer:转人工']);
    expect(t.handoffReason).toBe('customer_request');
    expect((await agent.api(`/api/v1/bot/sessions/${sessionId}`)).status).toBe(200);
    expect((await zhida.api(`/api/v1/bot/sessions/${sessionId}`, { token: searchOnlyKey })).status).toBe(403);
    expect((await zhida.api(`/api/v1/bot/sessions/${sessionId}`, { token: null })).status).toBe(401);
    expect((await agent.api('/api/v1/bot/sessions/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await agent.api('/api/v1/bot/sessions/not-a-uuid')).status).toBe(400);
  });

  it('serves live answer cards with freshness badges to an assist key', async () => {
    const res = await zhida.api(`/api/v1/assist/answers?ids=${answerId}`, { token: assistKey });
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: { answerId: string; bodyHtml: string; freshness: string[] }[] };
    expect(items).toHaveLength(1);
    expect(items[0]!.bodyHtml).toMatch(/<p|<ul|<ol|<h/);
    expect(items[0]!.freshness).toContain('review_overdue');
    expect((await zhida.api(`/api/v1/assist/answers?ids=${answerId}`, { token: searchOnlyKey })).status).toBe(403);
    expect((await zhida.api('/api/v1/assist/answers?ids=nope', { token: assistKey })).status).toBe(400);
    // Unknown or not-live ids are simply absent.
    const none = (await (await zhida.api('/api/v1/assist/answers?ids=00000000-0000-4000-8000-000000000000', { token: assistKey })).json()) as { items: unknown[] };
    expect(none.items).toEqual([]);
    const [u] = await zhida.ctx.db.select().from(users).where(eq(users.id, agent.userId));
    expect(u!.role).toBe('agent');
  });
});
