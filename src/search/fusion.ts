/** Per-candidate evidence from the legs, before fusion. */
export interface CandidateSignals {
  versionId: string;
  answerId: string;
  /** Raw BM25F score (0 when only another leg found it). */
  bm25: number;
  /** Share of the query's idf mass matched (0..1). */
  coverage: number;
  /** Combined trigram signal (trigram.ts trigramSignal), 0..1. */
  trigram: number;
  /** Best single-phrase trigram similarity, 0..1. */
  trigramBest: number;
  /** Cosine similarity from the vector leg; undefined in keyword mode or when it did not return this answer. */
  vector?: number;
}

export interface FusionWeights {
  keyword: number;
  trigram: number;
  vector: number;
}

/**
 * Keyword mode: chosen by grid search through the real search path on recall@1 (trigram weight
 * 0.5 / 0.6 / 0.65 / 0.7 -> banking77 - / .705 / .705 / .705, clinc150-bank .706 / .719 / - / .722;
 * BM25F alone is ~.67 on both, trigram alone .56 / .61 in the prototype). 0.6-0.7 is a plateau.
 */
export const keywordWeights: FusionWeights = { keyword: 0.3, trigram: 0.7, vector: 0 };

/**
 * Hybrid mode: NOT fitted — no sentence-embedding model can be downloaded on these machines, so
 * there is no vector data to fit on. Literature default of giving the dense leg a little under half;
 * refit with `npm run eval -- <dir> --fit` once a real model is present.
 */
export const hybridWeights: FusionWeights = { keyword: 0.25, trigram: 0.35, vector: 0.4 };

export type FusionMethod = 'convex' | 'rrf';

/**
 * Convex combination of normalised scores: BM25 divided by the best BM25 of this query (its scale
 * depends on the query), trigram and cosine similarity already in 0..1 (negative cosines count 0).
 */
export function fuseConvex(cands: CandidateSignals[], w: FusionWeights): number[] {
  const maxBm25 = Math.max(0, ...cands.map((c) => c.bm25));
  return cands.map((c) => {
    const kw = maxBm25 > 0 ? c.bm25 / maxBm25 : 0;
    return w.keyword * kw + w.trigram * c.trigram + w.vector * Math.max(0, c.vector ?? 0);
  });
}

/** Reciprocal rank fusion (k = 60): rank-based, ignores score scales; offered as an option. */
export function fuseRrf(cands: CandidateSignals[], w: FusionWeights, k = 60): number[] {
  const rankOf = (key: (c: CandidateSignals) => number) => {
    const order = cands.map((c, i) => [key(c), i] as const).filter(([v]) => v > 0).sort((a, b) => b[0] - a[0]);
    const ranks = new Map<number, number>();
    order.forEach(([, i], r) => ranks.set(i, r + 1));
    return ranks;
  };
  const legs: [number, Map<number, number>][] = [
    [w.keyword, rankOf((c) => c.bm25)],
    [w.trigram, rankOf((c) => c.trigram)],
    [w.vector, rankOf((c) => c.vector ?? 0)],
  ];
  // Scaled so a candidate ranked first by every leg scores 1.
  const best = legs.reduce((s, [wt]) => s + wt / (k + 1), 0) || 1;
  return cands.map((_, i) => legs.reduce((s, [wt, ranks]) => s + (ranks.has(i) ? wt / (k + ranks.get(i)!) : 0), 0) / best);
}

export function fuse(cands: CandidateSignals[], w: FusionWeights, method: FusionMethod = 'convex'): number[] {
  return method === 'rrf' ? fuseRrf(cands, w) : fuseConvex(cands, w);
}
