import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerChanged } from '../../src/answers/events.ts';
import type { Database } from '../../src/db/client.ts';
import { answers } from '../../src/db/schema/index.ts';
import { hnswIndexName } from '../../src/embedding/hnsw-index.ts';
import { claimJobs, completeJobs, enqueueAll, queueCounts, retryFailed } from '../../src/embedding/queue.ts';
import { rowsOf } from '../../src/db/rows.ts';
import { startEmbedding, type EmbeddingRuntime } from '../../src/embedding/runtime.ts';
import type { ReadyModel } from '../../src/embedding/service.ts';
import { vectorSearch } from '../../src/embedding/vector-search.ts';
import { EmbeddingWorker } from '../../src/embedding/worker.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { bankAnswers, embeddingConfig, makeTinyModelRoot, publishAnswers, silentLog } from '../fixtures/embedding-env.ts';

let database: Database;
let runtime: EmbeddingRuntime;
const MODEL = 'zhida/tiny-test';

async function answerId(externalId: string): Promise<string> {
  const [row] = await database.db.select({ id: answers.id }).from(answers).where(eq(answers.externalId, externalId));
  return row!.id;
}

async function vectorCount(where = sql`true`): Promise<number> {
  const [row] = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from answer_embeddings where ${where}`));
  return row!.n;
}

async function search(query: string, opts: Partial<Parameters<typeof vectorSearch>[2]> = {}) {
  const hits = await runtime.service.search(query, { limit: 5, ...opts });
  if (!hits) throw new Error('model not ready');
  const ids = new Map<string, string>();
  for (const a of await database.db.select({ id: answers.id, externalId: answers.externalId }).from(answers)) ids.set(a.id, a.externalId!);
  return hits.map((h) => ({ ...h, externalId: ids.get(h.answerId)! }));
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}

beforeAll(async () => {
  database = await createTestDatabase();
  const root = makeTinyModelRoot();
  runtime = await startEmbedding(
    { db: database.db, config: embeddingConfig({ ZHIDA_MODEL_DIR: root }), log: silentLog },
    { worker: true, pollMs: 100, workerOptions: { pollMs: 50, backoffMs: 50 } },
  );
  await runtime.service.loadModels();
  expect(runtime.service.state()).toMatchObject({ id: MODEL, dims: 64, state: 'ready' });
});

afterAll(async () => {
  await runtime?.stop();
  await database?.close();
});

describe('embed on publish', () => {
  it('the running worker indexes published answers: title, questions and body chunks, in an HNSW index', async () => {
    await publishAnswers(database.db, bankAnswers);
    await waitFor(async () => (await queueCounts(database.db)).pending === 0 && (await vectorCount()) > 0);
    const cardLost = await answerId('card-lost');
    const kinds = rowsOf<{ kind: string; n: number }>(
      await database.db.execute(sql`select kind, count(*)::int as n from answer_embeddings where answer_id = ${cardLost} group by kind order by kind`),
    );
    expect(kinds).toEqual([
      { kind: 'chunk', n: 1 },
      { kind: 'question', n: 2 },
      { kind: 'title', n: 1 },
    ]);
    const index = rowsOf<{ indexdef: string }>(
      await database.db.execute(sql`select indexdef from pg_indexes where indexname = ${hnswIndexName(MODEL, 64)}`),
    );
    expect(index[0]?.indexdef).toMatch(/USING hnsw \(\(\(embedding\)::vector\(64\)\) vector_cosine_ops\).*WHERE \(model_id = 'zhida\/tiny-test'::text\)/);
  });

  it('the nearest answer is the right one, in Chinese and in English, and says which text matched', async () => {
    const zh = await search('信用卡丢了怎么办');
    expect(zh[0]).toMatchObject({ externalId: 'card-lost', kind: 'question', text: '信用卡丢了怎么办' });
    expect(zh[0]!.similarity).toBeGreaterThan(0.99);
    expect((await search('登录密码忘了'))[0]!.externalId).toBe('password-reset');
    expect((await search('I lost my card'))[0]!.externalId).toBe('en-card-lost');
    expect((await search('daily transfer limit'))[0]!.externalId).toBe('en-transfer-limit');
    // One hit per answer, best first.
    const ids = zh.map((h) => h.answerId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(zh.map((h) => h.similarity)).toEqual([...zh.map((h) => h.similarity)].sort((a, b) => b - a));
  });

  it('filters by category prefix, tags and channel', async () => {
    expect((await search('信用卡丢了怎么办', { filters: { category: '网上银行' } })).map((h) => h.externalId)).toEqual(['password-reset']);
    expect((await search('信用卡丢了怎么办', { filters: { category: '信用卡' } })).map((h) => h.externalId)).toEqual(['card-lost']);
    // '信用' must not match '信用卡/…' as a prefix: categories match whole path segments.
    expect(await search('信用卡丢了怎么办', { filters: { category: '信用' } })).toEqual([]);
    expect((await search('信用卡丢了怎么办', { filters: { tags: ['汇率'] } })).map((h) => h.externalId)).toEqual(['fx-rate']);
    const agent = (await search('信用卡丢了怎么办', { filters: { channel: 'agent' } })).map((h) => h.externalId);
    expect(agent).toContain('card-lost');
    expect(agent).not.toContain('password-reset');
    expect(agent).not.toContain('en-card-lost');
  });

  it('a new published version replaces the old vectors; searches find the new text only', async () => {
    await publishAnswers(database.db, [{ ...bankAnswers[2]!, similarQuestions: ['港币兑换牌价'], body: '外汇牌价每日更新。' }]);
    const fx = await answerId('fx-rate');
    await runtime.worker!.drain();
    const texts = rowsOf<{ text: string }>(await database.db.execute(sql`select text from answer_embeddings where answer_id = ${fx} order by kind, ordinal`)).map((r) => r.text);
    expect(texts).toContain('港币兑换牌价');
    expect(texts).not.toContain('今天美元汇率多少');
    const versions = rowsOf<{ n: number }>(await database.db.execute(sql`select count(distinct version_id)::int as n from answer_embeddings where answer_id = ${fx}`));
    expect(versions[0]!.n).toBe(1);
    expect((await search('港币兑换牌价'))[0]).toMatchObject({ externalId: 'fx-rate', text: '港币兑换牌价' });
  });

  it("an archived answer's vectors are gone when the archive commits, before any worker runs", async () => {
    await runtime.worker!.stop();
    const id = await answerId('password-reset');
    expect(await vectorCount(sql`answer_id = ${id}`)).toBeGreaterThan(0);
    // What the answer domain does on archive: change, then answerChanged in the same transaction.
    await database.db.transaction(async (tx) => {
      await tx.update(answers).set({ archivedAt: new Date() }).where(eq(answers.id, id));
      await answerChanged(tx, id);
    });
    expect(await vectorCount(sql`answer_id = ${id}`)).toBe(0);
    expect((await search('登录密码忘了')).map((h) => h.externalId)).not.toContain('password-reset');
    // Unarchive: back after the worker ran.
    await database.db.transaction(async (tx) => {
      await tx.update(answers).set({ archivedAt: null }).where(eq(answers.id, id));
      await answerChanged(tx, id);
    });
    await runtime.worker!.drain();
    expect((await search('登录密码忘了'))[0]!.externalId).toBe('password-reset');
  });

  it('expiry happens by time: an expired version stops matching at once (live filter), and reconcile deletes its vectors', async () => {
    const id = await answerId('en-transfer-limit');
    // Time passes: no write, no answerChanged, no worker.
    await database.db.execute(sql`update answer_versions set expires_at = now() - interval '1 second' where answer_id = ${id} and status = 'published'`);
    expect((await search('daily transfer limit')).map((h) => h.externalId)).not.toContain('en-transfer-limit');
    expect(await vectorCount(sql`answer_id = ${id}`)).toBeGreaterThan(0);
    const { deleted } = await runtime.worker!.reconcile();
    expect(deleted).toBeGreaterThan(0);
    expect(await vectorCount(sql`answer_id = ${id}`)).toBe(0);
  });

  it('a scheduled version is embedded ahead and becomes searchable the moment it takes effect', async () => {
    const future = new Date(Date.now() + 3600_000).toISOString();
    await publishAnswers(database.db, [{ ...bankAnswers[3]!, similarQuestions: ['my bank card was swallowed by the atm'], effectiveFrom: future }]);
    const id = await answerId('en-card-lost');
    await runtime.worker!.drain();
    const versions = rowsOf<{ n: number }>(await database.db.execute(sql`select count(distinct version_id)::int as n from answer_embeddings where answer_id = ${id}`));
    expect(versions[0]!.n).toBe(2); // the live one and the scheduled one
    let top = (await search('my bank card was swallowed by the atm'))[0];
    expect(top?.externalId === 'en-card-lost' ? top.text : null).not.toBe('my bank card was swallowed by the atm');
    // Time passes to the effective date.
    await database.db.execute(sql`update answer_versions set effective_from = now() - interval '1 second' where answer_id = ${id} and effective_from is not null`);
    top = (await search('my bank card was swallowed by the atm'))[0];
    expect(top).toMatchObject({ externalId: 'en-card-lost', text: 'my bank card was swallowed by the atm' });
  });
});

describe('durable queue', () => {
  it('jobs locked by a crashed worker are retaken after the lease; nothing is lost', async () => {
    const records = Array.from({ length: 12 }, (_, i) => ({
      externalId: `crash-${i}`,
      title: `账户冻结问题第${i}号`,
      similarQuestions: [`冻结${i}`],
      body: `第${i}号说明。`,
      category: '账户',
    }));
    await publishAnswers(database.db, records);
    expect((await queueCounts(database.db)).pending).toBe(12);
    // A worker claims everything and dies before finishing (its process is gone; the rows stay locked by lease).
    const dead = await claimJobs(database.db, 'dead-worker', { limit: 100, leaseMs: 400 });
    expect(dead).toHaveLength(12);
    const survivor = new EmbeddingWorker({ db: database.db, service: runtime.service, log: silentLog }, { leaseMs: 60_000 });
    expect(await survivor.processBatch()).toBe(0); // still leased: not taken twice
    await new Promise((r) => setTimeout(r, 450));
    await survivor.drain();
    expect((await queueCounts(database.db)).pending).toBe(0);
    for (let i = 0; i < 12; i++) expect(await vectorCount(sql`answer_id = ${await answerId(`crash-${i}`)}`)).toBe(3);
  }, 240_000);

  it('a job re-enqueued while a worker holds it runs again (no lost update)', async () => {
    const id = await answerId('crash-0');
    await publishAnswers(database.db, [{ externalId: 'crash-0', title: '账户冻结问题第0号 新' }]);
    const [job] = await claimJobs(database.db, 'slow-worker', { limit: 1, leaseMs: 60_000 });
    expect(job?.answerId).toBe(id);
    // While the slow worker works, the answer changes again.
    await publishAnswers(database.db, [{ externalId: 'crash-0', title: '账户冻结问题第0号 再次更新' }]);
    await completeJobs(database.db, 'slow-worker', [job!]);
    const left = rowsOf<{ locked_by: string | null }>(await database.db.execute(sql`select locked_by from embedding_jobs where answer_id = ${id}`));
    expect(left).toEqual([{ locked_by: null }]);
    await runtime.worker!.drain();
    expect(rowsOf<{ text: string }>(await database.db.execute(sql`select text from answer_embeddings where answer_id = ${id} and kind = 'title'`))[0]!.text).toBe('账户冻结问题第0号 再次更新');
  });

  it('failures are retried with backoff, then parked as failed with the error; other answers are not held up', async () => {
    await publishAnswers(database.db, [
      { externalId: 'poison', title: '毒药答案', body: '会失败' },
      { externalId: 'healthy', title: '正常答案', body: '会成功' },
    ]);
    const [real] = runtime.service.readyModels();
    // An embedder that fails for one text only (a corrupt input, an ONNX error...).
    const flaky: ReadyModel = {
      spec: real!.spec,
      embedder: Object.assign(Object.create(Object.getPrototypeOf(real!.embedder)), real!.embedder, {
        embed: async (texts: string[]) => {
          if (texts.some((t) => t.includes('毒药'))) throw new Error('ONNX exploded on 毒药');
          return real!.embedder.embed(texts);
        },
      }),
    };
    const worker = new EmbeddingWorker({ db: database.db, service: runtime.service, log: silentLog }, { maxAttempts: 3, backoffMs: 1000 });
    await worker.processBatch([flaky]);
    expect(await vectorCount(sql`answer_id = ${await answerId('healthy')}`)).toBeGreaterThan(0);
    const poison = await answerId('poison');
    let job = rowsOf<{ attempts: number; last_error: string; failed_at: string | null; delay: number }>(
      await database.db.execute(sql`select attempts, last_error, failed_at, extract(epoch from run_after - now()) * 1000 as delay from embedding_jobs where answer_id = ${poison}`),
    )[0]!;
    expect(job).toMatchObject({ attempts: 1, last_error: 'ONNX exploded on 毒药', failed_at: null });
    expect(Number(job.delay)).toBeGreaterThan(0); // backoff: not retried at once
    for (let i = 0; i < 40 && !job.failed_at; i++) {
      await new Promise((r) => setTimeout(r, 250));
      await worker.processBatch([flaky]);
      job = rowsOf<typeof job>(await database.db.execute(sql`select attempts, last_error, failed_at from embedding_jobs where answer_id = ${poison}`))[0]!;
    }
    expect(job.attempts).toBe(3);
    expect(job.failed_at).not.toBeNull();
    expect(await queueCounts(database.db)).toEqual({ pending: 0, failed: 1 });
    // The operator fixes the cause and retries: the real model embeds it.
    expect(await retryFailed(database.db)).toBe(1);
    await runtime.worker!.drain();
    expect(await vectorCount(sql`answer_id = ${poison}`)).toBeGreaterThan(0);
  });
});

describe('filtered queries on the HNSW index', () => {
  it('iterative scans return every match of a rare filter; without them the index scan loses results', async () => {
    // Bulk rows straight into the tables (the import path is covered above), then a full reindex.
    await database.db.execute(sql`
      with a as (insert into answers (external_id) select 'bulk-' || i from generate_series(0, 239) i returning id, external_id)
      insert into answer_versions (answer_id, number, status, title, similar_questions, body_json, body_html, body_text, bot_text, category_path, published_at)
      select a.id, 1, 'published', '理财产品' || n || '号的收益说明', jsonb_build_array('理财' || n || '收益怎么算'), '{}', '', '产品' || n || '的收益按日计算。', '',
             case when n % 60 = 0 then '稀有类别' else '理财' end, now()
      from a, lateral (select substr(a.external_id, 6)::int as n) x`);
    await enqueueAll(database.db);
    await runtime.worker!.drain();
    const [vector] = await runtime.service.readyModels()[0]!.embedder.embed(['理财产品收益']);
    const opts = { modelId: MODEL, limit: 10, filters: { category: '稀有类别' }, forceIndex: true, efSearch: 10 } as const;
    const exact = await vectorSearch(database.db, vector!, { ...opts, exact: true });
    expect(exact).toHaveLength(4);
    const iterative = await vectorSearch(database.db, vector!, opts);
    expect(iterative.map((h) => h.answerId).sort()).toEqual(exact.map((h) => h.answerId).sort());
    const plain = await vectorSearch(database.db, vector!, { ...opts, iterativeScan: false });
    expect(plain.length).toBeLessThan(4);
    // Unfiltered HNSW agrees with the exact scan on the top answer.
    const top = await vectorSearch(database.db, vector!, { modelId: MODEL, limit: 10, forceIndex: true });
    const topExact = await vectorSearch(database.db, vector!, { modelId: MODEL, limit: 10, exact: true });
    expect(top[0]!.answerId).toBe(topExact[0]!.answerId);
  }, 240_000);

  it('a query vector of the wrong size (another model) returns nothing instead of failing', async () => {
    expect(await vectorSearch(database.db, new Array(48).fill(0.1), { modelId: MODEL })).toEqual([]);
    expect(await vectorSearch(database.db, new Array(64).fill(0.1), { modelId: 'zhida/not-there' })).toEqual([]);
  });
});
