import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/rows.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { approveImportBatch } from '../helpers/staff.ts';
import { bankAnswers, makeTinyModelRoot } from '../fixtures/embedding-env.ts';

// The whole path over HTTP: import with publish -> queue -> in-process worker -> HNSW -> hybrid search;
// archive through the answers API -> vectors gone at once.
let server: TestServer;

async function waitFor<T>(check: () => Promise<T | null>, timeoutMs = 200_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  server = await startTestServer({ ZHIDA_MODEL: 'zhida/tiny-test', ZHIDA_MODEL_DIR: makeTinyModelRoot(), ZHIDA_OFFLINE: '1', ZHIDA_EMBED_WORKER: '1' });
}, 240_000);

afterAll(async () => {
  await server?.stop();
});

describe('ZHIDA_MODEL_DIR with the generated model, over HTTP', () => {
  it('imported answers become searchable in hybrid mode', async () => {
    const imported = await server.api('/api/v1/import?publish=true', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: bankAnswers.map((a) => JSON.stringify(a)).join('\n'),
    });
    expect(imported.status).toBe(200);
    const staged = await imported.json();
    expect(staged).toMatchObject({ created: bankAnswers.length, errors: [], status: 'pending_approval' });
    await approveImportBatch(server, staged.batchId);
    const status = await waitFor(async () => {
      const s = (await (await server.api('/api/v1/index/status')).json()) as { pending: number; vectors: number; model: { state: string } };
      return s.model.state === 'ready' && s.pending === 0 && s.vectors > 0 ? s : null;
    });
    expect(status).toMatchObject({ failed: 0, searchMode: 'hybrid', model: { id: 'zhida/tiny-test', dims: 64, state: 'ready' } });

    const res = await server.api('/api/v1/search', { method: 'POST', json: { query: '信用卡丢了怎么办' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { mode: string; results: { externalId: string }[] };
    expect(body.mode).toBe('hybrid');
    expect(body.results[0]?.externalId).toBe('card-lost');
  }, 240_000);

  it('archiving through the answers API removes the answer from vector search at once', async () => {
    const [row] = rowsOf<{ id: string }>(await server.ctx.db.execute(sql`select id from answers where external_id = 'card-lost'`));
    const answer = (await (await server.api(`/api/v1/answers/${row!.id}`)).json()) as { etag: string };
    const archived = await server.api(`/api/v1/answers/${row!.id}/archive`, { method: 'POST', json: { etag: answer.etag } });
    expect(archived.status).toBe(200);
    const [left] = rowsOf<{ n: number }>(await server.ctx.db.execute(sql`select count(*)::int as n from answer_embeddings where answer_id = ${row!.id}`));
    expect(left!.n).toBe(0);
    const hits = await server.ctx.embedding.search('信用卡丢了怎么办');
    expect(hits?.map((h) => h.answerId)).not.toContain(row!.id);
  }, 120_000);
});
