import { eq } from 'drizzle-orm';
import { DomainError, forbidden } from '../errors.ts';
import { recordAudit } from '../audit/record.ts';
import type { Db } from '../db/client.ts';
import { answerVersions } from '../db/schema/index.ts';
import { actorIdentities, withActor, type AnswerActor } from './actor.ts';
import { answerChanged } from './events.ts';
import type { AnswerState } from './detail.ts';
import { assertFourEyes, lineageContributors } from './four-eyes.ts';
import { settleLiveState } from './supersede.ts';
import { invalidTransition, lockForWrite, touchAnswer, type WriteResult } from './write-guard.ts';

const returning = { id: answerVersions.id, number: answerVersions.number, status: answerVersions.status };

/** draft -> in_review. The submitter joins the contributors (four-eyes). */
export async function submitVersion(db: Db, actor: AnswerActor, id: string, etag: string): Promise<WriteResult> {
  const now = new Date();
  return db.transaction(async (tx) => {
    const { head } = await lockForWrite(tx, id, etag, now);
    if (head?.status !== 'draft') throw invalidTransition(`Only a draft can be submitted for review (newest version is ${head?.status ?? 'missing'}) / 只有草稿可以提交审核`);
    const [version] = await tx
      .update(answerVersions)
      .set({ status: 'in_review', submittedAt: now, updatedAt: now, contributorIds: withActor(head.contributorIds, actor) })
      .where(eq(answerVersions.id, head.id))
      .returning(returning);
    const newEtag = await touchAnswer(tx, id, now);
    await recordAudit(tx, actor, { action: 'answer.submitted', entityType: 'answer', entityId: id, details: { version: head.number } });
    return { id, etag: newEtag, version: version! };
  });
}

/**
 * in_review -> published. Takes effect at once, or at effectiveFrom when that lies in the future
 * (live.ts decides; older published versions are superseded when the new one takes effect).
 */
export async function approveVersion(db: Db, actor: AnswerActor, id: string, etag: string, comment?: string): Promise<WriteResult> {
  const now = new Date();
  return db.transaction(async (tx) => {
    const state = await lockForWrite(tx, id, etag, now);
    const head = state.head;
    if (head?.status !== 'in_review') throw invalidTransition(`Only a version in review can be approved (newest version is ${head?.status ?? 'missing'}) / 只有审核中的版本可以批准`);
    assertReviewable(state, actor, 'approve');
    const [version] = await tx
      .update(answerVersions)
      .set({ status: 'published', reviewerId: actor.userId ?? null, reviewComment: comment?.trim() || null, reviewedAt: now, publishedAt: now, updatedAt: now })
      .where(eq(answerVersions.id, head.id))
      .returning(returning);
    await settleLiveState(tx, [id], now);
    const newEtag = await touchAnswer(tx, id, now);
    const scheduled = head.effectiveFrom != null && new Date(head.effectiveFrom) > now;
    await recordAudit(tx, actor, {
      action: 'answer.approved',
      entityType: 'answer',
      entityId: id,
      details: { version: head.number, scheduled, effectiveFrom: head.effectiveFrom ? new Date(head.effectiveFrom).toISOString() : null, comment: comment?.trim() || null },
    });
    await answerChanged(tx, id);
    return { id, etag: newEtag, version: version! };
  });
}

/**
 * The checks before a version in review is approved or rejected: it is not waiting in an import
 * batch (those are reviewed as a whole), and the reviewer is a person who contributed to nothing in
 * the change since the last published version (four-eyes over the whole lineage).
 */
function assertReviewable(state: AnswerState, actor: AnswerActor, what: 'approve' | 'reject'): void {
  const head = state.head!;
  if (head.importBatchId) {
    throw invalidTransition(`Version ${head.number} waits in import batch ${head.importBatchId}; approve or reject the batch as a whole / 该版本属于待审批的导入批次，请整批审批`);
  }
  assertFourEyes({ ...head, contributorIds: [...new Set([...head.contributorIds, ...lineageContributors(state.versions)])] }, actor, what);
}

/** in_review -> rejected, with the reviewer's comment (required). */
export async function rejectVersion(db: Db, actor: AnswerActor, id: string, etag: string, comment: string): Promise<WriteResult> {
  const now = new Date();
  const reason = comment.trim();
  if (!reason) throw new DomainError('comment_required', 'A rejection needs a comment explaining what to change / 驳回必须填写意见');
  return db.transaction(async (tx) => {
    const state = await lockForWrite(tx, id, etag, now);
    const head = state.head;
    if (head?.status !== 'in_review') throw invalidTransition(`Only a version in review can be rejected (newest version is ${head?.status ?? 'missing'}) / 只有审核中的版本可以驳回`);
    assertReviewable(state, actor, 'reject');
    const [version] = await tx
      .update(answerVersions)
      .set({ status: 'rejected', reviewerId: actor.userId ?? null, reviewComment: reason, reviewedAt: now, updatedAt: now })
      .where(eq(answerVersions.id, head.id))
      .returning(returning);
    const newEtag = await touchAnswer(tx, id, now);
    await recordAudit(tx, actor, { action: 'answer.rejected', entityType: 'answer', entityId: id, details: { version: head.number, comment: reason } });
    return { id, etag: newEtag, version: version! };
  });
}

/**
 * in_review -> draft: the author (or anyone who wrote or submitted the version) takes a submission
 * back to change it before a reviewer decides. Nobody else may pull a colleague's submission.
 */
export async function withdrawVersion(db: Db, actor: AnswerActor, id: string, etag: string): Promise<WriteResult> {
  const now = new Date();
  return db.transaction(async (tx) => {
    const { head } = await lockForWrite(tx, id, etag, now);
    if (head?.status !== 'in_review') throw invalidTransition(`Only a version in review can be withdrawn (newest version is ${head?.status ?? 'missing'}) / 只有审核中的版本可以撤回`);
    if (head.importBatchId) throw invalidTransition(`Version ${head.number} waits in import batch ${head.importBatchId}; it is decided with the batch / 该版本属于导入批次，随批次审批`);
    const me = actorIdentities(actor);
    if (!me.some((id) => id === head.authorId || head.contributorIds.includes(id))) {
      throw forbidden(`Only the author or a contributor of version ${head.number} can withdraw it / 只有作者或参与编辑者可以撤回提交`);
    }
    const [version] = await tx
      .update(answerVersions)
      .set({ status: 'draft', submittedAt: null, updatedAt: now })
      .where(eq(answerVersions.id, head.id))
      .returning(returning);
    const newEtag = await touchAnswer(tx, id, now);
    await recordAudit(tx, actor, { action: 'answer.withdrawn', entityType: 'answer', entityId: id, details: { version: head.number } });
    return { id, etag: newEtag, version: version! };
  });
}
