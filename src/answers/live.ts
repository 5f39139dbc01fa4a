import { sql, type SQL } from 'drizzle-orm';

/**
 * The one definition of "live" that search, the bot and exports share. An answer's live version is
 * its newest published version that has taken effect (effective_from null or past), provided that
 * version has not expired and the answer is not archived. Scheduled publishing and expiry therefore
 * take effect at the exact moment, with no background job in the way.
 *
 * Returns a SQL subquery yielding the ids of live versions (column: version_id, answer_id).
 */
export function liveVersionIds(now: Date | SQL = sql`now()`): SQL {
  const at = now instanceof Date ? sql`${now.toISOString()}::timestamptz` : now;
  return sql`(
    select version_id, answer_id from (
      select distinct on (v.answer_id) v.id as version_id, v.answer_id, v.expires_at
      from answer_versions v
      join answers a on a.id = v.answer_id and a.archived_at is null
      where v.status = 'published' and (v.effective_from is null or v.effective_from <= ${at})
      order by v.answer_id, v.number desc
    ) newest
    where newest.expires_at is null or newest.expires_at > ${at}
  )`;
}

/** What the live rule needs of one published version (times in epoch milliseconds, null = unset). */
export interface PublishedVersionTimes {
  number: number;
  effectiveFrom: number | null;
  expiresAt: number | null;
}

/**
 * The same rule as liveVersionIds(), as a pure function for the in-memory search engine: of an
 * answer's published versions (an archived answer has none that count), the newest one that has
 * taken effect at `nowMs`, unless it has expired. Returns its index in `versions`, or -1.
 * test/unit/live-rule.test.ts checks that this and the SQL agree, including at the exact second.
 *
 * Times are compared at millisecond resolution: callers pass stored timestamps rounded UP to the
 * millisecond (ceil), which keeps `t <= now` and `t > now` exact for an integer `nowMs`.
 */
export function liveVersionIndex(versions: readonly PublishedVersionTimes[], archived: boolean, nowMs: number): number {
  if (archived) return -1;
  let best = -1;
  for (let i = 0; i < versions.length; i++) {
    const v = versions[i]!;
    if (v.effectiveFrom !== null && v.effectiveFrom > nowMs) continue;
    if (best === -1 || v.number > versions[best]!.number) best = i;
  }
  if (best === -1) return -1;
  const exp = versions[best]!.expiresAt;
  return exp === null || exp > nowMs ? best : -1;
}
