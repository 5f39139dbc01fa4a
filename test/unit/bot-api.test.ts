import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerForBot } from '../../src/search/bot-answer.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { fixtureAnswers, importFixtures } from './search-fixtures.ts';

describe('POST /api/v1/bot/answer and /assist/suggest over HTTP', () => {
  let zhida: TestServer;
  let ids: Record<string, string>;
  const ask = async (json: object) => {
    const res = await zhida.api('/api/v1/bot/answer', { method: 'POST', json });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    zhida = await startTestServer();
    ids = await importFixtures(zhida);
  });
  afterAll(async () => zhida?.stop());

  it('answers a confident question with the bot variant', async () => {
    const { status, body } = await ask({ query: '信用卡丢了怎么挂失' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ handoff: false, reason: null, sessionId: expect.any(String), searchId: expect.any(String) });
    expect(body.answer).toMatchObject({ answerId: ids['t-cc-lost'], title: '信用卡丢了怎么挂失？', text: fixtureAnswers[0]!.botText });
    expect(body.confidence).toBeGreaterThan(0.3);
    expect(Array.isArray(body.alternatives)).toBe(true);
  });

  it('never answers with an answer not published to the bot channel', async () => {
    const { body } = await ask({ query: '忘记登录密码怎么办' });
    expect(body.answer?.answerId).not.toBe(ids['t-pwd-reset']);
  });

  it('hands off out-of-scope questions', async () => {
    for (const query of ['今天北京天气怎么样', 'what is the capital of France', '😀😀']) {
      const { body } = await ask({ query });
      expect(body, query).toMatchObject({ answer: null, handoff: true });
      expect(['low_confidence', 'no_answer']).toContain(body.reason);
    }
  });

  it('hands off on request and gives the agent the whole transcript', async () => {
    const first = await ask({ query: '信用卡年费怎么收' });
    const sessionId = first.body.sessionId;
    const second = await ask({ query: '还是转人工吧', sessionId });
    expect(second.body).toMatchObject({ sessionId, handoff: true, reason: 'customer_request', answer: null });
    expect(second.body.transcript.map((t: { role: string; text: string }) => [t.role, t.text.split('\n')[0]])).toEqual([
      ['customer', '信用卡年费怎么收'],
      ['bot', fixtureAnswers[3]!.body.length ? expect.any(String) : ''],
      ['customer', '还是转人工吧'],
      ['bot', '好的，正在为您转接人工客服，请稍候。'],
    ]);
    const session = await (await zhida.api(`/api/v1/bot/sessions/${sessionId}`)).json();
    expect(session.handoffReason).toBe('customer_request');
    expect(session.messages).toHaveLength(4);
    await zhida.ctx.searchLog.flush();
    const logged = await zhida.ctx.db.execute(sql`select source, handoff from search_log where session_id = ${sessionId} order by at`);
    expect((logged as unknown as { rows: unknown[] }).rows).toEqual([
      { source: 'bot', handoff: false },
      { source: 'bot', handoff: true },
    ]);
  });

  it('accepts a client-chosen session id (in the caller namespace) and rejects a malformed one', async () => {
    const sessionId = crypto.randomUUID();
    const first = (await ask({ query: '转账限额', sessionId })).body.sessionId;
    // The server names the session; the client's id keeps working as an alias for it.
    expect(first).not.toBe(sessionId);
    expect((await ask({ query: '转账限额', sessionId })).body.sessionId).toBe(first);
    expect((await ask({ query: '转账限额', sessionId: first })).body.sessionId).toBe(first);
    expect((await ask({ query: '转账限额', sessionId: 'nope' })).status).toBe(400);
    expect((await ask({ query: '   ' })).status).toBe(400);
    expect((await ask({ query: 'x'.repeat(10_240) })).status).toBe(400);
  });

  it('uses the configured threshold (ZHIDA_HANDOFF_THRESHOLD)', async () => {
    const reply = await answerForBot({ db: zhida.ctx.db, searchLog: zhida.ctx.searchLog, handoffThreshold: 0.999 }, { query: '信用卡丢了怎么挂失' }, {});
    expect(reply).toMatchObject({ handoff: true, reason: 'low_confidence', answer: null });
    expect(reply.alternatives[0]!.answerId).toBe(ids['t-cc-lost']);
  });

  it('suggests answers for a conversation, the latest customer turn first', async () => {
    const res = await zhida.api('/api/v1/assist/suggest', {
      method: 'POST',
      json: {
        messages: [
          { role: 'customer', text: '我想问下信用卡年费' },
          { role: 'agent', text: '您好，请问还有什么可以帮您？' },
          { role: 'customer', text: '还有我的卡丢了' },
        ],
      },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ mode: 'keyword', searchId: expect.any(String) });
    const order = body.suggestions.map((s: { externalId: string }) => s.externalId);
    expect(order[0]).toBe('t-cc-lost');
    expect(order).toContain('t-annual-fee');
    expect((await zhida.api('/api/v1/assist/suggest', { method: 'POST', json: { messages: [] } })).status).toBe(400);
  });
});
