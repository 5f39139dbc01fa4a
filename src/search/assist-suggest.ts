import type { SearchFilters } from './filters.ts';
import { embeddingVectorLeg } from './embedding-vector-leg.ts';
import { analyseQuery, searchAnswers, type SearchResponse, type SearchResult } from './search-answers.ts';
import type { Caller } from './search-log.ts';
import type { SearchDeps } from './run-search.ts';

export interface ConversationTurn {
  role: 'customer' | 'agent';
  text: string;
}

export interface AssistSuggestion extends SearchResult {
  /** Which turns (indexes into the request's messages) this suggestion came from. */
  fromTurns: number[];
}

/**
 * Turn weights: the newest customer turn 1, each earlier customer turn half the one after it, the
 * newest agent turn 0.3 (agents often restate the question). At most four turns are searched.
 */
export function turnWeights(messages: ConversationTurn[]): { index: number; weight: number }[] {
  const out: { index: number; weight: number }[] = [];
  let w = 1;
  for (let i = messages.length - 1; i >= 0 && out.length < 3; i--) {
    if (messages[i]!.role !== 'customer' || !messages[i]!.text.trim()) continue;
    out.push({ index: i, weight: w });
    w /= 2;
  }
  let lastAgent = -1;
  for (let i = messages.length - 1; i >= 0 && lastAgent < 0; i--) if (messages[i]!.role === 'agent' && messages[i]!.text.trim()) lastAgent = i;
  if (lastAgent >= 0) out.push({ index: lastAgent, weight: 0.3 });
  return out;
}

/**
 * Suggestions for an agent from the conversation so far: each weighted turn is searched, and an
 * answer's score is the weighted sum of its scores across turns, so what the customer said last
 * counts most while earlier context still helps.
 */
export async function suggestForConversation(
  deps: SearchDeps,
  req: { messages: ConversationTurn[]; limit?: number; filters?: SearchFilters },
  caller: Caller,
): Promise<{ suggestions: AssistSuggestion[]; mode: SearchResponse['mode']; searchId: string; tookMs: number }> {
  const started = performance.now();
  const limit = req.limit ?? 5;
  const turns = turnWeights(req.messages);
  const vector = embeddingVectorLeg(deps.embedding);
  const filters: SearchFilters = { ...req.filters, channel: req.filters?.channel ?? 'agent' };
  const responses = await Promise.all(turns.map((t) => searchAnswers(deps.db, { query: req.messages[t.index]!.text, limit: limit * 2, filters }, { vector })));
  const merged = new Map<string, { result: SearchResult; score: number; fromTurns: number[] }>();
  responses.forEach((res, k) => {
    for (const r of res.results) {
      const m = merged.get(r.answerId) ?? { result: r, score: 0, fromTurns: [] };
      m.score += turns[k]!.weight * r.score;
      m.fromTurns.push(turns[k]!.index);
      if (r.confidence > m.result.confidence) m.result = r;
      merged.set(r.answerId, m);
    }
  });
  const totalWeight = turns.reduce((s, t) => s + t.weight, 0) || 1;
  const suggestions = [...merged.values()]
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((m) => ({ ...m.result, score: Math.round((m.score / totalWeight) * 1000) / 1000, fromTurns: m.fromTurns.sort((a, b) => a - b) }));
  const mode = responses.some((r) => r.mode === 'hybrid') ? 'hybrid' : 'keyword';
  const lastCustomer = turns[0] ? req.messages[turns[0].index]!.text : (req.messages.at(-1)?.text ?? '');
  const tookMs = Math.round((performance.now() - started) * 10) / 10;
  const searchId = deps.searchLog.record({
    source: 'assist',
    query: lastCustomer,
    normalised: analyseQuery(lastCustomer).normalised,
    response: { results: suggestions, mode, total: merged.size },
    latencyMs: tookMs,
    channel: filters.channel,
    caller,
  });
  return { suggestions, mode, searchId, tookMs };
}
