import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { ratio } from './overview.ts';
import type { Period } from './period.ts';
import { clickEvents, searchEvents } from './search-events.ts';
import { iso, num, queryRows } from '../db/rows.ts';

export interface TopQuery {
  /** The most common wording among the searches with this normalised form. */
  query: string;
  normalised: string;
  count: number;
  zeroResults: number;
  lowConfidence: number;
  clickThrough: number | null;
  lastSeenAt: string;
}

/** The most asked questions of the period, counted by normalised form (掛失 and 挂失 are one). */
export async function topQueries(db: Db, period: Period, lowConfidenceBelow: number, limit = 50): Promise<TopQuery[]> {
  const rows = await queryRows<{ normalised: string; query: string; n: unknown; zero: unknown; low: unknown; with_results: unknown; clicked: unknown; last_seen: unknown }>(
    db,
    sql`select e.normalised, mode() within group (order by e.query) as query, count(*) as n,
               count(*) filter (where e.result_count = 0) as zero,
               count(*) filter (where e.result_count > 0 and e.top_score < ${lowConfidenceBelow}) as low,
               count(*) filter (where e.source <> 'bot' and e.result_count > 0) as with_results,
               count(*) filter (where e.source <> 'bot' and exists (select 1 from ${clickEvents(period)} c where c.search_id = e.id)) as clicked,
               max(e.at) as last_seen
        from ${searchEvents(period)} e
        where e.normalised <> ''
        group by e.normalised
        order by count(*) desc, max(e.at) desc
        limit ${limit}`,
  );
  return rows.map((r) => ({
    query: r.query,
    normalised: r.normalised,
    count: num(r.n),
    zeroResults: num(r.zero),
    lowConfidence: num(r.low),
    clickThrough: ratio(num(r.clicked), num(r.with_results)),
    lastSeenAt: iso(r.last_seen)!,
  }));
}
