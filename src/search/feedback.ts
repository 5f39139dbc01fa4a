import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { answers, botSessions, searchClicks, searchFeedback, searchLog } from '../db/schema/index.ts';
import { notFound } from '../api/errors.ts';
import type { Caller } from './search-log.ts';

async function mustExist(db: Db, what: 'search' | 'session' | 'answer', id: string) {
  const table = what === 'search' ? searchLog : what === 'session' ? botSessions : answers;
  const [row] = await db.select({ id: table.id }).from(table).where(eq(table.id, id));
  if (!row) throw notFound(what === 'search' ? 'Search' : what === 'session' ? 'Bot session' : 'Answer');
}

/** Helpful / not helpful for an answer a search or a bot session showed. */
export async function recordFeedback(
  db: Db,
  f: { searchId?: string; sessionId?: string; answerId: string; helpful: boolean; comment?: string },
  caller: Caller,
): Promise<{ id: string }> {
  if (f.searchId) await mustExist(db, 'search', f.searchId);
  if (f.sessionId) await mustExist(db, 'session', f.sessionId);
  await mustExist(db, 'answer', f.answerId);
  const [row] = await db
    .insert(searchFeedback)
    .values({ searchId: f.searchId ?? null, sessionId: f.sessionId ?? null, answerId: f.answerId, helpful: f.helpful, comment: f.comment?.trim() || null, apiKeyId: caller.apiKeyId ?? null, userId: caller.userId ?? null })
    .returning({ id: searchFeedback.id });
  return row!;
}

/** A result the caller opened, copied or inserted (click-through for analytics). */
export async function recordClick(
  db: Db,
  c: { searchId: string; answerId: string; position?: number; action?: 'open' | 'copy' | 'insert' },
  caller: Caller,
): Promise<{ id: string }> {
  await mustExist(db, 'search', c.searchId);
  await mustExist(db, 'answer', c.answerId);
  const [row] = await db
    .insert(searchClicks)
    .values({ searchId: c.searchId, answerId: c.answerId, position: c.position ?? null, action: c.action ?? 'open', apiKeyId: caller.apiKeyId ?? null, userId: caller.userId ?? null })
    .returning({ id: searchClicks.id });
  return row!;
}
