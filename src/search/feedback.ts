import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { answers, botSessions, searchClicks, searchFeedback, searchLog } from '../db/schema/index.ts';
import { notFound } from '../errors.ts';
import type { Caller, SearchLogWriter } from './search-log.ts';
import { maskPersonalData } from '../privacy/mask.ts';

/** What feedback needs: the database, and the log whose fresh ids may not be written yet. */
export interface FeedbackDeps {
  db: Db;
  searchLog?: Pick<SearchLogWriter, 'isPending' | 'flush'>;
}

async function mustExist(deps: FeedbackDeps, what: 'search' | 'session' | 'answer', id: string) {
  const { db } = deps;
  // A search logged a moment ago may still be in the log's buffer: write it first, then check.
  if (what === 'search' && deps.searchLog?.isPending(id)) await deps.searchLog.flush();
  const table = what === 'search' ? searchLog : what === 'session' ? botSessions : answers;
  const [row] = await db.select({ id: table.id }).from(table).where(eq(table.id, id));
  if (!row) throw notFound(what === 'search' ? 'Search' : what === 'session' ? 'Bot session' : 'Answer');
}

/** Helpful / not helpful for an answer a search or a bot session showed. */
export async function recordFeedback(
  deps: FeedbackDeps,
  f: { searchId?: string; sessionId?: string; answerId: string; helpful: boolean; comment?: string },
  caller: Caller,
): Promise<{ id: string }> {
  if (f.searchId) await mustExist(deps, 'search', f.searchId);
  if (f.sessionId) await mustExist(deps, 'session', f.sessionId);
  await mustExist(deps, 'answer', f.answerId);
  const [row] = await deps.db
    .insert(searchFeedback)
    .values({ searchId: f.searchId ?? null, sessionId: f.sessionId ?? null, answerId: f.answerId, helpful: f.helpful, comment: maskPersonalData(f.comment?.trim() ?? '') || null, apiKeyId: caller.apiKeyId ?? null, userId: caller.userId ?? null })
    .returning({ id: searchFeedback.id });
  return row!;
}

/** A result the caller opened, copied or inserted (click-through for analytics). */
export async function recordClick(
  deps: FeedbackDeps,
  c: { searchId: string; answerId: string; position?: number; action?: 'open' | 'copy' | 'insert' },
  caller: Caller,
): Promise<{ id: string }> {
  await mustExist(deps, 'search', c.searchId);
  await mustExist(deps, 'answer', c.answerId);
  const [row] = await deps.db
    .insert(searchClicks)
    .values({ searchId: c.searchId, answerId: c.answerId, position: c.position ?? null, action: c.action ?? 'open', apiKeyId: caller.apiKeyId ?? null, userId: caller.userId ?? null })
    .returning({ id: searchClicks.id });
  return row!;
}
