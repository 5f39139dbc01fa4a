import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { hnswIndexExists } from '../../src/embedding/hnsw-index.ts';
import { requestModel, readModelsInUse } from '../../src/embedding/model-settings.ts';
import { queueCounts } from '../../src/embedding/queue.ts';
import { rowsOf } from '../../src/db/rows.ts';
import { resolveModelSpec } from '../../src/embedding/registry.ts';
import { startEmbedding, type EmbeddingRuntime } from '../../src/embedding/runtime.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { bankAnswers, embeddingConfig, makeTinyModelRoot, publishAnswers, silentLog } from '../fixtures/embedding-env.ts';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function waitFor<T>(check: () => Promise<T | false | undefined | null>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('no model: the service runs keyword-only and says why; a model dropped in later is backfilled', () => {
  let server: TestServer;

  it('starts, /readyz stays 200 and index/status explains what to do', async () => {
    const modelsPath = mkdtempSync(path.join(tmpdir(), 'zhida-models-'));
    server = await startTestServer({
      ZHIDA_MODEL: 'zhida/tiny-test',
      ZHIDA_OFFLINE: '1',
      ZHIDA_MODELS_PATH: modelsPath,
      ZHIDA_EMBED_WORKER: '1',
      ZHIDA_MODEL_CHECK_SECONDS: '1',
    });
    cleanup.push(() => server.stop());
    await publishAnswers(server.ctx.db, bankAnswers);

    const ready = await server.api('/readyz');
    expect(ready.status).toBe(200);
    const readyBody = (await ready.json()) as { ok: boolean; checks: { embeddingModel: { state: string; reason: string; searchMode: string } } };
    expect(readyBody.ok).toBe(true);
    expect(readyBody.checks.embeddingModel).toMatchObject({ state: 'unavailable', searchMode: 'keyword' });
    expect(readyBody.checks.embeddingModel.reason).toContain('ZHIDA_MODEL_DIR');
    expect(readyBody.checks.embeddingModel.reason).toContain('zhida model pull zhida/tiny-test');
    expect(readyBody.checks.embeddingModel.reason).toContain(modelsPath);

    const status = await server.api('/api/v1/index/status');
    expect(status.status).toBe(200);
    const body = (await status.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ pending: bankAnswers.length, failed: 0, vectors: 0, model: { id: 'zhida/tiny-test', dims: 64, state: 'unavailable' }, searchMode: 'keyword' });
    expect((await server.api('/api/v1/index/status', { token: null })).status).toBe(401);
    expect(await server.ctx.embedding.search('信用卡丢了怎么办')).toBeNull();
    await expect(server.ctx.embedding.embedQuery('信用卡')).rejects.toThrow(/ZHIDA_OFFLINE=1/);
  }, 240_000);

  it('the model copied into the models path is found without a restart and everything is embedded', async () => {
    const root = makeTinyModelRoot();
    cpSync(path.join(root, 'zhida'), path.join(server.ctx.config.model.modelsPath, 'zhida'), { recursive: true });
    const status = await waitFor(async () => {
      const s = (await (await server.api('/api/v1/index/status')).json()) as { pending: number; vectors: number; model: { state: string } };
      return s.model.state === 'ready' && s.pending === 0 && s.vectors > 0 ? s : null;
    }, 200_000);
    expect(status).toMatchObject({ pending: 0, failed: 0, searchMode: 'hybrid', model: { id: 'zhida/tiny-test', dims: 64, state: 'ready' } });
    expect(status.vectors).toBe(bankAnswers.reduce((n, a) => n + 1 + (a.similarQuestions?.length ?? 0) + 1, 0));
    const hits = await server.ctx.embedding.search('信用卡丢了怎么办');
    expect(hits?.[0]?.text).toBe('信用卡丢了怎么办');
    const ready = (await (await server.api('/readyz')).json()) as { checks: { embeddingModel: { state: string; reason?: string } } };
    expect(ready.checks.embeddingModel).toMatchObject({ state: 'ready', searchMode: 'hybrid' });
    expect(ready.checks.embeddingModel.reason).toBeUndefined();
  }, 240_000);
});

describe('model switch', () => {
  let database: Database;
  let runtime: EmbeddingRuntime;

  it('re-embeds into the new model in the background while the old one serves, then switches; dims differ; search never fails', async () => {
    database = await createTestDatabase();
    cleanup.push(() => database.close());
    const root = makeTinyModelRoot();
    const config = embeddingConfig({ ZHIDA_MODEL_DIR: root });
    // The new model lives in the models path, as after `zhida model pull`: 48 dims, other weights, mean pooling.
    makeTinyModelRootAt(config.model.modelsPath);
    runtime = await startEmbedding({ db: database.db, config, log: silentLog }, { worker: true, pollMs: 100, workerOptions: { pollMs: 30, batchSize: 2, retireGraceMs: 1500 } });
    cleanup.push(() => runtime.stop());
    await runtime.service.loadModels();
    await publishAnswers(database.db, bankAnswers);
    await waitFor(async () => (await queueCounts(database.db)).pending === 0 && (await runtime.service.search('信用卡丢了怎么办'))?.length);

    // Searches keep running through the switch.
    const seen: { model: string; switching: boolean; top?: string; error?: string }[] = [];
    let searching = true;
    const searcher = (async () => {
      while (searching) {
        const state = runtime.service.state();
        try {
          const hits = await runtime.service.search('信用卡丢了怎么办', { limit: 3 });
          seen.push({ model: state.id, switching: Boolean(state.switchingTo), top: hits?.[0]?.text });
        } catch (err) {
          seen.push({ model: state.id, switching: Boolean(state.switchingTo), error: (err as Error).message });
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();

    const target = resolveModelSpec('zhida/tiny-test-b', { pooling: 'mean' });
    const { switching } = await requestModel(database.db, target);
    expect(switching).toBe(true);
    await runtime.service.refresh();
    expect(runtime.service.state()).toMatchObject({ id: 'zhida/tiny-test', state: 'ready', switchingTo: { id: 'zhida/tiny-test-b' } });

    await waitFor(async () => runtime.service.state().id === 'zhida/tiny-test-b' && !runtime.service.state().switchingTo, 200_000);
    expect(runtime.service.state()).toMatchObject({ id: 'zhida/tiny-test-b', dims: 48, state: 'ready' });
    const hits = await runtime.service.search('信用卡丢了怎么办');
    expect(hits?.[0]?.text).toBe('信用卡丢了怎么办');
    const vectorsB = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from answer_embeddings where model_id = 'zhida/tiny-test-b' and vector_dims(embedding) = 48`));
    expect(vectorsB[0]!.n).toBeGreaterThan(0);
    expect(await hnswIndexExists(database.db, 'zhida/tiny-test-b', 48)).toBe(true);

    // The old model's vectors stay for the grace period (queries in flight), then go with their index.
    await waitFor(async () => !(await hnswIndexExists(database.db, 'zhida/tiny-test', 64)));
    const left = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from answer_embeddings where model_id = 'zhida/tiny-test'`));
    expect(left[0]!.n).toBe(0);
    expect((await readModelsInUse(database.db))?.retired).toEqual([]);

    searching = false;
    await searcher;
    expect(seen.filter((s) => s.error)).toEqual([]);
    expect(seen.every((s) => s.top === '信用卡丢了怎么办')).toBe(true);
    expect(seen.some((s) => s.switching && s.model === 'zhida/tiny-test')).toBe(true);
    expect(seen.some((s) => s.model === 'zhida/tiny-test-b')).toBe(true);

    // A publish after the switch is embedded with the new model only.
    await publishAnswers(database.db, [{ externalId: 'after-switch', title: '切换后的新答案' }]);
    await waitFor(async () => (await queueCounts(database.db)).pending === 0);
    const models = rowsOf<{ model_id: string }>(
      await database.db.execute(sql`select distinct e.model_id from answer_embeddings e join answers a on a.id = e.answer_id where a.external_id = 'after-switch'`),
    );
    expect(models).toEqual([{ model_id: 'zhida/tiny-test-b' }]);
  }, 240_000);

  it('a restart with a changed ZHIDA_MODEL starts the switch itself; asking for the active model again cancels it', async () => {
    const db = database.db;
    const other = await startEmbedding({ db, config: embeddingConfig({ ZHIDA_MODEL: 'Xenova/multilingual-e5-small' }), log: silentLog }, { worker: false });
    const models = await readModelsInUse(db);
    expect(models?.active.id).toBe('zhida/tiny-test-b');
    expect(models?.target?.id).toBe('Xenova/multilingual-e5-small');
    // The new model is not available offline: the old one keeps serving and the state says why.
    await other.service.loadModels();
    expect(other.service.state()).toMatchObject({ id: 'zhida/tiny-test-b', switchingTo: { id: 'Xenova/multilingual-e5-small', state: 'unavailable' } });
    expect(other.service.state().switchingTo?.reason).toMatch(/zhida model pull Xenova\/multilingual-e5-small/);
    await other.stop();
    await requestModel(db, resolveModelSpec('zhida/tiny-test-b', { pooling: 'mean' }));
    expect((await readModelsInUse(db))?.target).toBeUndefined();
  });
});

function makeTinyModelRootAt(modelsPath: string) {
  const root = makeTinyModelRoot({ id: 'zhida/tiny-test-b', dims: 48, seed: 7 });
  cpSync(path.join(root, 'zhida'), path.join(modelsPath, 'zhida'), { recursive: true });
}
