import { eq } from 'drizzle-orm';
import { notFound } from '../errors.ts';
import { recordAudit } from '../audit/record.ts';
import type { Db } from '../db/client.ts';
import { answerVersions } from '../db/schema/index.ts';
import { withActor, type AnswerActor } from './actor.ts';
import { lineageContributors } from './four-eyes.ts';
import { contentOfRow } from './content-input.ts';
import { invalidTransition, lockForWrite, touchAnswer, type WriteResult } from './write-guard.ts';

/**
 * Restore = a draft copied from an old version (restoredFrom = its number), which then goes through
 * review like any other change. An existing draft is overwritten (the caller saw it: etag); a
 * version in review blocks the restore until it is approved or rejected.
 */
export async function restoreVersion(db: Db, actor: AnswerActor, id: string, etag: string, number: number): Promise<WriteResult> {
  const now = new Date();
  return db.transaction(async (tx) => {
    const { head, versions } = await lockForWrite(tx, id, etag, now);
    const source = versions.find((v) => v.number === number);
    if (!source) throw notFound(`Version ${number}`);
    if (head?.status === 'in_review') throw invalidTransition(`Version ${head.number} is in review; approve or reject it before restoring / 有版本正在审核，暂不能恢复`);
    if (head?.status === 'draft' && head.number === number) throw invalidTransition(`Version ${number} is the current draft / 该版本就是当前草稿`);
    const content = contentOfRow(source as never);
    let version;
    if (head?.status === 'draft') {
      [version] = await tx
        .update(answerVersions)
        .set({ ...content, restoredFrom: number, contributorIds: withActor(head.contributorIds, actor), updatedAt: now })
        .where(eq(answerVersions.id, head.id))
        .returning({ id: answerVersions.id, number: answerVersions.number, status: answerVersions.status });
    } else {
      [version] = await tx
        .insert(answerVersions)
        .values({ answerId: id, number: (head?.number ?? 0) + 1, status: 'draft', ...content, restoredFrom: number, authorId: actor.userId ?? null, contributorIds: withActor(lineageContributors(versions), actor), createdAt: now, updatedAt: now })
        .returning({ id: answerVersions.id, number: answerVersions.number, status: answerVersions.status });
    }
    const newEtag = await touchAnswer(tx, id, now);
    await recordAudit(tx, actor, { action: 'answer.restored', entityType: 'answer', entityId: id, details: { from: number, version: version!.number } });
    return { id, etag: newEtag, version: version! };
  });
}
