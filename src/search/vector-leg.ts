import type { SearchFilters } from './filters.ts';

/** One answer's best semantic match for a query. */
export interface VectorLegHit {
  answerId: string;
  versionId: string;
  /** Cosine similarity, -1..1. */
  similarity: number;
  /** The text that matched best (title, similar question or body chunk) and what it was. */
  text?: string;
  kind?: 'title' | 'question' | 'chunk';
}

/**
 * What search needs from the embedding side: the nearest live answers to a query, or null when no
 * model is ready (search then runs keyword-only, mode "keyword"). Wired to src/embedding in
 * src/search/embedding-vector-leg.ts; tests pass their own.
 */
export type VectorLeg = (query: string, opts: { limit: number; filters?: SearchFilters }) => Promise<VectorLegHit[] | null>;
