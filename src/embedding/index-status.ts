import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queueCounts } from './queue.ts';
import { rowsOf } from '../db/rows.ts';
import type { EmbeddingService, ModelState } from './service.ts';

export interface IndexStatus {
  /** Answers whose vectors are not up to date yet (jobs waiting or running). */
  pending: number;
  /** Jobs that failed too often and wait for an operator (`zhida reindex --retry-failed`). */
  failed: number;
  /** Vectors stored for the active model. */
  vectors: number;
  model: ModelState;
  /** Which search mode the model state allows: keyword-only until a model is ready. */
  searchMode: 'hybrid' | 'keyword';
  /** The last error of a failed job, for the operator. */
  lastError?: string;
}

/** GET /api/v1/index/status: how far the embedding index is, and why it might not be. */
export async function indexStatus(db: Db, embedding: EmbeddingService): Promise<IndexStatus> {
  const model = embedding.state();
  const counts = await queueCounts(db);
  const [v] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from answer_embeddings where model_id = ${model.id}`));
  const status: IndexStatus = { pending: counts.pending, failed: counts.failed, vectors: v?.n ?? 0, model, searchMode: model.state === 'ready' ? 'hybrid' : 'keyword' };
  if (counts.failed > 0) {
    const [e] = rowsOf<{ last_error: string | null }>(
      await db.execute(sql`select last_error from embedding_jobs where failed_at is not null order by failed_at desc limit 1`),
    );
    if (e?.last_error) status.lastError = e.last_error;
  }
  return status;
}
