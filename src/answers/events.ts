import type { Db } from '../db/client.ts';

/** A transaction or the database: hooks run inside the transaction that changed the answer. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

type AnswerChangeHook = (tx: Tx, answerId: string) => Promise<void>;

const hooks: AnswerChangeHook[] = [];

/**
 * Subsystems that derive data from answers (the keyword index, the embedding queue) register here;
 * the answer domain calls answerChanged() inside the same transaction after any change that can
 * alter what is live (publish, archive, unarchive, restore-and-publish, import, seed). Keeping it in
 * the transaction means a published answer is never left unindexed.
 */
export function onAnswerChanged(hook: AnswerChangeHook): void {
  if (!hooks.includes(hook)) hooks.push(hook);
}

export async function answerChanged(tx: Tx, answerId: string): Promise<void> {
  for (const hook of hooks) await hook(tx, answerId);
}
