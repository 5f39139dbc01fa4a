import { eq, sql } from 'drizzle-orm';
import { DomainError, notFound } from '../errors.ts';
import { categories } from '../db/schema/index.ts';
import type { Tx } from '../db/tx.ts';
import { rowsOf } from '../db/rows.ts';
import { liveVersionIds } from './live.ts';
import { recordAudit } from '../audit/record.ts';
import type { AnswerActor } from './actor.ts';

/**
 * Canonical form of a category path: segments trimmed, empty segments dropped, joined by '/'.
 * ' 信用卡 / 挂失与补卡 ' -> '信用卡/挂失与补卡'; '' -> null.
 */
export function normaliseCategoryPath(path: string | null | undefined): string | null {
  if (path == null) return null;
  const segments = path
    .split('/')
    .map((s) => s.trim())
    .filter(Boolean);
  return segments.length ? segments.join('/') : null;
}

/** The path and all its ancestors, root first: 'a/b/c' -> ['a', 'a/b', 'a/b/c']. */
export function withAncestors(path: string): string[] {
  const segments = path.split('/');
  return segments.map((_, i) => segments.slice(0, i + 1).join('/'));
}

export function categoryRow(path: string) {
  const cut = path.lastIndexOf('/');
  return { path, name: cut < 0 ? path : path.slice(cut + 1), parentPath: cut < 0 ? null : path.slice(0, cut) };
}

/** Creates the categories (and their ancestors) that do not exist yet; used by import and create. */
export async function ensureCategories(tx: Tx, paths: Iterable<string>): Promise<void> {
  const all = new Set<string>();
  for (const p of paths) for (const a of withAncestors(p)) all.add(a);
  if (all.size === 0) return;
  await tx.insert(categories).values([...all].map(categoryRow)).onConflictDoNothing();
}

/** True when the category exists in the tree (editor writes must pick an existing category). */
export async function categoryExists(tx: Tx, path: string): Promise<boolean> {
  const rows = await tx.execute(sql`select 1 from ${categories} where ${categories.path} = ${path}`);
  return rowsOf(rows).length > 0;
}

export interface CategoryView {
  path: string;
  name: string;
  parentPath: string | null;
  /** Answers (not archived) whose newest version is in this category or below it. */
  answerCount: number;
}

/**
 * GET /categories: the whole tree, sorted by path, with answer counts including sub-categories.
 * Answers are counted once per category path (one pass over the newest versions), then each count
 * is added to the path's ancestors here: linear in answers + categories (a count per category over
 * all answers was categories x answers, seconds at 100k).
 */
export async function listCategories(tx: Tx): Promise<CategoryView[]> {
  const [tree, counts] = await Promise.all([
    tx.select({ path: categories.path, name: categories.name, parentPath: categories.parentPath }).from(categories).orderBy(categories.path),
    tx.execute(sql`
      select h.category_path as path, count(*)::int as n
      from answers a
      cross join lateral (select v.category_path from answer_versions v where v.answer_id = a.id order by v.number desc limit 1) h
      where a.archived_at is null and h.category_path is not null
      group by h.category_path`),
  ]);
  const total = new Map<string, number>();
  for (const { path, n } of rowsOf<{ path: string; n: number }>(counts)) {
    for (const p of withAncestors(path)) total.set(p, (total.get(p) ?? 0) + Number(n));
  }
  return tree.map((c) => ({ path: c.path, name: c.name, parentPath: c.parentPath, answerCount: total.get(c.path) ?? 0 }));
}

/** POST /categories: creates the path and any missing ancestors. */
export async function createCategory(tx: Tx, actor: AnswerActor, rawPath: string): Promise<{ created: boolean; category: ReturnType<typeof categoryRow> }> {
  const path = normaliseCategoryPath(rawPath);
  if (!path) throw new DomainError('validation_failed', 'path must not be empty', [{ path: 'path', message: 'path must not be empty' }]);
  const existed = await categoryExists(tx, path);
  await ensureCategories(tx, [path]);
  if (!existed) await recordAudit(tx, actor, { action: 'category.created', entityType: 'category', entityId: path });
  return { created: !existed, category: categoryRow(path) };
}

/** DELETE /categories/:path: only when no answer and no sub-category uses it (409 otherwise). */
export async function deleteCategory(tx: Tx, actor: AnswerActor, rawPath: string): Promise<void> {
  const path = normaliseCategoryPath(rawPath);
  if (!path || !(await categoryExists(tx, path))) throw notFound('Category');
  const children = rowsOf(await tx.execute(sql`select 1 from ${categories} where parent_path = ${path} limit 1`));
  if (children.length) throw new DomainError('in_use', `Category "${path}" has sub-categories; delete or move them first / 该分类下还有子分类`);
  const used = rowsOf<{ n: number }>(
    await tx.execute(sql`
      select count(distinct v.answer_id)::int as n from answer_versions v
      where v.category_path = ${path} and (
        v.id in (select version_id from ${liveVersionIds()} l)
        or v.number = (select max(number) from answer_versions w where w.answer_id = v.answer_id))`),
  );
  const n = Number(used[0]?.n ?? 0);
  if (n > 0) throw new DomainError('in_use', `Category "${path}" is used by ${n} answer(s); move them first / 该分类仍被 ${n} 个答案使用`, { answerCount: n });
  await tx.delete(categories).where(eq(categories.path, path));
  await recordAudit(tx, actor, { action: 'category.deleted', entityType: 'category', entityId: path });
}
