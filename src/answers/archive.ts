import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit/record.ts';
import type { Db } from '../db/client.ts';
import { answers } from '../db/schema/index.ts';
import type { AnswerActor } from './actor.ts';
import { answerChanged } from './events.ts';
import { settleLiveState } from './supersede.ts';
import { invalidTransition, lockForWrite, touchAnswer, type WriteResult } from './write-guard.ts';

/** Withdraws an answer from search and the bot (archived = true), or brings it back. */
export async function setArchived(db: Db, actor: AnswerActor, id: string, etag: string, archived: boolean, reason?: string): Promise<WriteResult> {
  const now = new Date();
  return db.transaction(async (tx) => {
    const { answer, head } = await lockForWrite(tx, id, etag, now);
    if ((answer.archivedAt != null) === archived) {
      throw invalidTransition(archived ? 'The answer is already archived / 答案已归档' : 'The answer is not archived / 答案未归档');
    }
    await tx.update(answers).set({ archivedAt: archived ? now : null }).where(eq(answers.id, id));
    await settleLiveState(tx, [id], now);
    const newEtag = await touchAnswer(tx, id, now);
    await recordAudit(tx, actor, { action: archived ? 'answer.archived' : 'answer.unarchived', entityType: 'answer', entityId: id, details: reason?.trim() ? { reason: reason.trim() } : {} });
    await answerChanged(tx, id);
    return { id, etag: newEtag, version: { id: head!.id, number: head!.number, status: head!.status } };
  });
}

/** The reason (why it is withdrawn from customers) goes into the audit log. */
export const archiveAnswer = (db: Db, actor: AnswerActor, id: string, etag: string, reason?: string) => setArchived(db, actor, id, etag, true, reason);
export const unarchiveAnswer = (db: Db, actor: AnswerActor, id: string, etag: string, reason?: string) => setArchived(db, actor, id, etag, false, reason);
