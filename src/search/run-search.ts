import type { AppContext } from '../context.ts';
import type { SearchSource } from '../db/schema/index.ts';
import { embeddingVectorLeg } from './embedding-vector-leg.ts';
import { analyseQuery, searchAnswers, type SearchRequest, type SearchResponse } from './search-answers.ts';
import type { Caller } from './search-log.ts';

export type SearchDeps = Pick<AppContext, 'db' | 'searchLog'> & Partial<Pick<AppContext, 'embedding' | 'log'>>;

/**
 * A search as the API runs it: hybrid when a model is ready, keyword otherwise, logged for
 * analytics. The response carries `searchId` for feedback and click events.
 */
export async function runLoggedSearch(
  deps: SearchDeps,
  req: SearchRequest,
  meta: { source: SearchSource; caller: Caller; channel?: string | null; sessionId?: string; handoff?: (r: SearchResponse) => boolean | undefined },
): Promise<SearchResponse & { searchId: string }> {
  const started = performance.now();
  const response = await searchAnswers(deps.db, req, { vector: embeddingVectorLeg(deps.embedding) });
  const searchId = deps.searchLog.record({
    source: meta.source,
    query: req.query,
    normalised: analyseQuery(req.query).normalised,
    response,
    latencyMs: performance.now() - started,
    channel: meta.channel ?? req.filters?.channel ?? null,
    caller: meta.caller,
    sessionId: meta.sessionId,
    handoff: meta.handoff?.(response),
  });
  return { ...response, searchId };
}
