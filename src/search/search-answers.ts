import type { Db } from '../db/client.ts';
import type { Channel } from '../db/schema/index.ts';
import { calibration, confidence, confidenceFeatures, type ConfidenceFeatures } from './calibration.ts';
import type { SearchFilters } from './filters.ts';
import { fuse, hybridWeights, keywordWeights, type CandidateSignals, type FusionMethod } from './fusion.ts';
import { normaliseText } from './normalise.ts';
import { analyse } from './segment.ts';
import { highlightPattern, makeSnippet } from './snippet.ts';
import type { TrigramHit } from './engine/keyword-engine.ts';
import { searchRuntime, type SearchRuntime } from './engine/runtime.ts';
import { trigramSignal } from './engine/trigrams.ts';
import { expandWithSynonyms } from './synonyms.ts';
import type { VectorLeg, VectorLegHit } from './vector-leg.ts';
import { searchLegDuration } from '../metrics/catalog.ts';

export type { SearchFilters } from './filters.ts';

export interface SearchRequest {
  query: string;
  limit?: number;
  offset?: number;
  filters?: SearchFilters;
}

export interface SearchResult {
  answerId: string;
  externalId: string | null;
  title: string;
  /** Excerpt with the matched words in <mark>, HTML-escaped. */
  snippet: string;
  /** Fused ranking score, 0..1. */
  score: number;
  /** Calibrated probability that this is a right answer, 0..1. */
  confidence: number;
  /** The similar question that matched, when one did better than the title. */
  matchedQuestion?: string;
  category: string | null;
  tags: string[];
  /** Text for the requested channel: the bot variant for `bot`, plain body text otherwise. */
  text: string;
  version: number;
  updatedAt: string;
  features?: ConfidenceFeatures;
}

export interface SearchResponse {
  results: SearchResult[];
  total: number;
  mode: 'keyword' | 'hybrid';
  tookMs: number;
}

export interface SearchOptions {
  /** The semantic leg; absent or returning null = keyword mode. */
  vector?: VectorLeg | null;
  fusion?: FusionMethod;
  /** Evaluate liveness at this instant instead of now (tests of scheduled/expired versions). */
  now?: Date;
  /** The engine to search (tests: a second "node" on the same database); default this process's for `db`. */
  runtime?: SearchRuntime;
  /** Attach each result's confidence features (evaluation and calibration fitting; never on the wire). */
  explain?: boolean;
}

/** The analysed form of a query, shared with logging. */
export interface AnalysedQuery {
  normalised: string;
  terms: string[];
}

// Bound the work a pathological query (10 kB of text) can cause: terms beyond this add nothing.
const MAX_TERMS = 48;
// Keyword hits re-scored by trigram similarity; recall@1 on the eval sets is flat above ~20.
const TRIGRAM_RERANK = 30;

export function analyseQuery(query: string): AnalysedQuery {
  const normalised = normaliseText(query);
  return { normalised, terms: [...new Set(analyse(normalised))].slice(0, MAX_TERMS) };
}

/**
 * Search over live answers: normalise -> segment -> synonyms -> BM25F keyword leg + trigram signal
 * (in memory, src/search/engine/) + vector leg when a model is ready (one pgvector query) -> live
 * filter (in memory, src/answers/live.ts rule) -> fusion -> calibrated confidence -> page -> render
 * with highlighted snippets from the engine's copy of each version. A keyword search runs no SQL
 * (unless this process wrote to the change feed since the last search: then it catches up first).
 */
export async function searchAnswers(db: Db, req: SearchRequest, opts: SearchOptions = {}): Promise<SearchResponse> {
  const started = performance.now();
  const runtime = opts.runtime ?? searchRuntime(db);
  // A failed catch-up (database gone) must not fail the search: serve the last index.
  await runtime.syncLocalWrites().catch(() => {});
  const engine = runtime.engine;
  const limit = req.limit ?? 10;
  const offset = req.offset ?? 0;
  const { normalised, terms } = analyseQuery(req.query);
  const pool = Math.max(100, offset + limit + 20);

  const weighted = expandWithSynonyms(terms, runtime.synonymGroups());
  const vectorStarted = performance.now();
  const vectorPromise = opts.vector
    ? opts
        .vector(req.query, { limit: pool, filters: req.filters })
        .catch(() => null)
        .finally(() => searchLegDuration.observe({ leg: 'vector' }, (performance.now() - vectorStarted) / 1000))
    : Promise.resolve(null);
  const keywordStarted = performance.now();
  const keyword = engine.bm25(weighted, req.filters, pool);
  // Trigram similarity re-ranks the best keyword hits and, when the keyword leg may have missed
  // (unknown words, few hits), finds typo'd matches on its own.
  const trigram = engine.trigram(
    normalised,
    keyword.hits.slice(0, Math.max(TRIGRAM_RERANK, offset + limit)).map((h) => h.versionId),
    req.filters,
    { fuzzy: keyword.unknownTerms > 0 || keyword.hits.length < offset + limit, limit: pool },
  );
  searchLegDuration.observe({ leg: 'keyword' }, (performance.now() - keywordStarted) / 1000);
  const vectorHits = await vectorPromise;
  const mode: SearchResponse['mode'] = vectorHits ? 'hybrid' : 'keyword';

  // Merge the legs per version.
  const byVersion = new Map<string, CandidateSignals & { phrase?: TrigramHit; vectorHit?: VectorLegHit }>();
  const entry = (versionId: string, answerId: string) => {
    let c = byVersion.get(versionId);
    if (!c) byVersion.set(versionId, (c = { versionId, answerId, bm25: 0, coverage: 0, trigram: 0, trigramBest: 0 }));
    return c;
  };
  for (const h of keyword.hits) Object.assign(entry(h.versionId, h.answerId), { bm25: h.score, coverage: h.coverage });
  for (const t of trigram) Object.assign(entry(t.versionId, t.answerId), { trigram: trigramSignal(t), trigramBest: t.best, phrase: t });
  for (const v of vectorHits ?? []) Object.assign(entry(v.versionId, v.answerId), { vector: v.similarity, vectorHit: v });

  // Only live versions, evaluated now (scheduled and expired versions are exact to the second).
  const nowMs = (opts.now ?? new Date()).getTime();
  const cands = [...byVersion.values()].filter((c) => engine.isLive(c.versionId, nowMs));
  const weights = mode === 'hybrid' ? hybridWeights : keywordWeights;
  const fused = fuse(cands, weights, opts.fusion);
  const order = cands.map((c, i) => ({ c, fused: fused[i]! })).filter((x) => x.fused > 0).sort((a, b) => b.fused - a.fused || a.c.answerId.localeCompare(b.c.answerId));
  const k = mode === 'hybrid' ? calibration.hybrid : calibration.keyword;
  const ranked = order.map((x, i) => {
    const bestOther = i === 0 ? (order[1]?.fused ?? 0) : order[0]!.fused;
    const features = confidenceFeatures(x.c, x.fused, bestOther, keyword.queryIdf);
    return { ...x, features, confidence: confidence(features, k) };
  });

  const page = ranked.slice(offset, offset + limit);
  const pattern = highlightPattern(req.query);
  const channel: Channel | undefined = req.filters?.channel;
  const results: SearchResult[] = [];
  for (const p of page) {
    const found = engine.version(p.c.versionId);
    if (!found) continue;
    const { answer, version: v } = found;
    const phrase = p.c.phrase;
    const matchedQuestion = phrase && phrase.bestOrd > 0 ? v.similarQuestions[phrase.bestOrd - 1] : undefined;
    const snippetSource = v.bodyText.trim() || matchedQuestion || v.title;
    results.push({
      answerId: answer.answerId,
      externalId: answer.externalId,
      title: v.title,
      snippet: makeSnippet(snippetSource, pattern),
      score: round(p.fused),
      confidence: round(p.confidence),
      ...(matchedQuestion ? { matchedQuestion } : {}),
      category: v.categoryPath,
      tags: v.tags,
      text: channel === 'bot' ? v.botText : v.bodyText,
      version: v.number,
      updatedAt: v.updatedAt,
      ...(opts.explain ? { features: p.features } : {}),
    });
  }
  return { results, total: ranked.length, mode, tookMs: round(performance.now() - started, 1) };
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
