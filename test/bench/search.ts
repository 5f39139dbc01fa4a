/**
 * `npm run bench:search [-- --sizes 1000,10000 --requests 300 --hybrid 1000 --no-eval --eval-every 3]`
 *
 * 1. Latency and throughput of POST /api/v1/search through HTTP (the real server, in-memory PGlite)
 *    at concurrency 1, 8 and 32, per corpus size, keyword mode; hybrid mode (the generated tiny
 *    test model, every answer embedded) at the sizes given by --hybrid.
 * 2. Baseline in the same run, on the same data: a plain Postgres full-text query
 *    (to_tsvector over title + similar questions + body, OR of the query words, ts_rank), timed
 *    in-process beside our search called in-process, so the ratio compares query work only.
 * 3. Quality: recall@1 / MRR@10 of ts_rank vs our search on the shared eval sets.
 *
 * Corpora are generated from the demo answers and the eval sets' answers: each generated answer
 * takes a template's title and body and similar questions drawn from other templates, so term
 * statistics look like a real knowledge base rather than N copies of one text.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { importAnswers } from '../../src/answers/import.ts';
import { createPglite, wrapPglite, type Database } from '../../src/db/client.ts';
import { demoAnswers } from '../../src/demo/answers.ts';
import { searchAnswers } from '../../src/search/search-answers.ts';
import { rowsOf } from '../../src/db/rows.ts';
import { evaluateDataset } from '../eval/run.ts';
import { loadDataset, type Dataset } from '../eval/dataset.ts';
import { mean, percentile, queryMetrics } from '../eval/metrics.ts';
import { makeTinyModelRoot } from '../fixtures/embedding-env.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i]!;
  if (!a.startsWith('--')) continue;
  const next = process.argv[i + 1];
  if (next && !next.startsWith('--')) args.set(a.slice(2), next), i++;
  else args.set(a.slice(2), 'true');
}
const sizes = (args.get('sizes') ?? '1000,10000').split(',').map(Number);
const hybridSizes = new Set((args.get('hybrid') ?? '1000').split(',').filter(Boolean).map(Number));
const requests = Number(args.get('requests') ?? 300);
const concurrencies = [1, 8, 32];
const datasetRoot = [args.get('datasets'), path.resolve('../shared/datasets'), '/work/shared/datasets'].find((d) => d && existsSync(d));

// Deterministic pseudo-random numbers (mulberry32) so every run benchmarks the same corpus.
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Template {
  title: string;
  similarQuestions: string[];
  body: string;
  category: string;
}

function templates(): Template[] {
  const out: Template[] = demoAnswers.map((a) => ({ title: a.title, similarQuestions: a.similarQuestions, body: a.body, category: a.category }));
  for (const name of ['banking77', 'clinc150-bank']) {
    const dir = datasetRoot && path.join(datasetRoot, name);
    if (!dir || !existsSync(dir)) continue;
    for (const a of loadDataset(dir).answers as unknown as Template[]) out.push({ title: a.title, similarQuestions: a.similarQuestions, body: a.body || a.similarQuestions.join(' '), category: `dataset/${name}` });
  }
  return out;
}

function generateCorpus(n: number) {
  const t = templates();
  const pool = t.flatMap((x) => x.similarQuestions);
  const rand = rng(n);
  return Array.from({ length: n }, (_, i) => {
    const base = t[i % t.length]!;
    const own = base.similarQuestions.filter(() => rand() < 0.6);
    const borrowed = Array.from({ length: 2 }, () => pool[Math.floor(rand() * pool.length)]!);
    return {
      externalId: `bench-${i}`,
      title: i < t.length ? base.title : `${base.title}（${Math.floor(i / t.length)}）`,
      similarQuestions: [...own, ...borrowed],
      body: `${base.body}\n\n${t[Math.floor(rand() * t.length)]!.body.slice(0, 200)}`,
      category: base.category,
      tags: [],
      channels: ['bot', 'agent', 'web'] as ('bot' | 'agent' | 'web')[],
    };
  });
}

function benchQueries(): string[] {
  const t = templates();
  const qs: string[] = [];
  const rand = rng(7);
  for (const name of ['banking77', 'clinc150-bank']) {
    const dir = datasetRoot && path.join(datasetRoot, name);
    if (dir && existsSync(dir)) qs.push(...loadDataset(dir).queries.map((q) => q.query));
  }
  for (const a of t.slice(0, 80)) qs.push(...a.similarQuestions);
  return Array.from({ length: 1000 }, () => qs[Math.floor(rand() * qs.length)]!);
}

/** The baseline: Postgres full-text search with ts_rank, the same fields, no BM25. */
async function createBaseline(database: Database, config = 'simple') {
  await database.db.execute(sql.raw(`drop table if exists bench_fts`));
  await database.db.execute(
    sql.raw(`create table bench_fts as
      select v.answer_id, a.external_id, to_tsvector('${config}', v.title || ' ' || (select coalesce(string_agg(q, ' '), '') from jsonb_array_elements_text(v.similar_questions) q) || ' ' || v.body_text) as tsv
      from answer_versions v join answers a on a.id = v.answer_id where v.status = 'published'`),
  );
  await database.db.execute(sql.raw(`create index bench_fts_idx on bench_fts using gin (tsv)`));
}

async function tsRankSearch(database: Database, query: string, config = 'simple'): Promise<string[]> {
  // OR of the words (AND would find almost nothing for natural-language questions).
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) return [];
  const tsq = words.map((w) => w.replace(/'/g, '')).join(' | ');
  const rows = await database.db.execute(sql`
    select external_id, ts_rank(tsv, q) as rank from bench_fts, to_tsquery(${config}::regconfig, ${tsq}) q
    where tsv @@ q order by rank desc limit 10`);
  return rowsOf<{ external_id: string }>(rows).map((r) => r.external_id);
}

async function timeEach<T>(items: T[], concurrency: number, run: (item: T) => Promise<unknown>) {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        const t = performance.now();
        try {
          await run(item);
          latencies.push(performance.now() - t);
        } catch {
          errors++; // a reset connection under overload: counted, not fatal
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), qps: latencies.length / seconds, errors };
}

const f1 = (x: number) => x.toFixed(1);
const rows: string[] = [];
// Rows are also printed as they come, so a long run that is cut short still reports what it measured.
const row = (cells: (string | number)[]) => {
  rows.push(`| ${cells.join(' | ')} |`);
  process.stderr.write(`${rows.at(-1)}\n`);
};

async function waitForVectors(zhida: TestServer, timeoutMs = 1_800_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const s = await (await zhida.api('/api/v1/index/status')).json();
    if (s.model?.state === 'ready' && s.pending === 0 && s.vectors > 0) return;
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new Error('embedding did not finish in time');
}

async function benchSize(size: number, mode: 'keyword' | 'hybrid') {
  const database = wrapPglite(await createPglite());
  const env: Record<string, string> = mode === 'hybrid' ? { ZHIDA_EMBED_WORKER: '1', ZHIDA_MODEL: 'zhida/tiny-test', ZHIDA_MODEL_DIR: makeTinyModelRoot(), ZHIDA_OFFLINE: '1' } : {};
  const zhida = await startTestServer(env, database);
  try {
    const corpus = generateCorpus(size);
    const importStarted = performance.now();
    const result = await importAnswers(zhida.ctx.db, corpus, { publish: true, actor: { kind: 'master' }, source: 'bench' });
    if (result.errors.length) throw new Error(`bench import failed: ${JSON.stringify(result.errors.slice(0, 3))}`);
    const importSeconds = (performance.now() - importStarted) / 1000;
    if (mode === 'hybrid') await waitForVectors(zhida);
    process.stderr.write(`  ${size} answers imported and indexed in ${importSeconds.toFixed(0)} s (${mode})\n`);
    const queries = benchQueries();
    const httpSearch = async (query: string) => {
      const res = await zhida.api('/api/v1/search', { method: 'POST', json: { query, limit: 10 } });
      const body = await res.json();
      if (res.status !== 200 || body.mode !== mode) throw new Error(`search ${res.status} ${body.mode ?? JSON.stringify(body)}`);
    };
    for (const q of queries.slice(0, 20)) await httpSearch(q);
    for (const c of concurrencies) {
      const n = c === 1 ? Math.min(requests, 200) : requests;
      const r = await timeEach(queries.slice(0, n), c, httpSearch);
      row([`${size}`, `zhida ${mode} (HTTP)`, c, f1(r.p50), f1(r.p95), f1(r.p99), f1(r.qps), r.errors]);
    }
    if (mode === 'keyword') {
      await createBaseline(database);
      const inProcess = queries.slice(0, Math.min(requests, 200));
      const ours = await timeEach(inProcess, 1, (q) => searchAnswers(zhida.ctx.db, { query: q, limit: 10 }));
      const base = await timeEach(inProcess, 1, (q) => tsRankSearch(database, q));
      row([`${size}`, 'zhida keyword (in-process)', 1, f1(ours.p50), f1(ours.p95), f1(ours.p99), f1(ours.qps), ours.errors]);
      row([`${size}`, 'ts_rank baseline (in-process)', 1, f1(base.p50), f1(base.p95), f1(base.p99), f1(base.qps), base.errors]);
      row([`${size}`, 'ratio zhida / ts_rank (p50, p95)', 1, (ours.p50 / base.p50).toFixed(2), (ours.p95 / base.p95).toFixed(2), '', '', '']);
    }
  } finally {
    await zhida.stop();
  }
}

async function tsRankQuality(ds: Dataset) {
  const database = wrapPglite(await createPglite());
  const { runMigrations } = await import('../../src/db/migrate.ts');
  try {
    await runMigrations(database);
    await importAnswers(database.db, ds.answers, { publish: true, actor: { kind: 'master' } });
    await createBaseline(database, 'english');
    const m = [];
    for (const q of ds.queries.filter((x) => x.expected.length)) m.push(queryMetrics(await tsRankSearch(database, q.query, 'english'), q.expected));
    return { r1: mean(m.map((x) => x.r1)), r5: mean(m.map((x) => x.r5)), mrr10: mean(m.map((x) => x.mrr10)), ndcg10: mean(m.map((x) => x.ndcg10)) };
  } finally {
    await database.close();
  }
}

async function main() {
  const started = Date.now();
  for (const size of sizes) {
    process.stderr.write(`benchmarking ${size} answers...\n`);
    await benchSize(size, 'keyword');
    if (hybridSizes.has(size)) await benchSize(size, 'hybrid');
  }
  console.log('\n| answers | what | concurrency | p50 ms | p95 ms | p99 ms | req/s | errors |');
  console.log('|---|---|---|---|---|---|---|---|');
  console.log(rows.join('\n'));
  if (!args.has('no-eval') && datasetRoot) {
    const q: string[] = [];
    for (const name of ['banking77', 'clinc150-bank']) {
      const dir = path.join(datasetRoot, name);
      if (!existsSync(dir)) continue;
      const full = loadDataset(dir);
      // Every k-th in-scope query (--eval-every, default 3) keeps the run short; both searches get the same queries.
      const every = Number(args.get('eval-every') ?? 3);
      const ds = { ...full, queries: full.queries.filter((x, i) => x.expected.length && i % every === 0) };
      const base = await tsRankQuality(ds);
      const ours = (await evaluateDataset(ds, { threshold: 0.5 })).row;
      q.push(`| ${name} (${ds.queries.length} queries) | ts_rank (english, OR) | ${base.r1.toFixed(3)} | ${base.r5.toFixed(3)} | ${base.mrr10.toFixed(3)} | ${base.ndcg10.toFixed(3)} |`);
      q.push(`| ${name} (${ds.queries.length} queries) | zhida keyword | ${ours.r1.toFixed(3)} | ${ours.r5.toFixed(3)} | ${ours.mrr10.toFixed(3)} | ${ours.ndcg10.toFixed(3)} |`);
    }
    console.log('\n| dataset | search | recall@1 | recall@5 | MRR@10 | nDCG@10 |');
    console.log('|---|---|---|---|---|---|');
    console.log(q.join('\n'));
  }
  console.log(`\n(${Math.round((Date.now() - started) / 1000)} s; machine load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
