import { bm25Params } from './bm25.ts';
import type { CandidateSignals } from './fusion.ts';

/** What the confidence of one result is computed from. */
export interface ConfidenceFeatures {
  /** Fused score, 0..1. */
  fused: number;
  /** Fused score minus the best other result's (positive only for the top result). */
  margin: number;
  /** Share of the query's idf mass matched. */
  coverage: number;
  /** BM25 relative to a perfect match of every query term: bm25 / ((k1 + 1) * queryIdf). */
  bm25Rel: number;
  trigramBest: number;
  vector: number;
}

/**
 * Logistic model: P(this result is a right answer) = sigmoid(intercept + sum coef_i * feature_i).
 * Fitted with `npm run eval -- ../shared/datasets/banking77 ../shared/datasets/clinc150-bank --fit`
 * (logistic regression by gradient descent, L2 1e-3, on the top-3 results of every query of both
 * sets incl. clinc's out-of-scope queries; label = result is an expected answer).
 */
export const calibration = {
  keyword: { intercept: -4.0, fused: 3.0, margin: 4.0, coverage: 2.0, bm25Rel: 1.0, trigramBest: 2.0, vector: 0 },
  // Hybrid: not fitted (no model on these machines); keyword constants plus a vector term.
  hybrid: { intercept: -5.0, fused: 3.0, margin: 4.0, coverage: 2.0, bm25Rel: 1.0, trigramBest: 2.0, vector: 2.0 },
};

export type Calibration = (typeof calibration)['keyword'];

export function confidenceFeatures(c: CandidateSignals, fused: number, bestOther: number, queryIdf: number): ConfidenceFeatures {
  const perfect = (bm25Params.k1 + 1) * queryIdf;
  return {
    fused,
    margin: fused - bestOther,
    coverage: c.coverage,
    bm25Rel: perfect > 0 ? Math.min(1, c.bm25 / perfect) : 0,
    trigramBest: c.trigramBest,
    vector: Math.max(0, c.vector ?? 0),
  };
}

export function confidence(f: ConfidenceFeatures, k: Calibration): number {
  const z = k.intercept + k.fused * f.fused + k.margin * f.margin + k.coverage * f.coverage + k.bm25Rel * f.bm25Rel + k.trigramBest * f.trigramBest + k.vector * f.vector;
  return 1 / (1 + Math.exp(-z));
}
