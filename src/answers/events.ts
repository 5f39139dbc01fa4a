import type { Tx } from '../db/tx.ts';
import { enqueueEmbeddings } from '../embedding/queue.ts';
import { recordAnswerChanges } from '../search/engine/feed.ts';

/**
 * Called by the answer domain, inside its transaction, after anything that can change what is live
 * for an answer (publish, archive, unarchive, import, seed). Everything derived from answers is
 * updated here, in the same transaction: the search change feed gets one row per answer (one
 * statement; every node's in-memory search engine follows it, src/search/engine/) and the
 * embedding queue its jobs (two statements for the whole batch). So a published answer is never
 * left unindexed and an archived one never stays searchable.
 */
export async function answersChanged(tx: Tx, answerIds: readonly string[]): Promise<void> {
  if (answerIds.length === 0) return;
  await recordAnswerChanges(tx, answerIds);
  await enqueueEmbeddings(tx, answerIds);
}

/** The one-answer form of answersChanged. */
export async function answerChanged(tx: Tx, answerId: string): Promise<void> {
  await answersChanged(tx, [answerId]);
}
