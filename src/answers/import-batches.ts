import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { DomainError, notFound } from '../errors.ts';
import { recordAudit, recordAuditBatch } from '../audit/record.ts';
import type { Db } from '../db/client.ts';
import { answers, answerVersions, importBatches, users, type ImportBatchStatus } from '../db/schema/index.ts';
import { actorIdentities, type AnswerActor } from './actor.ts';
import { answersChanged } from './events.ts';
import { assertFourEyes, assertReviewerIsPerson, lineageContributors } from './four-eyes.ts';
import type { VersionRow } from './map.ts';
import { settleLiveState } from './supersede.ts';
import { invalidTransition } from './write-guard.ts';

export interface ImportBatchItem {
  answerId: string;
  externalId: string | null;
  versionId: string;
  version: number;
  status: string;
  title: string;
  /** The published version this one replaces (null: a new answer); GET /answers/:id/diff?from=&to= shows the change. */
  previousVersion: number | null;
}

export interface ImportBatchView {
  id: string;
  status: ImportBatchStatus;
  importedBy: { id: string; name: string } | null;
  /** The importer's identity: a user id, 'master' or 'system' (CLI). */
  importer: string;
  source: string | null;
  created: number;
  updated: number;
  unchanged: number;
  errors: number;
  reviewer: { id: string; name: string } | null;
  reviewComment: string | null;
  reviewedAt: string | null;
  createdAt: string;
}

type BatchRow = typeof importBatches.$inferSelect;

async function views(db: Db, rows: BatchRow[]): Promise<ImportBatchView[]> {
  const ids = [...new Set(rows.flatMap((r) => [r.importerUserId, r.reviewerId]).filter((x): x is string => !!x))];
  const names = new Map(ids.length ? (await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids))).map((u) => [u.id, u.name]) : []);
  const ref = (id: string | null) => (id ? { id, name: names.get(id) ?? '?' } : null);
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    importedBy: ref(r.importerUserId),
    importer: r.importedBy,
    source: r.source,
    created: r.created,
    updated: r.updated,
    unchanged: r.unchanged,
    errors: r.errors,
    reviewer: ref(r.reviewerId),
    reviewComment: r.reviewComment,
    reviewedAt: r.reviewedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** Import batches, newest first; by default those waiting for a reviewer. */
export async function listImportBatches(db: Db, status: ImportBatchStatus | 'all' = 'pending_approval'): Promise<ImportBatchView[]> {
  const rows = await db
    .select()
    .from(importBatches)
    .where(status === 'all' ? undefined : eq(importBatches.status, status))
    .orderBy(desc(importBatches.createdAt))
    .limit(200);
  return views(db, rows);
}

/** One batch with its answers: the version each staged and the published version it would replace. */
export async function getImportBatch(db: Db, id: string): Promise<(ImportBatchView & { items: ImportBatchItem[] }) | null> {
  const [row] = await db.select().from(importBatches).where(eq(importBatches.id, id));
  if (!row) return null;
  const items = await db
    .select({
      answerId: answerVersions.answerId,
      externalId: answers.externalId,
      versionId: answerVersions.id,
      version: answerVersions.number,
      status: answerVersions.status,
      title: answerVersions.title,
      previousVersion: sql<number | null>`(select max(p.number) from answer_versions p where p.answer_id = ${answerVersions.answerId} and p.number < ${answerVersions.number} and p.status in ('published', 'superseded'))`,
    })
    .from(answerVersions)
    .innerJoin(answers, eq(answers.id, answerVersions.answerId))
    .where(eq(answerVersions.importBatchId, id))
    .orderBy(asc(answers.externalId));
  const [view] = await views(db, [row]);
  return { ...view!, items: items.map((i) => ({ ...i, previousVersion: i.previousVersion == null ? null : Number(i.previousVersion) })) };
}

/**
 * Locks a batch and its answers for a decision, and checks four-eyes for the whole batch: the
 * reviewer is a person, did not import it and contributed to none of its answers' changes.
 */
async function lockForDecision(tx: Parameters<Parameters<Db['transaction']>[0]>[0], actor: AnswerActor, id: string, what: 'approve' | 'reject', allowed: ImportBatchStatus[]) {
  const [batch] = await tx.select().from(importBatches).where(eq(importBatches.id, id)).for('update');
  if (!batch) throw notFound('Import batch');
  if (!allowed.includes(batch.status)) throw invalidTransition(`Import batch is ${batch.status}; only a batch pending approval can be ${what === 'approve' ? 'approved' : 'rejected'} / 该批次不在待审批状态`);
  assertReviewerIsPerson(actor);
  if (actorIdentities(actor).includes(batch.importedBy)) {
    throw new DomainError('four_eyes', `You imported this batch; another reviewer must ${what} it (four-eyes principle) / 不能审批自己导入的批次`);
  }
  const staged = (await tx
    .select()
    .from(answerVersions)
    .where(and(eq(answerVersions.importBatchId, id), eq(answerVersions.status, 'in_review')))) as VersionRow[];
  const answerIds = [...new Set(staged.map((v) => v.answerId))];
  if (answerIds.length) await tx.select({ id: answers.id }).from(answers).where(inArray(answers.id, answerIds)).for('update');
  const all = answerIds.length ? ((await tx.select().from(answerVersions).where(inArray(answerVersions.answerId, answerIds))) as VersionRow[]) : [];
  for (const v of staged) {
    const lineage = lineageContributors(all.filter((x) => x.answerId === v.answerId));
    assertFourEyes({ ...v, contributorIds: [...new Set([...v.contributorIds, ...lineage])] }, actor, what);
  }
  return { batch, staged, answerIds };
}

/**
 * A second reviewer publishes the whole batch: every staged version goes live in one transaction
 * (scheduled ones at their effectiveFrom), indexed and queued for embedding like any approval.
 */
export async function approveImportBatch(db: Db, actor: AnswerActor, id: string, comment?: string): Promise<ImportBatchView> {
  const now = new Date();
  const note = comment?.trim() || null;
  await db.transaction(async (tx) => {
    const { staged, answerIds } = await lockForDecision(tx, actor, id, 'approve', ['pending_approval']);
    if (staged.length) {
      await tx
        .update(answerVersions)
        .set({ status: 'published', reviewerId: actor.userId ?? null, reviewComment: note, reviewedAt: now, publishedAt: now, updatedAt: now })
        .where(and(eq(answerVersions.importBatchId, id), eq(answerVersions.status, 'in_review')));
      await settleLiveState(tx, answerIds, now);
      await tx.update(answers).set({ revision: sql`${answers.revision} + 1`, updatedAt: now }).where(inArray(answers.id, answerIds));
    }
    await tx.update(importBatches).set({ status: 'approved', reviewerId: actor.userId ?? null, reviewComment: note, reviewedAt: now }).where(eq(importBatches.id, id));
    await recordAudit(tx, actor, { action: 'import_batch.approved', entityType: 'import_batch', entityId: id, details: { answers: staged.length, comment: note } });
    await recordAuditBatch(
      tx,
      actor,
      staged.map((v) => ({ action: 'answer.approved', entityType: 'answer', entityId: v.answerId, details: { version: v.number, batchId: id, bulk: true } })),
    );
    await answersChanged(tx, answerIds);
  });
  return (await getImportBatch(db, id))!;
}

/** A second reviewer rejects the whole batch, with a comment; its versions become rejected drafts' bases. */
export async function rejectImportBatch(db: Db, actor: AnswerActor, id: string, comment: string): Promise<ImportBatchView> {
  const now = new Date();
  const reason = comment.trim();
  if (!reason) throw new DomainError('comment_required', 'A rejection needs a comment explaining what to change / 驳回必须填写意见');
  await db.transaction(async (tx) => {
    // 'importing': an import that died half-way can still be cleared away.
    const { staged, answerIds } = await lockForDecision(tx, actor, id, 'reject', ['pending_approval', 'importing']);
    if (staged.length) {
      await tx
        .update(answerVersions)
        .set({ status: 'rejected', reviewerId: actor.userId ?? null, reviewComment: reason, reviewedAt: now, updatedAt: now })
        .where(and(eq(answerVersions.importBatchId, id), eq(answerVersions.status, 'in_review')));
      await tx.update(answers).set({ revision: sql`${answers.revision} + 1`, updatedAt: now }).where(inArray(answers.id, answerIds));
    }
    await tx.update(importBatches).set({ status: 'rejected', reviewerId: actor.userId ?? null, reviewComment: reason, reviewedAt: now }).where(eq(importBatches.id, id));
    await recordAudit(tx, actor, { action: 'import_batch.rejected', entityType: 'import_batch', entityId: id, details: { answers: staged.length, comment: reason } });
    await recordAuditBatch(
      tx,
      actor,
      staged.map((v) => ({ action: 'answer.rejected', entityType: 'answer', entityId: v.answerId, details: { version: v.number, batchId: id, bulk: true, comment: reason } })),
    );
  });
  return (await getImportBatch(db, id))!;
}
