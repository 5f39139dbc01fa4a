import { sql } from 'drizzle-orm';
import { categories } from '../db/schema/index.ts';
import type { Tx } from './events.ts';

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

/** db.execute returns {rows} on PGlite and an array on postgres.js. */
export function rowsOf<T = Record<string, unknown>>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
}
