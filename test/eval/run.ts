/**
 * Search quality evaluation: `npm run eval -- <dataset dir>... [--fit] [--threshold=0.3] [--fusion=rrf]`.
 *
 * Each dataset is imported through the real import path (importAnswers, published) into a fresh
 * in-memory PGlite with the real start-up (synonym seeds, index backfill), then every query runs
 * through searchAnswers, the function behind POST /api/v1/search and the bot. Prints recall@1,
 * recall@5, MRR@10, nDCG@10, latency, and the hand-off shares (out-of-scope vs in-scope).
 *
 * --fit: fits the confidence calibration (logistic regression) on all given datasets and picks the
 * hand-off threshold on the ones with out-of-scope queries; prints constants to paste into
 * src/search/calibration.ts and src/search/handoff.ts.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { importAnswers } from '../../src/answers/import.ts';
import { createPglite, wrapPglite } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { calibration, confidence, type Calibration, type ConfidenceFeatures } from '../../src/search/calibration.ts';
import type { FusionMethod } from '../../src/search/fusion.ts';
import { decideTurn, DEFAULT_HANDOFF_THRESHOLD } from '../../src/search/handoff.ts';
import { searchAnswers } from '../../src/search/search-answers.ts';
import { prepareSearch } from '../../src/search/start-up.ts';
import { loadDataset, type Dataset } from './dataset.ts';
import { fitLogistic, pickThreshold } from './fit.ts';
import { mean, percentile, queryMetrics } from './metrics.ts';

interface Row {
  name: string;
  inScope: number;
  oos: number;
  r1: number;
  r5: number;
  mrr10: number;
  ndcg10: number;
  p50: number;
  p95: number;
  oosHandedOff: number | null;
  inScopeHandedOff: number;
}

interface TopSample {
  dataset: string;
  top: ConfidenceFeatures | null;
  correct: boolean;
  oos: boolean;
}

export async function evaluateDataset(ds: Dataset, opts: { threshold: number; fusion?: FusionMethod; collect?: boolean }) {
  const database = wrapPglite(await createPglite());
  try {
    await runMigrations(database);
    const db = database.db;
    await prepareSearch(db);
    const imported = await importAnswers(db, ds.answers, { publish: true, actor: { kind: 'master' }, source: `eval:${ds.name}` });
    if (imported.errors.length) throw new Error(`import of ${ds.name} failed: ${JSON.stringify(imported.errors.slice(0, 3))}`);
    // Look up answerId -> externalId through search results themselves (hydrated externalId).
    const latencies: number[] = [];
    const metrics: ReturnType<typeof queryMetrics>[] = [];
    const tops: TopSample[] = [];
    let oosHanded = 0;
    let inHanded = 0;
    let oos = 0;
    for (const q of ds.queries) {
      const started = performance.now();
      const res = await searchAnswers(db, { query: q.query, limit: 10 }, { explain: opts.collect, fusion: opts.fusion });
      latencies.push(performance.now() - started);
      const ids = res.results.map((r) => r.externalId ?? '');
      const top = res.results[0];
      const decision = decideTurn({ query: q.query, topConfidence: top ? top.confidence : null, threshold: opts.threshold, unsureTurnsBefore: 0 });
      if (q.expected.length === 0) {
        oos++;
        if (decision.handoff) oosHanded++;
      } else {
        metrics.push(queryMetrics(ids, q.expected));
        if (decision.handoff) inHanded++;
      }
      if (opts.collect) {
        tops.push({ dataset: ds.name, top: top?.features ?? null, correct: !!top && q.expected.includes(top.externalId ?? ''), oos: q.expected.length === 0 });
      }
    }
    const inScope = ds.queries.length - oos;
    const row: Row = {
      name: ds.name,
      inScope,
      oos,
      r1: mean(metrics.map((m) => m.r1)),
      r5: mean(metrics.map((m) => m.r5)),
      mrr10: mean(metrics.map((m) => m.mrr10)),
      ndcg10: mean(metrics.map((m) => m.ndcg10)),
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      oosHandedOff: oos ? oosHanded / oos : null,
      inScopeHandedOff: inScope ? inHanded / inScope : 0,
    };
    return { row, tops };
  } finally {
    await database.close();
  }
}

export function formatTable(rows: Row[], mode: string): string {
  const f = (x: number) => x.toFixed(3);
  const lines = [
    `| dataset (${mode}) | queries | recall@1 | recall@5 | MRR@10 | nDCG@10 | p50 ms | p95 ms | OOS handed off | in-scope handed off |`,
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.inScope}${r.oos ? ` + ${r.oos} OOS` : ''} | ${f(r.r1)} | ${f(r.r5)} | ${f(r.mrr10)} | ${f(r.ndcg10)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.oosHandedOff === null ? '—' : `${(r.oosHandedOff * 100).toFixed(1)}%`} | ${(r.inScopeHandedOff * 100).toFixed(1)}% |`,
    ),
  ];
  return lines.join('\n');
}

/** Dataset folders from the arguments: a folder with answers.jsonl, or a folder of such folders. */
export function datasetDirs(args: string[]): string[] {
  const roots = args.length ? args : [path.resolve('../shared/datasets'), '/work/shared/datasets'].filter(existsSync).slice(0, 1);
  return roots.flatMap((d) =>
    existsSync(path.join(d, 'answers.jsonl'))
      ? [d]
      : readdirSync(d, { withFileTypes: true })
          .filter((e) => e.isDirectory() && existsSync(path.join(d, e.name, 'answers.jsonl')))
          .map((e) => path.join(d, e.name)),
  );
}

async function main() {
  const argv = process.argv.slice(2);
  const flags = new Map(argv.filter((a) => a.startsWith('--')).map((a) => [a.replace(/^--/, '').split('=')[0]!, a.split('=')[1] ?? 'true']));
  const dirs = datasetDirs(argv.filter((a) => !a.startsWith('--')));
  if (dirs.length === 0) throw new Error('No dataset folder found: pass a folder holding answers.jsonl and queries.jsonl');
  const threshold = flags.has('threshold') ? Number(flags.get('threshold')) : DEFAULT_HANDOFF_THRESHOLD;
  const fusion = (flags.get('fusion') as FusionMethod | undefined) ?? 'convex';
  const fit = flags.has('fit') || flags.has('dump');
  const rows: Row[] = [];
  const tops: TopSample[] = [];
  for (const dir of dirs) {
    const ds = loadDataset(dir);
    process.stderr.write(`evaluating ${ds.name}: ${ds.answers.length} answers, ${ds.queries.length} queries...\n`);
    const r = await evaluateDataset(ds, { threshold, fusion, collect: fit });
    rows.push(r.row);
    tops.push(...r.tops);
  }
  console.log(formatTable(rows, `keyword, ${fusion}, hand-off threshold ${threshold}`));
  if (flags.has('dump')) writeFileSync(flags.get('dump')!, JSON.stringify(tops));
  if (fit) {
    const keys: (keyof ConfidenceFeatures)[] = ['fused', 'margin', 'coverage', 'bm25Rel', 'trigramBest'];
    // Fitted on each query's top result (what the bot decides on): label 1 when it is an expected
    // answer, 0 when it is wrong or the query is out of scope.
    const fitSet = tops.filter((t) => t.top);
    const model = fitLogistic(
      fitSet.map((t) => keys.map((k) => t.top![k])),
      fitSet.map((t) => (t.correct ? 1 : 0)),
    );
    const fitted: Calibration = { ...calibration.keyword, intercept: model.intercept, vector: 0 };
    keys.forEach((k, i) => ((fitted as Record<string, number>)[k] = model.coef[i]!));
    const rounded = Object.fromEntries(Object.entries(fitted).map(([k, v]) => [k, Math.round(v * 1000) / 1000]));
    console.log(`\nfitted keyword calibration (${fitSet.length} top results): ${JSON.stringify(rounded)}`);
    const conf = (t: TopSample) => (t.top ? confidence(t.top, fitted) : 0);
    // Threshold on the datasets that have out-of-scope queries only.
    const withOos = new Set(rows.filter((r) => r.oos > 0).map((r) => r.name));
    const oosTops = tops.filter((t) => t.oos).map(conf);
    const inTops = tops.filter((t) => !t.oos && withOos.has(t.dataset)).map(conf);
    if (oosTops.length) {
      const best = pickThreshold(oosTops, inTops);
      console.log(`hand-off threshold (${best.rule}): ${best.threshold.toFixed(3)} (OOS handed off ${(best.oosShare * 100).toFixed(1)}%, in-scope ${(best.inShare * 100).toFixed(1)}%)`);
      for (let t = 0.1; t < 0.9; t += 0.05) {
        const o = oosTops.filter((c) => c < t).length / oosTops.length;
        const i = inTops.filter((c) => c < t).length / inTops.length;
        console.log(`  threshold ${t.toFixed(2)}: OOS handed off ${(o * 100).toFixed(1)}%, in-scope ${(i * 100).toFixed(1)}%`);
      }
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
