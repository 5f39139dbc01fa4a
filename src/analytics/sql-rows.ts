import type { SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';

/** Runs a SQL query and returns its rows: db.execute gives {rows} on PGlite and an array on postgres.js. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
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
