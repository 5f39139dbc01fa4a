import { answersChanged } from '../../src/answers/events.ts';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createStaff } from '../helpers/staff.ts';
import { importFixtures, search } from './search-fixtures.ts';

describe('POST /api/v1/search over HTTP', () => {
  let zhida: TestServer;
  let ids: Record<string, string>;
  const top = async (query: string, extra: object = {}) => (await search(zhida, { query, ...extra })).body.results[0]?.externalId;

  beforeAll(async () => {
    zhida = await startTestServer();
    ids = await importFixtures(zhida);
  });
  afterAll(async () => zhida?.stop());

  it('finds Traditional-script and full-width queries like their Simplified forms', async () => {
    expect(await top('信用卡掛失')).toBe('t-cc-lost');
    expect(await top('信用卡　挂失？')).toBe('t-cc-lost');
    expect(await top('ＡＴＭ 信用卡掛失')).toBe('t-cc-lost');
  });

  it('returns the contract fields with a highlighted snippet, confidence, mode and searchId', async () => {
    const { status, body } = await search(zhida, { query: '信用卡挂失' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ mode: 'keyword', total: expect.any(Number), tookMs: expect.any(Number), searchId: expect.any(String) });
    const r = body.results[0];
    expect(r).toMatchObject({ answerId: ids['t-cc-lost'], externalId: 't-cc-lost', title: '信用卡丢了怎么挂失？', category: '信用卡/挂失与补卡', tags: ['挂失', '信用卡'], version: 1 });
    expect(r.snippet).toContain('<mark>挂失</mark>');
    expect(r.score).toBeGreaterThan(0);
    expect(r.confidence).toBeGreaterThan(0);
    expect(r.confidence).toBeLessThanOrEqual(1);
  });

  it('reports the similar question that matched', async () => {
    const r = (await search(zhida, { query: '一天最多能转多少钱' })).body.results[0];
    expect(r.externalId).toBe('t-transfer-limit');
    expect(r.matchedQuestion).toBe('一天最多能转多少钱');
  });

  it('applies the seeded synonyms at query time (口令 -> 密码)', async () => {
    expect(await top('登录口令忘了')).toBe('t-pwd-reset');
  });

  it('tolerates a typo through the trigram signal', async () => {
    expect(await top('信用卡年废怎么收')).toBe('t-annual-fee');
  });

  it('filters by category including sub-categories, by tags and by channel, and pages', async () => {
    const cc = (await search(zhida, { query: '信用卡 转账 密码 理财', limit: 20, filters: { category: '信用卡' } })).body;
    expect(cc.results.map((r: { externalId: string }) => r.externalId).sort()).toEqual(['t-annual-fee', 't-cc-lost']);
    const tagged = (await search(zhida, { query: '信用卡 转账', filters: { tags: ['转账', '限额'] } })).body;
    expect(tagged.results.map((r: { externalId: string }) => r.externalId)).toEqual(['t-transfer-limit']);
    const bot = (await search(zhida, { query: '忘记登录密码', filters: { channel: 'bot' } })).body;
    expect(bot.results.map((r: { externalId: string }) => r.externalId)).not.toContain('t-pwd-reset');
    const all = (await search(zhida, { query: '信用卡 转账 密码 理财', limit: 20 })).body;
    const page = (await search(zhida, { query: '信用卡 转账 密码 理财', limit: 2, offset: 1 })).body;
    expect(page.total).toBe(all.total);
    expect(page.results.map((r: { answerId: string }) => r.answerId)).toEqual(all.results.slice(1, 3).map((r: { answerId: string }) => r.answerId));
  });

  it('serves only versions live at query time (scheduled and expired, to the second)', async () => {
    const db = zhida.ctx.db;
    // Dates changed behind the domain's back, then recorded on the change feed as the domain does.
    const setDates = (from: string | null, expires: string | null) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`update answer_versions set effective_from = ${from}::timestamptz, expires_at = ${expires}::timestamptz where answer_id = ${ids['t-wealth']}`);
        await answersChanged(tx, [ids['t-wealth']!]);
      });
    expect(await top('理财产品赎回')).toBe('t-wealth');
    await setDates(new Date(Date.now() + 3600_000).toISOString(), null);
    expect(await top('理财产品赎回')).toBeUndefined();
    await setDates(new Date(Date.now() - 1000).toISOString(), new Date(Date.now() - 1000).toISOString());
    expect(await top('理财产品赎回')).toBeUndefined();
    await setDates(null, new Date(Date.now() + 3600_000).toISOString());
    expect(await top('理财产品赎回')).toBe('t-wealth');
  });

  it('answers bad input cleanly', async () => {
    for (const query of ['', '   ', 'x'.repeat(10_240)]) {
      const { status, body } = await search(zhida, { query });
      expect(status).toBe(400);
      expect(body.error.code).toBe('validation_failed');
    }
    for (const query of ['😀🙏🏦', '-'.repeat(33), "!&|:*()<-> 'a' & !b", "'; drop table answers; --", '" OR 1=1 --', '信用卡 card ＃＄％ 😀', '\\', '%_%']) {
      const { status, body } = await search(zhida, { query });
      expect(status, query).toBe(200);
      expect(Array.isArray(body.results)).toBe(true);
    }
    expect((await search(zhida, { query: '信用卡', limit: 0 })).status).toBe(400);
    expect((await search(zhida, { query: '信用卡', filters: { channel: 'fax' } })).status).toBe(400);
    expect(await top('信用卡挂失')).toBe('t-cc-lost');
  });

  it('logs every search for analytics, written in the background', async () => {
    const { body } = await search(zhida, { query: '信用卡年费', filters: { channel: 'web' } });
    // The response does not wait for the log: the entry is written by the next batch (<= 1 s).
    const row = await vi.waitFor(
      async () => {
        const rows = await zhida.ctx.db.execute(sql`select * from search_log where id = ${body.searchId}`);
        const found = (rows as unknown as { rows: Record<string, unknown>[] }).rows[0];
        if (!found) throw new Error('not written yet');
        return found;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(row).toMatchObject({ source: 'search', query: '信用卡年费', normalised: '信用卡年费', mode: 'keyword', channel: 'web', result_count: body.total });
    expect(row.result_ids).toEqual(body.results.map((r: { answerId: string }) => r.answerId));
    expect(row.top_confidence).toBeCloseTo(body.results[0].confidence, 3);
  });

  it('rate limits a search key with 429 and Retry-After', async () => {
    const owner = await createStaff(zhida, 'agent');
    const created = await zhida.api('/api/v1/api-keys', { method: 'POST', json: { name: 'search bot', scopes: ['search'], rateLimitPerMin: 2, userId: owner.userId } });
    expect(created.status).toBe(201);
    const { secret } = await created.json();
    expect((await search(zhida, { query: '年费' }, secret)).status).toBe(200);
    expect((await search(zhida, { query: '年费' }, secret)).status).toBe(200);
    const limited = await search(zhida, { query: '年费' }, secret);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('records feedback and clicks against a logged search', async () => {
    const { body } = await search(zhida, { query: '信用卡挂失' });
    const answerId = body.results[0].answerId;
    const fb = await zhida.api('/api/v1/feedback', { method: 'POST', json: { searchId: body.searchId, answerId, helpful: false, comment: '没说补卡' } });
    expect(fb.status).toBe(201);
    const click = await zhida.api('/api/v1/feedback/click', { method: 'POST', json: { searchId: body.searchId, answerId, position: 0, action: 'insert' } });
    expect(click.status).toBe(201);
    const unknown = await zhida.api('/api/v1/feedback', { method: 'POST', json: { searchId: crypto.randomUUID(), answerId, helpful: true } });
    expect(unknown.status).toBe(404);
    const neither = await zhida.api('/api/v1/feedback', { method: 'POST', json: { answerId, helpful: true } });
    expect(neither.status).toBe(400);
    const rows = await zhida.ctx.db.execute(sql`select helpful, comment from search_feedback where search_id = ${body.searchId}`);
    expect((rows as unknown as { rows: unknown[] }).rows).toEqual([{ helpful: false, comment: '没说补卡' }]);
  });

  it('manages synonym groups (audited) and applies them at once', async () => {
    expect(await top('管理费')).toBeUndefined();
    const created = await zhida.api('/api/v1/synonyms', { method: 'POST', json: { phrases: ['年费', '管理费'] } });
    expect(created.status).toBe(201);
    const group = await created.json();
    expect(group.phrases).toEqual(['年费', '管理费']);
    expect(await top('管理费')).toBe('t-annual-fee');
    const list = await (await zhida.api('/api/v1/synonyms')).json();
    expect(list.items.map((g: { phrases: string[] }) => g.phrases)).toEqual(expect.arrayContaining([['挂失', '丢失', '丢了', '遗失', '不见了', '找不到'], ['年费', '管理费']]));
    const audit = await (await zhida.api('/api/v1/audit?action=synonyms.create')).json();
    expect(audit.items.some((e: { entityId: string }) => e.entityId === group.id)).toBe(true);
    expect((await zhida.api(`/api/v1/synonyms/${group.id}`, { method: 'PATCH', json: { phrases: ['年费'] } })).status).toBe(400);
    expect((await zhida.api(`/api/v1/synonyms/${crypto.randomUUID()}`, { method: 'PATCH', json: { phrases: ['a', 'b'] } })).status).toBe(404);
    expect((await zhida.api(`/api/v1/synonyms/${group.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await top('管理费')).toBeUndefined();
  });
});
