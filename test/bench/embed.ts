/**
 * `npm run bench:embed [-- --model-dir DIR --model ID --sizes 10000,50000 --queries 200]`
 *
 * 1. Throughput: texts/s at batch 1, 8, 32 through our Embedder (tokenize + run + pool +
 *    normalise, micro-batcher included) versus onnxruntime-node called directly on the same
 *    model file and the same token ids (session.run only): the ratio is our overhead.
 * 2. HNSW on the stored vectors, per size: bulk insert, index build, incremental insert into the
 *    indexed table; recall@10 of vectorSearch (HNSW, forced) against an exact scan of the same
 *    vectors at several ef_search values, with p50/p95 latency; plus a 1%-selective filter with
 *    and without iterative scans.
 *
 * Default model: the generated zhida/tiny-test (64 dims). Give a real model directory (transformers.js
 * layout) with --model-dir and its id with --model to measure a real model.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AutoTokenizer } from '@xenova/transformers';
import { sql } from 'drizzle-orm';
import * as ortNamespace from 'onnxruntime-node';
import { loadConfig } from '../../src/config.ts';
import { demoAnswers } from '../../src/demo/answers.ts';
import { Embedder } from '../../src/embedding/embedder.ts';
import { ensureHnswIndex } from '../../src/embedding/hnsw-index.ts';
import { locateModel } from '../../src/embedding/model-source.ts';
import { resolveModelSpec } from '../../src/embedding/registry.ts';
import { vectorSearch } from '../../src/embedding/vector-search.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { makeTinyModelRoot } from '../fixtures/embedding-env.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const modelId = args.get('model') ?? 'zhida/tiny-test';
const modelDir = args.get('model-dir') ?? makeTinyModelRoot();
const sizes = (args.get('sizes') ?? '10000,50000').split(',').map(Number);
const queryCount = Number(args.get('queries') ?? 200);
const efValues = (args.get('ef') ?? '10,20,40,100,200').split(',').map(Number);

// onnxruntime-node is CommonJS: under plain Node ESM its exports sit on `default`.
const ort = (ortNamespace as unknown as { default?: typeof ortNamespace }).default ?? ortNamespace;
type OrtTensor = ortNamespace.Tensor;

const lines: string[] = [];
const out = (s = '') => {
  lines.push(s);
  console.log(s);
};
const ms = (t0: number) => performance.now() - t0;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

// Realistic texts: BANKING77 customer questions (English) and the Chinese demo answers' questions and bodies.
const datasets = path.resolve(new URL('../../..', import.meta.url).pathname, 'shared/datasets/banking77/queries.jsonl');
let english: string[] = [];
try {
  english = readFileSync(datasets, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { query: string }).query);
} catch {
  english = demoAnswers.filter((a) => /^[\x00-\x7f]+$/.test(a.title)).map((a) => a.title);
}
const chinese = demoAnswers.flatMap((a) => [a.title, ...a.similarQuestions, ...a.body.split(/[。\n]/).filter((s) => s.trim().length > 4)]);
const corpus = [...english, ...chinese].filter(Boolean);
const textAt = (i: number) => `${corpus[i % corpus.length]} ${i % 7 === 0 ? '' : `#${Math.floor(i / corpus.length)}`}`.trim();

const config = loadConfig({ ZHIDA_DATA_DIR: '/tmp', ZHIDA_MODEL: modelId, ZHIDA_MODEL_DIR: modelDir, ZHIDA_OFFLINE: '1', ZHIDA_MODEL_POOLING: process.env.ZHIDA_MODEL_POOLING || undefined });
const spec = resolveModelSpec(modelId, config.model.custom);
const source = locateModel(config.model, spec);
const embedder = await Embedder.load(spec, source);
out(`# Embedding benchmark — model ${modelId} (${embedder.dims} dims, ${spec.pooling} pooling, ${spec.quantized ? 'quantized' : 'fp32'}), ${new Date().toISOString()}`);
out(`# machine: ${(await import('node:os')).cpus().length} cores, load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
out();

// ---- 1. throughput ----------------------------------------------------------------------------
const session = await ort.InferenceSession.create(path.join(source.localModelPath, source.modelPath, `onnx/model${spec.quantized ? '_quantized' : ''}.onnx`));
const tokenizer = await AutoTokenizer.from_pretrained(source.modelPath, { local_files_only: true });
out('## Throughput (texts/s; higher is better)');
out('| batch | Embedder (ours) | onnxruntime-node direct | ours / direct |');
out('|---:|---:|---:|---:|');
for (const batch of [1, 8, 32]) {
  const total = batch === 1 ? 200 : 640;
  const batches = Array.from({ length: total / batch }, (_, b) => Array.from({ length: batch }, (_, i) => textAt(b * batch + i)));
  // Same token ids for the direct path, prepared outside the timing (session.run only).
  const feeds = batches.map((texts) => {
    const enc = tokenizer(texts, { padding: true, truncation: true, max_length: spec.maxTokens });
    const f: Record<string, OrtTensor> = {};
    for (const name of session.inputNames) f[name] = new ort.Tensor('int64', enc[name].data, enc[name].dims);
    return f;
  });
  await embedder.embed(batches[0]!); // warm-up
  await session.run(feeds[0]!);
  let t0 = performance.now();
  for (const texts of batches) await embedder.embed(texts);
  const ours = total / (ms(t0) / 1000);
  t0 = performance.now();
  for (const f of feeds) await session.run(f);
  const direct = total / (ms(t0) / 1000);
  out(`| ${batch} | ${ours.toFixed(0)} | ${direct.toFixed(0)} | ${(ours / direct).toFixed(2)} |`);
}
out('(ours = tokenizer + ONNX run + pooling + normalisation; direct = session.run on pre-tokenised tensors)');
out();

// ---- 2. HNSW ------------------------------------------------------------------------------------
for (const size of sizes) {
  const database = await createTestDatabase();
  const db = database.db;
  // Answers + published versions (1 text each), 1% of them in a rare category for the filter test.
  await db.execute(sql`
    with a as (insert into answers (external_id) select 'b' || i from generate_series(0, ${size + 1000 - 1}) i returning id, external_id)
    insert into answer_versions (answer_id, number, status, title, body_json, body_html, body_text, bot_text, category_path, published_at)
    select id, 1, 'published', external_id, '{}', '', '', '', case when substr(external_id, 2)::int % 100 = 0 then 'rare' else 'common' end, now() from a`);
  const versions = (await database.pglite!.query<{ id: string; answer_id: string; n: number; category_path: string }>(
    `select v.id, v.answer_id, substr(a.external_id, 2)::int as n, v.category_path from answer_versions v join answers a on a.id = v.answer_id order by n`,
  )).rows;
  let t0 = performance.now();
  const vectors: number[][] = [];
  for (let i = 0; i < size + 1000; i += 32) vectors.push(...(await embedder.embed(Array.from({ length: Math.min(32, size + 1000 - i) }, (_, k) => textAt(i + k)))));
  const embedSeconds = ms(t0) / 1000;

  const insert = async (from: number, to: number, step: number) => {
    for (let i = from; i < to; i += step) {
      const slice = versions.slice(i, Math.min(to, i + step));
      await db.execute(sql`
        insert into answer_embeddings (answer_id, version_id, model_id, kind, ordinal, text, category_path, embedding)
        select a, v, ${modelId}, 'title', 0, 't', c, e::vector
        from unnest(${sql.param(slice.map((s) => s.answer_id))}::uuid[], ${sql.param(slice.map((s) => s.id))}::uuid[],
                    ${sql.param(slice.map((s) => s.category_path))}::text[], ${sql.param(slice.map((s) => `[${vectors[s.n]!.join(',')}]`))}::text[]) as x(a, v, c, e)`);
    }
  };
  t0 = performance.now();
  await insert(0, size, 1000);
  const bulk = ms(t0);
  t0 = performance.now();
  await ensureHnswIndex(db, modelId, embedder.dims);
  await db.execute(sql`analyze answer_embeddings`);
  const build = ms(t0);
  t0 = performance.now();
  await insert(size, size + 1000, 1); // one row per statement, like the worker's steady state
  const incremental = ms(t0) / 1000;

  out(`## HNSW at ${size.toLocaleString('en')} vectors (+1,000 incremental)`);
  out(`embedding ${size + 1000} texts: ${embedSeconds.toFixed(1)} s (${((size + 1000) / embedSeconds).toFixed(0)} texts/s at batch 32)`);
  out(`bulk insert (no index): ${(bulk / 1000).toFixed(1)} s (${((bulk / size) * 1000).toFixed(0)} µs/vector) | index build (m=16, ef_construction=64): ${(build / 1000).toFixed(1)} s | incremental insert into the indexed table: ${incremental.toFixed(2)} ms/vector (vs ${(bulk / size).toFixed(2)} ms/vector bulk)`);
  out();
  const queries = await embedder.embed(Array.from({ length: queryCount }, (_, i) => `${corpus[(i * 7919) % corpus.length]} ?`));
  const exact = [] as string[][];
  const exactTimes: number[] = [];
  for (const q of queries) {
    const s = performance.now();
    exact.push((await vectorSearch(db, q, { modelId, limit: 10, exact: true })).map((h) => h.answerId));
    exactTimes.push(ms(s));
  }
  out('| search | recall@10 | p50 ms | p95 ms |');
  out('|---|---:|---:|---:|');
  out(`| exact scan (ground truth) | 1.000 | ${pct(exactTimes, 50).toFixed(1)} | ${pct(exactTimes, 95).toFixed(1)} |`);
  for (const ef of efValues) {
    const times: number[] = [];
    let hit = 0;
    for (const [i, q] of queries.entries()) {
      const s = performance.now();
      const got = await vectorSearch(db, q, { modelId, limit: 10, efSearch: ef, forceIndex: true });
      times.push(ms(s));
      const truth = new Set(exact[i]);
      hit += got.filter((h) => truth.has(h.answerId)).length;
    }
    out(`| HNSW ef_search=${ef} | ${(hit / (queries.length * 10)).toFixed(3)} | ${pct(times, 50).toFixed(1)} | ${pct(times, 95).toFixed(1)} |`);
  }
  // The index alone: LIMIT 10 straight from HNSW, no iterative scan, so ef_search bounds what it finds.
  for (const ef of efValues) {
    const times: number[] = [];
    let hit = 0;
    for (const [i, q] of queries.entries()) {
      const s = performance.now();
      const got = await rawHnswTop10(db, q, ef);
      times.push(ms(s));
      const truth = new Set(exact[i]);
      hit += got.filter((id) => truth.has(id)).length;
    }
    out(`| raw index LIMIT 10, ef_search=${ef}, no iterative scan | ${(hit / (queries.length * 10)).toFixed(3)} | ${pct(times, 50).toFixed(1)} | ${pct(times, 95).toFixed(1)} |`);
  }
  // A 1%-selective filter: what iterative scans save.
  for (const iterative of [true, false]) {
    const times: number[] = [];
    let hit = 0;
    let total = 0;
    for (const q of queries.slice(0, 50)) {
      const truth = new Set((await vectorSearch(db, q, { modelId, limit: 10, exact: true, filters: { category: 'rare' } })).map((h) => h.answerId));
      const s = performance.now();
      const got = await vectorSearch(db, q, { modelId, limit: 10, efSearch: 40, forceIndex: true, iterativeScan: iterative, filters: { category: 'rare' } });
      times.push(ms(s));
      hit += got.filter((h) => truth.has(h.answerId)).length;
      total += truth.size;
    }
    out(`| HNSW ef=40, 1% filter, iterative scan ${iterative ? 'on ' : 'off'} | ${(hit / total).toFixed(3)} | ${pct(times, 50).toFixed(1)} | ${pct(times, 95).toFixed(1)} |`);
  }
  out();
  await database.close();
}
await embedder.dispose();

async function rawHnswTop10(db: Awaited<ReturnType<typeof createTestDatabase>>['db'], q: number[], ef: number): Promise<string[]> {
  const d = sql.raw(String(q.length));
  return db.transaction(async (tx) => {
    await tx.execute(sql.raw(`set local hnsw.ef_search = ${ef}`));
    await tx.execute(sql.raw(`set local enable_sort = off`));
    const result = await tx.execute(sql`
      select answer_id from answer_embeddings where model_id = ${sql.raw(`'${modelId}'`)}
      order by (embedding::vector(${d})) <=> ${`[${q.join(',')}]`}::vector(${d}) limit 10`);
    return ((result as unknown as { rows: { answer_id: string }[] }).rows ?? (result as unknown as { answer_id: string }[])).map((r) => r.answer_id);
  });
}
