import { desc, eq, inArray, sql } from 'drizzle-orm';
import { answers, answerVersions, users } from '../db/schema/index.ts';
import { rowsOf } from '../db/rows.ts';
import type { Tx } from '../db/tx.ts';
import { liveVersionIds } from './live.ts';
import { etagOf, toVersionSummary, toVersionView, type AnswerView, type VersionRow, type VersionView } from './map.ts';

const PENDING = new Set(['draft', 'in_review', 'rejected']);

/** Number of the newest published version that has taken effect (expired or not), or null. */
export function inEffectNumber(versions: readonly Pick<VersionRow, 'status' | 'number' | 'effectiveFrom'>[], now: Date): number | null {
  let best: number | null = null;
  for (const v of versions) {
    if (v.status !== 'published') continue;
    if (v.effectiveFrom && new Date(v.effectiveFrom).getTime() > now.getTime()) continue;
    if (best == null || v.number > best) best = v.number;
  }
  return best;
}

export async function userNames(tx: Tx, ids: Iterable<string | null | undefined>): Promise<Map<string, string>> {
  const wanted = [...new Set([...ids].filter((x): x is string => !!x && x !== 'master' && !x.startsWith('key:')))];
  if (wanted.length === 0) return new Map();
  const rows = await tx.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, wanted));
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function liveVersionIdOf(tx: Tx, answerId: string, now: Date = new Date()): Promise<string | null> {
  const rows = rowsOf<{ version_id: string }>(await tx.execute(sql`select l.version_id from ${liveVersionIds(now)} l where l.answer_id = ${answerId}`));
  return rows[0]?.version_id ?? null;
}

export async function versionRows(tx: Tx, answerId: string): Promise<VersionRow[]> {
  return (await tx.select().from(answerVersions).where(eq(answerVersions.answerId, answerId)).orderBy(desc(answerVersions.number))) as VersionRow[];
}

export interface AnswerState {
  answer: typeof answers.$inferSelect;
  versions: VersionRow[];
  liveId: string | null;
  inEffect: number | null;
  /** The newest version of any status. */
  head: VersionRow | undefined;
  /** The newest draft/in_review/rejected version newer than the live one. */
  working: VersionRow | undefined;
}

/** Everything the rules need about one answer, read in the caller's transaction. */
export async function answerState(tx: Tx, answer: typeof answers.$inferSelect, now: Date = new Date()): Promise<AnswerState> {
  const versions = await versionRows(tx, answer.id);
  const liveId = await liveVersionIdOf(tx, answer.id, now);
  const live = versions.find((v) => v.id === liveId);
  const working = versions.find((v) => PENDING.has(v.status) && v.number > (live?.number ?? 0));
  return { answer, versions, liveId, inEffect: inEffectNumber(versions, now), head: versions[0], working };
}

/** The Answer object of the API contract, or null when there is no such answer. */
export async function getAnswer(tx: Tx, id: string, now: Date = new Date()): Promise<AnswerView | null> {
  const [answer] = await tx.select().from(answers).where(eq(answers.id, id));
  if (!answer) return null;
  return viewOf(tx, await answerState(tx, answer, now));
}

export async function viewOf(tx: Tx, s: AnswerState): Promise<AnswerView> {
  const names = await userNames(tx, [s.answer.ownerId, ...s.versions.flatMap((v) => [v.authorId, v.reviewerId])]);
  const views = s.versions.map((v) => toVersionView(v, names, s.inEffect));
  const byId = (id: string | undefined): VersionView | null => views.find((v) => v.id === id) ?? null;
  return {
    id: s.answer.id,
    externalId: s.answer.externalId,
    etag: etagOf(s.answer.revision),
    archived: s.answer.archivedAt != null,
    owner: s.answer.ownerId ? { id: s.answer.ownerId, name: names.get(s.answer.ownerId) ?? '' } : null,
    live: byId(s.liveId ?? undefined),
    working: byId(s.working?.id),
    versions: views.map(toVersionSummary),
  };
}

/**
 * What a reader who does not write (an agent) may see of an answer: what is live, and its published
 * history. Drafts, submissions and rejections are work in progress of the content team. Null when
 * nothing of the answer is live (to such a reader it does not exist).
 */
export function readerView(view: AnswerView): AnswerView | null {
  if (!view.live || view.archived) return null;
  return { ...view, working: null, versions: view.versions.filter((v) => !PENDING.has(v.status)) };
}

/** GET /answers/:id/versions: every version, newest first. */
export async function listVersions(tx: Tx, answerId: string, now: Date = new Date()): Promise<VersionView[] | null> {
  const [exists] = await tx.select({ id: answers.id }).from(answers).where(eq(answers.id, answerId));
  if (!exists) return null;
  const versions = await versionRows(tx, answerId);
  const names = await userNames(tx, versions.flatMap((v) => [v.authorId, v.reviewerId]));
  const effect = inEffectNumber(versions, now);
  return versions.map((v) => toVersionView(v, names, effect));
}
