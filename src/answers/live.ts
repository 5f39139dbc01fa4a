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
