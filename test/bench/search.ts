/**
 * `npm run bench:search [-- options]`: search, import and start-up figures of the real server, side by
 * side in one run with the HTTP floor, MiniSearch and the old SQL BM25 path. Prints markdown tables.
 *
 *   --sizes 1000,10000,100000   corpus sizes (generated answers with FAQ bodies, test/bench/corpus.ts)
 *   --concurrency 1,8,32        closed-loop HTTP clients
 *   --requests 300              requests per cell at concurrency 1 (x5 at higher concurrency)
 *   --database-url URL          run on a PostgreSQL server (a fresh database per size is created
 *                               beside the URL's one) instead of the embedded PGlite
 *   --hybrid 10000              sizes also measured in hybrid mode (generated tiny model, all embedded)
 *   --during-import 10000       at this size, import this many more answers while searching
 *   --propagation               two nodes on the server: publish/archive on A, time until B sees it
 *   --skip a,b                  any of: healthz, minisearch, legacy, startup, import-load, routes, keyword
 *   --legacy-max 10000          largest size for the old SQL path (its postings table grows ~120 rows/answer)
 *   --minisearch-max 100000     largest size for MiniSearch
 *   --no-eval                   (kept for compatibility; quality is measured by `npm run eval`)
 *
 * How: the server runs as its own process (src/main.ts, as `npm start`), fed through
 * POST /api/v1/import?publish=true in chunks of 2,000 lines (keyword mode: the embedding worker is
 * off, jobs stay queued). Then it is stopped and started again on the same data, which times
 * start-to-ready (index build from the database). The load generator (test/bench/load.ts) runs in
 * this process over keep-alive sockets. "in-process" for Zhida is the server's own `tookMs` at
 * concurrency 1; MiniSearch and the old SQL path run here in this process, the old path on its own
 * database (PGlite in memory, or a database on the server), with no hydration or liveness queries,
 * so it is timed favourably.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { createPglite, connectPostgres, wrapPglite, type Database } from '../../src/db/client.ts';
import type { ImportRecord } from '../../src/answers/import.ts';
import { makeTinyModelRoot } from '../fixtures/embedding-env.ts';
import { percentile } from '../eval/metrics.ts';
import { createLegacySqlIndex, type LegacyDoc } from '../legacy/sql-bm25.ts';
import { benchQueries, findDatasets, generateCorpus } from './corpus.ts';
import { httpClient, loadUntil, runLoad, type HttpClient, type LoadResult } from './load.ts';
import { buildMiniSearch, miniSearchTop } from './minisearch.ts';
import { BENCH_TOKEN, startServerProcess, type ServerProcess } from './server-process.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i]!;
  if (!a.startsWith('--')) continue;
  const next = process.argv[i + 1];
  if (next !== undefined && !next.startsWith('--')) args.set(a.slice(2), next), i++;
  else args.set(a.slice(2), 'true');
}
const list = (name: string, fallback: string) => (args.get(name) ?? fallback).split(',').filter(Boolean);
const sizes = list('sizes', '1000,10000').map(Number);
const concurrencies = list('concurrency', '1,8,32').map(Number);
const requests = Number(args.get('requests') ?? 300);
const databaseUrl = args.get('database-url');
const hybridSizes = new Set(list('hybrid', '').map(Number));
const duringImport = Number(args.get('during-import') ?? 0);
const propagation = args.has('propagation');
const skip = new Set(list('skip', ''));
const legacyMax = Number(args.get('legacy-max') ?? 10_000);
const miniSearchMax = Number(args.get('minisearch-max') ?? 100_000);
const datasetRoot = findDatasets(args.get('datasets'));
const backend = databaseUrl ? 'postgres' : 'pglite';
const IMPORT_CHUNK = 2000;

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);

const latencyRows: string[] = [];
const sizeRows: string[] = [];
const importLoadRows: string[] = [];
const propagationRows: string[] = [];
function latencyRow(size: number, what: string, c: number | string, r: Pick<LoadResult, 'p50' | 'p95' | 'p99' | 'rps'> & Partial<LoadResult>) {
  latencyRows.push(`| ${backend} | ${size} | ${what} | ${c} | ${f1(r.p50)} | ${f1(r.p95)} | ${f1(r.p99)} | ${f0(r.rps)} | ${r.errors ?? 0} | ${(r.resets ?? 0) + (r.timeouts ?? 0)} |`);
  log(latencyRows.at(-1)!);
}

/** A database of its own for each run on the server: `zhida_bench_<name>` beside the URL's database. */
async function serverDatabase(name: string): Promise<string> {
  const admin = connectPostgres(databaseUrl!, { max: 1 });
  try {
    await admin.db.execute(sql.raw(`drop database if exists zhida_bench_${name} with (force)`));
    await admin.db.execute(sql.raw(`create database zhida_bench_${name}`));
  } finally {
    await admin.close();
  }
  const u = new URL(databaseUrl!);
  u.pathname = `/zhida_bench_${name}`;
  return u.toString();
}

async function dropServerDatabase(name: string) {
  const admin = connectPostgres(databaseUrl!, { max: 1 });
  try {
    await admin.db.execute(sql.raw(`drop database if exists zhida_bench_${name} with (force)`));
  } finally {
    await admin.close();
  }
}

/** A second reviewer, signed in, who approves import batches (four-eyes: the importer cannot). */
const approvers = new Map<string, Promise<{ cookie: string; csrf: string }>>();
function approver(baseUrl: string) {
  let a = approvers.get(baseUrl);
  if (!a) {
    a = (async () => {
      const email = 'bench.approver@bank.test';
      const password = 'bench-approver-password-long-enough';
      await fetch(new URL('/api/v1/users', baseUrl), {
        method: 'POST',
        headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'bench approver', email, password, role: 'reviewer' }),
      });
      const res = await fetch(new URL('/api/v1/auth/login', baseUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      if (res.status !== 200) throw new Error(`approver login ${res.status} ${await res.text()}`);
      const cookie = /zhida_session=[^;]*/.exec(res.headers.getSetCookie().join('\n'))![0];
      return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
    })();
    approvers.set(baseUrl, a);
  }
  return a;
}

async function approveBatch(baseUrl: string, batchId: string | null | undefined) {
  if (!batchId) return;
  const { cookie, csrf } = await approver(baseUrl);
  const res = await fetch(new URL(`/api/v1/import-batches/${batchId}/approve`, baseUrl), {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
    body: '{}',
  });
  if (res.status !== 200) throw new Error(`approve ${res.status} ${await res.text()}`);
}

/** Sends records through POST /api/v1/import?publish=true in chunks, each batch approved by a second reviewer (published); returns seconds. */
async function importOverHttp(baseUrl: string, records: readonly ImportRecord[], label: string): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < records.length; i += IMPORT_CHUNK) {
    const chunk = records.slice(i, i + IMPORT_CHUNK);
    const res = await ndjsonPost(baseUrl, '/api/v1/import?publish=true', chunk.map((r) => JSON.stringify(r)).join('\n'));
    if (res.status !== 200) throw new Error(`import ${res.status}: ${res.body.slice(0, 500)}`);
    const body = JSON.parse(res.body) as { created: number; updated: number; errors: unknown[]; batchId?: string | null };
    if (body.errors.length) throw new Error(`import errors: ${JSON.stringify(body.errors.slice(0, 3))}`);
    await approveBatch(baseUrl, body.batchId);
    if ((i / IMPORT_CHUNK) % 5 === 4) log(`  ${label}: ${i + chunk.length} imported (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  return (performance.now() - started) / 1000;
}


const searchSpec = (query: string) => ({ method: 'POST' as const, path: '/api/v1/search', body: { query, limit: 10 } });
const searchCheck = (mode: string) => (res: { status: number; body: string }) => {
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  const body = JSON.parse(res.body) as { mode: string; tookMs: number };
  if (body.mode !== mode) throw new Error(`mode ${body.mode}`);
  return body.tookMs;
};

async function waitForVectors(client: HttpClient, timeoutMs = 3_600_000) {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    const res = await client.request({ method: 'GET', path: '/api/v1/index/status' });
    const s = JSON.parse(res.body) as { model?: { state: string }; pending: number; vectors: number };
    last = res.body;
    if (s.model?.state === 'ready' && s.pending === 0 && s.vectors > 0) return;
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new Error(`embedding did not finish in time: ${last}`);
}

function legacyDocs(corpus: readonly ImportRecord[]): LegacyDoc[] {
  return corpus.map((r, i) => {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    return { versionId: id, answerId: id, title: r.title, similarQuestions: r.similarQuestions ?? [], bodyText: r.body ?? '', categoryPath: r.category ?? null, tags: r.tags ?? [], channels: r.channels ?? [] };
  });
}

/** Times an in-process async function over the queries, one at a time. */
async function timeInProcess(queries: readonly string[], run: (q: string) => unknown | Promise<unknown>) {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  for (const q of queries) {
    const t = performance.now();
    try {
      await run(q);
      latencies.push(performance.now() - t);
    } catch {
      errors++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), rps: latencies.length / seconds, errors };
}

const heapMb = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

async function benchSize(size: number, mode: 'keyword' | 'hybrid') {
  log(`${backend}: ${size} answers, ${mode}`);
  const name = `${mode}_${size}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), `zhida-bench-${name}-`));
  const url = databaseUrl ? await serverDatabase(name) : undefined;
  const env: Record<string, string> =
    mode === 'hybrid' ? { ZHIDA_EMBED_WORKER: '1', ZHIDA_MODEL: 'zhida/tiny-test', ZHIDA_MODEL_DIR: makeTinyModelRoot(), ZHIDA_OFFLINE: '1' } : {};
  const corpus = generateCorpus(size, datasetRoot);
  const queries = benchQueries(Math.max(requests * 5, 2000), datasetRoot);
  let server: ServerProcess | undefined;
  let client: HttpClient | undefined;
  let nodeB: ServerProcess | undefined;
  try {
    server = await startServerProcess({ dataDir, databaseUrl: url, env });
    client = benchClient(server.url);
    const importSeconds = await importOverHttp(server.url, corpus, `${size}`);
    log(`  imported ${size} in ${importSeconds.toFixed(1)} s`);
    if (mode === 'hybrid') {
      await waitForVectors(client);
      log('  all answers embedded');
    }
    let restartMs = NaN;
    let buildMs = NaN;
    if (!skip.has('startup')) {
      client.close();
      await server.stop();
      server = await startServerProcess({ dataDir, databaseUrl: url, env });
      client = benchClient(server.url);
      restartMs = server.readyMs;
      buildMs = Number((server.ready.checks as { search?: { buildMs?: number } } | undefined)?.search?.buildMs ?? NaN);
      log(`  restart to ready: ${(restartMs / 1000).toFixed(1)} s`);
    }
    const rssIdle = server.rssMb();
    for (const q of queries.slice(0, 50)) await client.request(searchSpec(q));

    const check = searchCheck(mode);
    let tookMs: number[] = [];
    for (const c of concurrencies) {
      const n = c === 1 ? requests : requests * 5;
      if (!skip.has('healthz')) {
        const floor = await withClient(server.url, c, (cl) => runLoad(cl, Array.from({ length: n }), c, () => ({ method: 'GET', path: '/healthz' })));
        latencyRow(size, 'HTTP floor GET /healthz', c, floor);
      }
      const r = await withClient(server.url, c, (cl) => runLoad(cl, queries.slice(0, n), c, searchSpec, check));
      latencyRow(size, `zhida ${mode} POST /api/v1/search`, c, r);
      if (c === 1) tookMs = r.values;
    }
    if (tookMs.length) latencyRow(size, `zhida ${mode} in-process (server tookMs)`, 1, { p50: percentile(tookMs, 50), p95: percentile(tookMs, 95), p99: percentile(tookMs, 99), rps: NaN });
    const rssLoaded = server.rssMb();
    if (mode === 'keyword' && !skip.has('routes')) await withClient(server.url, 1, (cl) => measureRoutes(cl, size));

    let msBuild = NaN;
    let msHeap = NaN;
    if (mode === 'keyword' && !skip.has('minisearch') && size <= miniSearchMax) {
      const before = heapMb();
      const t = performance.now();
      let ms: ReturnType<typeof buildMiniSearch> | undefined = buildMiniSearch(corpus);
      msBuild = (performance.now() - t) / 1000;
      msHeap = heapMb() - before;
      const r = await timeInProcess(queries.slice(0, requests), (q) => miniSearchTop(ms!, q));
      latencyRow(size, 'MiniSearch 7.2.0 in-process (same tokeniser, boosts)', 1, r);
      ms = undefined;
    }

    let legacyBuild = NaN;
    if (mode === 'keyword' && !skip.has('legacy') && size <= legacyMax) {
      const legacyDb: Database = url ? connectPostgres(await serverDatabase(`legacy_${size}`), { max: 4 }) : wrapPglite(await createPglite());
      try {
        const legacy = await createLegacySqlIndex(legacyDb.db);
        const t = performance.now();
        await legacy.add(legacyDocs(corpus));
        legacyBuild = (performance.now() - t) / 1000;
        const r = await timeInProcess(queries.slice(0, requests), (q) => legacy.search(q, { limit: 10 }));
        latencyRow(size, 'old SQL BM25F path in-process (755ced9)', 1, r);
      } finally {
        await legacyDb.close();
        if (url) await dropServerDatabase(`legacy_${size}`);
      }
    }

    sizeRows.push(
      `| ${backend} | ${size} | ${mode} | ${f1(importSeconds)} | ${f0(size / importSeconds)} | ${f1(restartMs / 1000)} | ${f1(buildMs / 1000)} | ${f0(rssIdle)} | ${f0(rssLoaded)} | ${f1(msBuild)} | ${f0(msHeap)} | ${f1(legacyBuild)} |`,
    );
    log(sizeRows.at(-1)!);

    if (mode === 'keyword' && duringImport > 0 && size === sizes.find((s) => s >= 10_000 || s === sizes.at(-1)) && !skip.has('import-load')) {
      const extra = generateCorpus(duringImport + size, datasetRoot)
        .slice(size)
        .map((r) => ({ ...r, externalId: `during-${r.externalId}` }));
      const importing = importOverHttp(server.url, extra, 'during import');
      const [seconds, search, health] = await Promise.all([
        importing,
        withClient(server.url, 8, (cl) => loadUntil(cl, importing, 8, (i) => searchSpec(queries[i % queries.length]!), check)),
        withClient(server.url, 1, (cl) => loadUntil(cl, importing, 1, () => ({ method: 'GET', path: '/healthz' }))),
      ]);
      importLoadRows.push(`| ${backend} | ${size} + ${duringImport} | ${f1(seconds)} | search c=8 | ${f1(search.p50)} | ${f1(search.p95)} | ${f1(search.p99)} | ${f1(search.max)} | ${f0(search.rps)} | ${search.errors} |`);
      importLoadRows.push(`| ${backend} | ${size} + ${duringImport} | ${f1(seconds)} | GET /healthz c=1 | ${f1(health.p50)} | ${f1(health.p95)} | ${f1(health.p99)} | ${f1(health.max)} | ${f0(health.rps)} | ${health.errors} |`);
      log(importLoadRows.at(-2)!);
      log(importLoadRows.at(-1)!);
    }

    if (propagation && url && mode === 'keyword' && size === sizes.at(-1)) {
      nodeB = await startServerProcess({ dataDir: mkdtempSync(path.join(tmpdir(), 'zhida-bench-b-')), databaseUrl: url, env });
      await measurePropagation(server, nodeB, size);
    }
  } finally {
    client?.close();
    await nodeB?.stop();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (url) await dropServerDatabase(name);
  }
}

async function withClient<T>(baseUrl: string, sockets: number, run: (c: HttpClient) => Promise<T>): Promise<T> {
  const c = httpClient(baseUrl, BENCH_TOKEN, sockets);
  try {
    return await run(c);
  } finally {
    c.close();
  }
}

const benchClient = (baseUrl: string, sockets = 64) => httpClient(baseUrl, BENCH_TOKEN, sockets, 30 * 60_000);

/** The import route takes NDJSON. */
async function ndjsonPost(baseUrl: string, pathname: string, ndjson: string) {
  const res = await fetch(new URL(pathname, baseUrl), { method: 'POST', headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/x-ndjson' }, body: ndjson });
  return { status: res.status, body: await res.text() };
}

/** Routes that read across all answers (the editor's list, categories, index status, analytics), at concurrency 1. */
async function measureRoutes(client: HttpClient, size: number) {
  const routes = [
    '/api/v1/answers',
    '/api/v1/answers?sort=title',
    '/api/v1/answers?q=%E6%8C%82%E5%A4%B1',
    '/api/v1/answers?category=banking77',
    '/api/v1/answers?page=50',
    '/api/v1/categories',
    '/api/v1/index/status',
    '/api/v1/analytics/overview',
  ];
  for (const route of routes) {
    const r = await runLoad(client, Array.from({ length: 20 }), 1, () => ({ method: 'GET', path: route }));
    latencyRow(size, `GET ${decodeURIComponent(route)}`, 1, r);
  }
}

/** Publish on node A, poll search on node B until it finds the answer; then archive on A and poll until B stops returning it. */
async function measurePropagation(a: ServerProcess, b: ServerProcess, size: number) {
  const ca = benchClient(a.url, 1);
  const cb = httpClient(b.url, BENCH_TOKEN, 1);
  const publish: number[] = [];
  const archive: number[] = [];
  try {
    for (let k = 0; k < 10; k++) {
      const token = `propagationprobe${size}x${k}`;
      const t = performance.now();
      const res = await ndjsonPost(a.url, '/api/v1/import?publish=true', JSON.stringify({ externalId: `probe-${k}`, title: `Probe ${token}`, body: 'probe' }));
      if (res.status !== 200) throw new Error(`probe import ${res.status} ${res.body}`);
      await approveBatch(a.url, (JSON.parse(res.body) as { batchId?: string }).batchId);
      const afterWrite = performance.now();
      const seen = async (want: boolean) => {
        for (;;) {
          const r = await cb.request(searchSpec(token));
          const found = r.status === 200 && (JSON.parse(r.body) as { results: { externalId: string }[] }).results.some((x) => x.externalId === `probe-${k}`);
          if (found === want) return;
          if (performance.now() - afterWrite > 30_000) throw new Error('not propagated in 30 s');
          await new Promise((r2) => setTimeout(r2, 10));
        }
      };
      await seen(true);
      publish.push(performance.now() - afterWrite);
      void t;
      const list = await ca.request({ method: 'GET', path: `/api/v1/answers?q=${encodeURIComponent(token)}&limit=5` });
      const id = findAnswerId(list.body, `probe-${k}`);
      if (id) {
        const detail = await ca.request({ method: 'GET', path: `/api/v1/answers/${id}` });
        const etag = (JSON.parse(detail.body) as { etag?: string }).etag;
        const ta = performance.now();
        const r = await ca.request({ method: 'POST', path: `/api/v1/answers/${id}/archive`, body: { etag } });
        if (r.status === 200) {
          const afterArchive = performance.now();
          void ta;
          const until = performance.now();
          for (;;) {
            const s = await cb.request(searchSpec(token));
            const found = s.status === 200 && (JSON.parse(s.body) as { results: { externalId: string }[] }).results.some((x) => x.externalId === `probe-${k}`);
            if (!found) break;
            if (performance.now() - until > 30_000) throw new Error('archive not propagated in 30 s');
            await new Promise((r2) => setTimeout(r2, 10));
          }
          archive.push(performance.now() - afterArchive);
        }
      }
    }
  } finally {
    ca.close();
    cb.close();
  }
  const row = (what: string, xs: number[]) =>
    propagationRows.push(`| ${backend} | ${size} | ${what} | ${xs.length} | ${f0(percentile(xs, 50))} | ${f0(Math.max(...xs))} |`);
  row('publish on A -> found by search on B', publish);
  if (archive.length) row('archive on A -> gone from search on B', archive);
  for (const r of propagationRows.slice(-2)) log(r);
}

function findAnswerId(body: string, externalId: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { items?: { id: string; externalId: string }[] };
    return parsed.items?.find((x) => x.externalId === externalId)?.id;
  } catch {
    return undefined;
  }
}

async function main() {
  const started = Date.now();
  const load0 = loadavg()[0]!;
  for (const size of sizes) {
    if (!skip.has('keyword')) await benchSize(size, 'keyword');
    if (hybridSizes.has(size)) await benchSize(size, 'hybrid');
  }
  console.log(`\n### Search latency (${backend})\n`);
  console.log('| database | answers | what | concurrency | p50 ms | p95 ms | p99 ms | req/s | errors | resets+timeouts |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  console.log(latencyRows.join('\n'));
  console.log(`\n### Import, start-up and memory (${backend})\n`);
  console.log('| database | answers | mode | import s (HTTP, publish=true) | answers/s | restart to ready s | index build s (engine) | server RSS idle MB | server RSS after load MB | MiniSearch build s | MiniSearch heap MB | old SQL index build s |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  console.log(sizeRows.join('\n'));
  if (importLoadRows.length) {
    console.log(`\n### During an import (${backend})\n`);
    console.log('| database | answers + imported | import s | what | p50 ms | p95 ms | p99 ms | max ms | req/s | errors |');
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    console.log(importLoadRows.join('\n'));
  }
  if (propagationRows.length) {
    console.log('\n### Change propagation between two nodes\n');
    console.log('| database | answers | what | samples | p50 ms | max ms |');
    console.log('|---|---|---|---|---|---|');
    console.log(propagationRows.join('\n'));
  }
  console.log(`\n(${Math.round((Date.now() - started) / 1000)} s; load average at start ${load0.toFixed(2)}, at end ${loadavg()[0]!.toFixed(2)})`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
