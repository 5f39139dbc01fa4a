import { sql, type SQL } from 'drizzle-orm';
import type { Period } from './period.ts';

/**
 * The analytics read the search engineer's logs (src/db/schema/search.ts) through these three views, so the metrics below
 * never depend on how the log tables are laid out. Each returns a subquery:
 *
 * searchEvents: one row per search, bot turn or assist call —
 *   id, at, day (UTC date), source ('search'|'bot'|'assist'), channel, query, normalised,
 *   result_count, top_answer_id, top_score, latency_ms, handoff (bot turns; null otherwise)
 * clickEvents: id, at, search_id, answer_id
 * feedbackEvents: id, at, answer_id, helpful, comment
 */
export function searchEvents(p: Period): SQL {
  return sql`(
    select l.id, l.at, (l.at at time zone 'UTC')::date as day, l.source,
           -- calls that name no channel: the bot's own, the agents' assist panel, else a plain API search
           coalesce(l.channel, case l.source when 'bot' then 'bot' when 'assist' then 'agent' else 'api' end) as channel,
           l.query, l.normalised, l.result_count, l.result_ids[1] as top_answer_id,
           -- the calibrated 0..1 confidence is what the hand-off threshold is compared with
           coalesce(l.top_confidence, l.top_score) as top_score, l.latency_ms, l.handoff
    from search_log l
    where l.at >= ${p.from.toISOString()}::timestamptz and l.at < ${p.to.toISOString()}::timestamptz
  )`;
}

export function clickEvents(p: Period): SQL {
  return sql`(
    select c.id, c.at, c.search_id, c.answer_id
    from search_clicks c
    where c.at >= ${p.from.toISOString()}::timestamptz and c.at < ${p.to.toISOString()}::timestamptz
  )`;
}

export function feedbackEvents(p: Period): SQL {
  return sql`(
    select f.id, f.at, f.answer_id, f.helpful, f.comment
    from search_feedback f
    where f.at >= ${p.from.toISOString()}::timestamptz and f.at < ${p.to.toISOString()}::timestamptz
  )`;
}
