import { sql } from 'drizzle-orm';
import type { Tx } from '../db/tx.ts';
import { liveVersionIds } from './live.ts';

/**
 * Keeps stored statuses consistent with src/answers/live.ts, which stays authoritative: once a
 * published version has taken effect (effective_from null or past), every older published version
 * of the same answer is superseded. Called on approve (immediate publishing) and, for scheduled
 * versions, lazily on the next write to the answer; readers derive the same status meanwhile
 * (see displayStatus in map.ts). Also refreshes answers.live_version_id, a convenience copy.
 */
export async function settleLiveState(tx: Tx, answerIds: readonly string[], now: Date = new Date()): Promise<void> {
  if (answerIds.length === 0) return;
  const ids = sql`(${sql.join(
    answerIds.map((id) => sql`${id}::uuid`),
    sql`, `,
  )})`;
  const at = sql`${now.toISOString()}::timestamptz`;
  await tx.execute(sql`
    update answer_versions v set status = 'superseded', updated_at = ${at}
    from (
      select distinct on (answer_id) answer_id, number from answer_versions
      where answer_id in ${ids} and status = 'published' and (effective_from is null or effective_from <= ${at})
      order by answer_id, number desc
    ) cur
    where v.answer_id = cur.answer_id and v.status = 'published' and v.number < cur.number`);
  await tx.execute(sql`
    update answers a set live_version_id = (select l.version_id from ${liveVersionIds(now)} l where l.answer_id = a.id)
    where a.id in ${ids}`);
}
