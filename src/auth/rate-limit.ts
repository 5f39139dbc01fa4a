import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { rateCounters } from '../db/schema/index.ts';

export interface RateDecision {
  allowed: boolean;
  count: number;
  limit: number;
  /** Seconds until the current window ends. */
  retryAfter: number;
  /** Start of the window this hit was counted in (refundRateLimit needs it). */
  windowStart: Date;
}

/**
 * Counts one hit against `key` in a fixed window kept in the database, so every API node shares the
 * same budget. One upsert per call; old windows are pruned opportunistically.
 */
export async function hitRateLimit(db: Db, key: string, limit: number, windowSeconds = 60, now = new Date()): Promise<RateDecision> {
  const windowMs = windowSeconds * 1000;
  const start = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const [row] = await db
    .insert(rateCounters)
    .values({ key, windowStart: start, count: 1 })
    .onConflictDoUpdate({ target: [rateCounters.key, rateCounters.windowStart], set: { count: sql`${rateCounters.count} + 1` } })
    .returning({ count: rateCounters.count });
  if (Math.random() < 0.01) {
    await db.delete(rateCounters).where(sql`${rateCounters.windowStart} < ${new Date(now.getTime() - 24 * 3600_000)}`);
  }
  const count = row!.count;
  return { allowed: count <= limit, count, limit, retryAfter: Math.max(1, Math.ceil((start.getTime() + windowMs - now.getTime()) / 1000)), windowStart: start };
}

/** Takes back one hit counted by hitRateLimit (e.g. a login attempt that turned out to succeed). */
export async function refundRateLimit(db: Db, key: string, windowStart: Date): Promise<void> {
  await db
    .update(rateCounters)
    .set({ count: sql`greatest(${rateCounters.count} - 1, 0)` })
    .where(and(eq(rateCounters.key, key), eq(rateCounters.windowStart, windowStart)));
}

/** Forgets every window of `key` (e.g. the failure count of an account after a good login). */
export async function clearRateLimit(db: Db, key: string): Promise<void> {
  await db.delete(rateCounters).where(eq(rateCounters.key, key));
}
