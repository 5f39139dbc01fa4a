import type { SQL } from 'drizzle-orm';
import type { Db } from './client.ts';
import type { Tx } from './tx.ts';

/** Rows of db.execute() on either driver: PGlite returns {rows}, postgres.js an array. */
export function rowsOf<T = Record<string, unknown>>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
}

/** Runs a SQL query and returns its rows on either driver. */
export async function queryRows<T>(db: Db | Tx, query: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

/** Dates come back as Date (PGlite) or string (postgres.js); the wire wants ISO strings. */
export function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}

/** Numbers come back as strings from postgres.js for bigint/numeric; the wire wants numbers. */
export function num(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
}
