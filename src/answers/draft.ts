import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit/record.ts';
import type { Db } from '../db/client.ts';
import { answerVersions } from '../db/schema/index.ts';
import { withActor, type AnswerActor } from './actor.ts';
import { lineageContributors } from './four-eyes.ts';
import { applyFields, contentOfRow, type VersionFieldsInput } from './content-input.ts';
import { invalidTransition, lockForWrite, touchAnswer, type WriteResult } from './write-guard.ts';

/**
 * PATCH /answers/:id/draft. Edits the draft in place; when there is none, a new draft is created
 * from the newest version (the live one, a scheduled one, or a rejected one), because versions
 * that left draft are immutable. A version in review cannot be edited: approve or reject it first.
 */
export async function saveDraft(db: Db, actor: AnswerActor, id: string, etag: string, fields: VersionFieldsInput): Promise<WriteResult> {
  const now = new Date();
  return db.transaction(async (tx) => {
    const state = await lockForWrite(tx, id, etag, now);
    const head = state.head;
    if (head?.status === 'in_review') {
      throw invalidTransition(`Version ${head.number} is in review and cannot be edited until it is approved or rejected / 审核中的版本不能编辑`);
    }
    let version: WriteResult['version'];
    if (head?.status === 'draft') {
      const content = await applyFields(tx, contentOfRow(head as never), fields);
      const contributorIds = withActor(head.contributorIds, actor);
      const [row] = await tx
        .update(answerVersions)
        .set({ ...content, contributorIds, updatedAt: now })
        .where(eq(answerVersions.id, head.id))
        .returning({ id: answerVersions.id, number: answerVersions.number, status: answerVersions.status });
      version = row!;
    } else {
      const content = await applyFields(tx, head ? contentOfRow(head as never) : null, fields);
      const [row] = await tx
        .insert(answerVersions)
        .values({ answerId: id, number: (head?.number ?? 0) + 1, status: 'draft', ...content, authorId: actor.userId ?? null, contributorIds: withActor(lineageContributors(state.versions), actor), createdAt: now, updatedAt: now })
        .returning({ id: answerVersions.id, number: answerVersions.number, status: answerVersions.status });
      version = row!;
    }
    const newEtag = await touchAnswer(tx, id, now);
    await recordAudit(tx, actor, {
      action: 'answer.draft_saved',
      entityType: 'answer',
      entityId: id,
      details: { version: version.number, newDraft: head?.status !== 'draft', fields: Object.keys(fields) },
    });
    return { id, etag: newEtag, version };
  });
}
