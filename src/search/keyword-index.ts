import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Tx } from '../db/tx.ts';
import type { Db } from '../db/client.ts';
import { answers, answerVersions, searchDocuments, searchPhrases, searchPostings, searchStats } from '../db/schema/index.ts';
import { analyseVersion } from './analyse-version.ts';
import { rowsOf } from '../db/rows.ts';

const CHUNK = 2000;

/** Adds (sign 1) or removes (sign -1) documents' lengths from the collection statistics. */
async function adjustStats(tx: Tx, sign: 1 | -1, docs: number, lens: [number, number, number]): Promise<void> {
  if (docs === 0) return;
  const [t, q, b] = lens.map((n) => sign * n) as [number, number, number];
  await tx
    .insert(searchStats)
    .values({ id: 1, docs: sign * docs, titleLen: t, questionsLen: q, bodyLen: b })
    .onConflictDoUpdate({
      target: searchStats.id,
      set: {
        docs: sql`${searchStats.docs} + ${sign * docs}`,
        titleLen: sql`${searchStats.titleLen} + ${t}`,
        questionsLen: sql`${searchStats.questionsLen} + ${q}`,
        bodyLen: sql`${searchStats.bodyLen} + ${b}`,
      },
    });
}

/**
 * Brings the keyword index of one answer in line with its versions, inside the caller's
 * transaction (called from answerChanged). Indexed: every published version of a non-archived
 * answer (the live one and any scheduled one, since effective dates are checked at query time with
 * liveVersionIds()); everything else is removed. Published versions are immutable, so a version
 * already indexed is left alone.
 */
export async function syncSearchIndex(tx: Tx, answerId: string): Promise<void> {
  const wanted = await tx
    .select({
      id: answerVersions.id,
      title: answerVersions.title,
      similarQuestions: answerVersions.similarQuestions,
      bodyText: answerVersions.bodyText,
      categoryPath: answerVersions.categoryPath,
      tags: answerVersions.tags,
      channels: answerVersions.channels,
    })
    .from(answerVersions)
    .innerJoin(answers, eq(answers.id, answerVersions.answerId))
    .where(and(eq(answerVersions.answerId, answerId), eq(answerVersions.status, 'published'), sql`${answers.archivedAt} is null`));
  const wantedIds = wanted.map((w) => w.id);

  const stale = await tx
    .delete(searchDocuments)
    .where(and(eq(searchDocuments.answerId, answerId), wantedIds.length ? notInArray(searchDocuments.versionId, wantedIds) : sql`true`))
    .returning({ t: searchDocuments.titleLen, q: searchDocuments.questionsLen, b: searchDocuments.bodyLen });
  await adjustStats(tx, -1, stale.length, [stale.reduce((s, r) => s + r.t, 0), stale.reduce((s, r) => s + r.q, 0), stale.reduce((s, r) => s + r.b, 0)]);
  if (wanted.length === 0) return;

  const present = new Set(
    (await tx.select({ id: searchDocuments.versionId }).from(searchDocuments).where(inArray(searchDocuments.versionId, wantedIds))).map((r) => r.id),
  );
  const lens: [number, number, number] = [0, 0, 0];
  let added = 0;
  for (const v of wanted) {
    if (present.has(v.id)) continue;
    const a = analyseVersion({ title: v.title, similarQuestions: v.similarQuestions, bodyText: v.bodyText });
    await tx.insert(searchDocuments).values({
      versionId: v.id,
      answerId,
      categoryPath: v.categoryPath,
      tags: v.tags,
      channels: v.channels,
      titleLen: a.lengths[0],
      questionsLen: a.lengths[1],
      bodyLen: a.lengths[2],
    });
    const postings = a.fields.flatMap((m, field) => [...m].map(([term, tf]) => ({ term, versionId: v.id, field, tf })));
    for (let i = 0; i < postings.length; i += CHUNK) await tx.insert(searchPostings).values(postings.slice(i, i + CHUNK));
    const phrases = a.phrases.map((text, ord) => ({ versionId: v.id, ord, text }));
    if (phrases.length) await tx.insert(searchPhrases).values(phrases);
    lens[0] += a.lengths[0];
    lens[1] += a.lengths[1];
    lens[2] += a.lengths[2];
    added++;
  }
  await adjustStats(tx, 1, added, lens);
}

/**
 * Start-up self-healing: indexes every published version the index lacks (rows written before the
 * index existed, a crash between writes) and drops documents that should no longer be there. Each
 * answer is fixed in its own transaction; returns how many answers were touched.
 */
export async function backfillSearchIndex(db: Db): Promise<number> {
  const rows = await db.execute<{ answer_id: string }>(sql`
    select distinct v.answer_id from answer_versions v join answers a on a.id = v.answer_id
    where v.status = 'published' and a.archived_at is null
      and not exists (select 1 from search_documents d where d.version_id = v.id)
    union
    select distinct d.answer_id from search_documents d
    join answer_versions v on v.id = d.version_id join answers a on a.id = d.answer_id
    where v.status <> 'published' or a.archived_at is not null`);
  const ids = rowsOf<{ answer_id: string }>(rows).map((r) => r.answer_id);
  for (const id of ids) await db.transaction((tx) => syncSearchIndex(tx, id));
  return ids.length;
}
