import { eq, sql } from 'drizzle-orm';
import { conflict, DomainError, notFound } from '../errors.ts';
import { answers } from '../db/schema/index.ts';
import { answerState, viewOf, type AnswerState } from './detail.ts';
import type { Tx } from '../db/tx.ts';
import { etagOf } from './map.ts';
import { settleLiveState } from './supersede.ts';

/** What every answer write returns: the new etag and the version it touched. */
export interface WriteResult {
  id: string;
  etag: string;
  version: { id: string; number: number; status: string };
}

export const invalidTransition = (message: string) => new DomainError('invalid_transition', message);

/**
 * The start of every answer write: locks the answer row (SELECT ... FOR UPDATE) and checks the
 * etag in the same transaction as the write, so of two editors sending the same etag exactly one
 * wins and the other gets 409 with the current Answer object. Lazily settles superseded statuses.
 */
export async function lockForWrite(tx: Tx, id: string, etag: string, now: Date): Promise<AnswerState> {
  const [answer] = await tx.select().from(answers).where(eq(answers.id, id)).for('update');
  if (!answer) throw notFound('Answer');
  if (etagOf(answer.revision) !== etag) {
    const current = await viewOf(tx, await answerState(tx, answer, now));
    throw conflict('This answer was changed by someone else since you loaded it; reload and apply your change again. / 该答案已被他人修改，请刷新后重试。', { current });
  }
  await settleLiveState(tx, [id], now);
  return answerState(tx, answer, now);
}

/** Bumps the revision (every write does) and returns the new etag. */
export async function touchAnswer(tx: Tx, id: string, now: Date): Promise<string> {
  const [row] = await tx
    .update(answers)
    .set({ revision: sql`${answers.revision} + 1`, updatedAt: now })
    .where(eq(answers.id, id))
    .returning({ revision: answers.revision });
  return etagOf(row!.revision);
}
