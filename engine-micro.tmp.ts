import { readFileSync } from 'node:fs';
import { KeywordEngine, type EngineAnswer } from './src/search/engine/keyword-engine.ts';
import { analyseQuery } from './src/search/search-answers.ts';
import { expandWithSynonyms, analyseSynonymGroups, seedSynonymGroups } from './src/search/synonyms.ts';
const N = Number(process.argv[2] ?? 10000);
const qs = ['banking77', 'clinc150-bank'].flatMap((d) => readFileSync(`/work/shared/datasets/${d}/queries.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l).query as string));
const bodies = ['banking77', 'clinc150-bank'].flatMap((d) => readFileSync(`/work/shared/datasets/${d}/answers.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l).body as string));
let seed = 1; const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)]!;
const answers: EngineAnswer[] = [];
for (let i = 0; i < N; i++) {
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  answers.push({ answerId: id, externalId: `x${i}`, versions: [{ versionId: id.replace('4000', '5000'), number: 1, title: pick(qs), similarQuestions: [pick(qs), pick(qs)], bodyText: Array.from({ length: 8 }, () => pick(qs)).join(". ") + " " + pick(bodies) + " " + pick(bodies), botText: '', categoryPath: i % 3 ? 'cards' : 'loans', tags: [], channels: ['bot', 'agent', 'web'], effectiveFrom: null, expiresAt: null, updatedAt: '' }] });
}
const avgBody = answers.reduce((s, a) => s + a.versions[0]!.bodyText.length, 0) / N;
global.gc?.();
const rss0 = process.memoryUsage().rss, heap0 = process.memoryUsage().heapUsed;
const t0 = performance.now();
const e = new KeywordEngine();
for (let i = 0; i < N; i += 2000) e.index(answers.slice(i, i + 2000));
const buildMs = performance.now() - t0;
global.gc?.();
const mem = process.memoryUsage();
const groups = analyseSynonymGroups(seedSynonymGroups);
const lat: number[] = [];
const sample = qs.filter((_, i) => i % 5 === 0);
for (const q of sample) {
  const s = performance.now();
  const { normalised, terms } = analyseQuery(q);
  const kw = e.bm25(expandWithSynonyms(terms, groups), undefined, 100);
  e.trigram(normalised, kw.hits.slice(0, 30).map((h) => h.versionId), undefined, { fuzzy: kw.unknownTerms > 0 || kw.hits.length < 10, limit: 100 });
  lat.push(performance.now() - s);
}
lat.sort((a, b) => a - b);
const p = (x: number) => lat[Math.floor(lat.length * x)]!.toFixed(2);
console.log(JSON.stringify({ N, avgBodyChars: Math.round(avgBody), buildMs: Math.round(buildMs), stats: e.stats(), heapMB: ((mem.heapUsed - heap0) / 1e6).toFixed(0), rssMB: ((mem.rss - rss0) / 1e6).toFixed(0), queries: lat.length, p50: p(0.5), p95: p(0.95), p99: p(0.99) }));
