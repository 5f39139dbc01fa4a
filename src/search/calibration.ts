import { bm25Params } from './engine/keyword-engine.ts';
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
 * Fitted with `npm run eval -- ../shared/datasets --fit` (logistic regression by gradient descent
 * on standardised features, L2 1e-3) on the top result of every query of banking77 and
 * clinc150-bank, clinc's out-of-scope queries included: label 1 when the top result is an expected
 * answer, 0 when it is wrong or the query is out of scope (4769 top results, 2026-11-29). The
 * negative trigram coefficient is collinearity with `fused` (which is 70% trigram), not a sign that
 * similarity lowers confidence.
 */
const fittedKeyword = { intercept: -8.224, fused: 15.77, margin: 4.266, coverage: 0.542, bm25Rel: 2.442, trigramBest: -3.447, vector: 0 };

export const calibration = {
  keyword: fittedKeyword,
  // Hybrid: NOT fitted (no real embedding model on these machines). Until it is refitted with a
  // model present, the vector leg moves confidence only through the fused score.
  hybrid: fittedKeyword,
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
