import type { Db } from '../db/client.ts';
import { searchLog, type SearchSource } from '../db/schema/index.ts';
import type { SearchResponse } from './search-answers.ts';
import { searchDuration } from '../metrics/catalog.ts';

/** Who made a call, for the log and per-key analytics. */
export interface Caller {
  apiKeyId?: string;
  userId?: string;
}

export interface LogEntry {
  source: SearchSource;
  query: string;
  normalised: string;
  response: Pick<SearchResponse, 'results' | 'mode' | 'total'>;
  latencyMs: number;
  channel?: string | null;
  caller: Caller;
  sessionId?: string;
  handoff?: boolean;
}

/**
 * Records one search, bot turn or assist call for analytics (src/analytics reads search_log).
 * Returns the log id, which callers send back with feedback and click events.
 */
export async function logSearch(db: Db, e: LogEntry): Promise<string> {
  searchDuration.observe({ mode: e.response.mode, source: e.source }, e.latencyMs / 1000);
  const top = e.response.results[0];
  const [row] = await db
    .insert(searchLog)
    .values({
      source: e.source,
      query: e.query.slice(0, 2000),
      normalised: e.normalised.slice(0, 2000),
      mode: e.response.mode,
      resultIds: e.response.results.map((r) => r.answerId),
      resultCount: e.response.total,
      topScore: top?.score ?? null,
      topConfidence: top?.confidence ?? null,
      latencyMs: e.latencyMs,
      channel: e.channel ?? null,
      apiKeyId: e.caller.apiKeyId ?? null,
      userId: e.caller.userId ?? null,
      sessionId: e.sessionId ?? null,
      handoff: e.handoff ?? null,
    })
    .returning({ id: searchLog.id });
  return row!.id;
}
