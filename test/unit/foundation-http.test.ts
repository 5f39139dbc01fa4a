import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('the server on a fresh data dir with the demo', () => {
  let zhida: TestServer;
  beforeAll(async () => {
    zhida = await startTestServer({ ZHIDA_DEMO: '1' });
  });
  afterAll(async () => zhida?.stop());

  it('answers health and readiness', async () => {
    expect((await zhida.api('/healthz', { token: null })).status).toBe(200);
    const ready = await (await zhida.api('/readyz')).json();
    expect(ready.ok).toBe(true);
    expect(ready.checks.database.kind).toBe('pglite');
  });

  it('finds demo answers for a Chinese question with the master key', async () => {
    const res = await zhida.api('/api/v1/search', { method: 'POST', json: { query: '信用卡丢了怎么办' } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.mode).toBe('keyword');
    expect(typeof body.tookMs).toBe('number');
    expect(body.results.length).toBeGreaterThan(0);
    expect(body.results[0].title).toMatch(/信用卡/);
    expect(body.results[0]).toMatchObject({ answerId: expect.any(String), title: expect.any(String), snippet: expect.any(String), score: expect.any(Number) });
  });

  it('finds Traditional-script and full-width queries alike', async () => {
    const simplified = await (await zhida.api('/api/v1/search', { method: 'POST', json: { query: '信用卡挂失' } })).json();
    const traditional = await (await zhida.api('/api/v1/search', { method: 'POST', json: { query: '信用卡掛失' } })).json();
    expect(traditional.results[0].answerId).toBe(simplified.results[0].answerId);
  });

  it('rejects unauthenticated, badly authenticated and malformed requests with the error shape', async () => {
    const none = await zhida.api('/api/v1/search', { method: 'POST', json: { query: 'x' }, token: null });
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe('unauthorized');
    const wrong = await zhida.api('/api/v1/search', { method: 'POST', json: { query: 'x' }, token: 'nope' });
    expect(wrong.status).toBe(401);
    const empty = await zhida.api('/api/v1/search', { method: 'POST', json: { query: '   ' } });
    expect(empty.status).toBe(400);
    expect((await empty.json()).error.details[0].path).toBe('query');
    const unknownField = await zhida.api('/api/v1/search', { method: 'POST', json: { query: 'x', hack: 1 } });
    expect(unknownField.status).toBe(400);
    const malformed = await zhida.api('/api/v1/search', { method: 'POST', body: '{"query":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error).toBeDefined();
    const missing = await zhida.api('/api/v1/nope');
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('not_found');
  });
});

describe('restart on an existing data dir', () => {
  it('keeps data and does not seed twice', async () => {
    const first = await startTestServer({ ZHIDA_DEMO: '1' });
    const dataDir = first.ctx.config.dataDir;
    const count = async (s: TestServer) => (await (await s.api('/api/v1/search', { method: 'POST', json: { query: '密码', limit: 100 } })).json()).total;
    const before = await count(first);
    await first.stop();
    const second = await startTestServer({ ZHIDA_DEMO: '1', ZHIDA_DATA_DIR: dataDir });
    expect(await count(second)).toBe(before);
    await second.stop();
  }, 180_000); // two full starts with the demo seed: over a minute on a loaded shared machine
});
