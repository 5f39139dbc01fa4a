import type { Tx } from '../db/tx.ts';
import { syncSearchIndex } from '../search/keyword-index.ts';
import { enqueueEmbedding } from '../embedding/queue.ts';

/**
 * Called by the answer domain, inside its transaction, after anything that can change what is live
 * for an answer (publish, archive, unarchive, import, seed). Everything derived from answers (the
 * keyword index, the embedding queue) is updated here, in the same transaction, so a published
 * answer is never left unindexed and an archived one never stays searchable.
 */
export async function answerChanged(tx: Tx, answerId: string): Promise<void> {
  await syncSearchIndex(tx, answerId);
  await enqueueEmbedding(tx, answerId);
}

/**
 * The bulk form (imports, the seed): every answer in `answerIds` changed in this transaction. It
 * calls answerChanged for each today; a derived store with a cheaper batch path can hook in here.
 */
export async function answersChanged(tx: Tx, answerIds: readonly string[]): Promise<void> {
  for (const id of answerIds) await answerChanged(tx, id);
}
