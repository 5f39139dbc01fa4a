import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/tx.ts';

/** NOTIFY channel of the change feed: nodes on a server LISTEN to it and catch up at once. */
export const FEED_CHANNEL = 'zhida_search_changes';

let epoch = 0;

/**
 * Bumped whenever this process appends to the feed. A search (and the end of a write request)
 * catches the engine up when it moved, so the node that wrote serves its own change at once,
 * without a query on every search.
 */
export function localWriteEpoch(): number {
  return epoch;
}

/**
 * Appends one change row per answer to the feed, in the caller's transaction, in one statement,
 * and notifies listeners (delivered at commit). Must run after the transaction's first write (it
 * always does: it follows the change it records), so the transaction already holds an xid when its
 * sequence numbers are drawn; the follower's gap rule relies on that (follower.ts).
 */
export async function recordAnswerChanges(tx: Tx, answerIds: readonly string[]): Promise<void> {
  if (answerIds.length === 0) return;
  await tx.execute(sql`
    with ins as (insert into search_changes (answer_id) select unnest(${sql.param([...answerIds])}::uuid[]) returning seq)
    select pg_notify(${FEED_CHANNEL}, coalesce(max(seq), 0)::text) from ins`);
  epoch++;
}

/** The synonym groups changed (create, update, delete, seed): every node reloads them. */
export async function synonymsChanged(tx: Tx): Promise<void> {
  await tx.execute(sql`
    with ins as (insert into search_changes (kind) values ('synonyms') returning seq)
    select pg_notify(${FEED_CHANNEL}, max(seq)::text) from ins`);
  epoch++;
}
