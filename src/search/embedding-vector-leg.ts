import type { EmbeddingService } from '../embedding/service.ts';
import type { VectorLeg } from './vector-leg.ts';

/**
 * The vector leg backed by the embedding service (src/embedding): null while no model is ready,
 * so search falls back to keyword mode on its own and turns hybrid once a model has loaded.
 */
export function embeddingVectorLeg(embedding: EmbeddingService | undefined): VectorLeg | null {
  if (!embedding) return null;
  return async (query, opts) => {
    if (embedding.state().state !== 'ready') return null;
    const hits = await embedding.search(query, { limit: opts.limit, filters: opts.filters });
    return hits?.map((h) => ({ answerId: h.answerId, versionId: h.versionId, similarity: h.similarity, text: h.text, kind: h.kind })) ?? null;
  };
}
