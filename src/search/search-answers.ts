import { sql } from 'drizzle-orm';
import { liveVersionIds } from '../answers/live.ts';
import type { Db } from '../db/client.ts';
import type { Channel } from '../db/schema/index.ts';
import { bm25Search } from './bm25.ts';
import { calibration, confidence, confidenceFeatures, type ConfidenceFeatures } from './calibration.ts';
import type { SearchFilters } from './filters.ts';
import { fuse, hybridWeights, keywordWeights, type CandidateSignals, type FusionMethod } from './fusion.ts';
import { hydrateVersions } from './hydrate.ts';
import { normaliseText } from './normalise.ts';
import { analyse } from './segment.ts';
import { highlightPattern, makeSnippet } from './snippet.ts';
import { rowsOf } from '../db/rows.ts';
import { expandQuery } from './synonyms.ts';
import { trigramSearch, trigramSignal, type TrigramHit } from './trigram.ts';
import type { VectorLeg, VectorLegHit } from './vector-leg.ts';

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

/** Of the given answers' versions, those live now (src/answers/live.ts, the one definition). */
async function liveAmong(db: Db, answerIds: string[], now?: Date): Promise<Set<string>> {
  if (answerIds.length === 0) return new Set();
  const rows = await db.execute(sql`select l.version_id from ${liveVersionIds(now)} l where l.answer_id = any(${sql.param(answerIds)}::uuid[])`);
  return new Set(rowsOf<{ version_id: string }>(rows).map((r) => r.version_id));
}

/**
 * Search over live answers: normalise -> segment -> synonyms -> BM25F keyword leg + trigram signal
 * (+ vector leg when a model is ready) -> live filter -> fusion -> calibrated confidence -> page ->
 * hydrate with highlighted snippets.
 */
export async function searchAnswers(db: Db, req: SearchRequest, opts: SearchOptions = {}): Promise<SearchResponse> {
  const started = performance.now();
  const limit = req.limit ?? 10;
  const offset = req.offset ?? 0;
  const { normalised, terms } = analyseQuery(req.query);
  const pool = Math.max(100, offset + limit + 20);

  const weighted = await expandQuery(db, terms);
  const [keyword, vectorHits] = await Promise.all([
    bm25Search(db, weighted, req.filters, pool),
    opts.vector ? opts.vector(req.query, { limit: pool, filters: req.filters }).catch(() => null) : Promise.resolve(null),
  ]);
  // Trigram similarity re-ranks the best keyword hits and, when the keyword leg may have missed
  // (unknown words, few hits), finds typo'd matches on its own.
  const trigram = await trigramSearch(
    db,
    normalised,
    keyword.hits.slice(0, Math.max(TRIGRAM_RERANK, offset + limit)).map((h) => h.versionId),
    req.filters,
    { fuzzy: keyword.unknownTerms > 0 || keyword.hits.length < offset + limit, limit: pool },
  );
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
  const live = await liveAmong(db, [...new Set([...byVersion.values()].map((c) => c.answerId))], opts.now);
  const cands = [...byVersion.values()].filter((c) => live.has(c.versionId));
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
  const versions = await hydrateVersions(db, page.map((p) => p.c.versionId));
  const pattern = highlightPattern(req.query);
  const channel: Channel | undefined = req.filters?.channel;
  const results: SearchResult[] = [];
  for (const p of page) {
    const v = versions.get(p.c.versionId);
    if (!v) continue;
    const phrase = p.c.phrase;
    const matchedQuestion = phrase && phrase.bestOrd > 0 ? v.similarQuestions[phrase.bestOrd - 1] : undefined;
    const snippetSource = v.bodyText.trim() || matchedQuestion || v.title;
    results.push({
      answerId: v.answerId,
      externalId: v.externalId,
      title: v.title,
      snippet: makeSnippet(snippetSource, pattern),
      score: round(p.fused),
      confidence: round(p.confidence),
      ...(matchedQuestion ? { matchedQuestion } : {}),
      category: v.category,
      tags: v.tags,
      text: channel === 'bot' ? v.botText : v.bodyText,
      version: v.version,
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
