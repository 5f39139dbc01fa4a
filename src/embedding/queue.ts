import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/tx.ts';
import type { Db } from '../db/client.ts';
import { rowsOf } from '../db/rows.ts';

/**
 * The versions that should have vectors: published, answer not archived, not expired, and not
 * older than the version currently in effect (so the live one plus any scheduled newer ones,
 * which are embedded ahead of time and become searchable the moment they take effect). Which
 * of them is live is still decided at query time by src/answers/live.ts.
 */
export function embeddableVersions(answerIds?: SQL): SQL {
  return sql`(
    select v.id as version_id, v.answer_id from answer_versions v
    join answers a on a.id = v.answer_id and a.archived_at is null
    where v.status = 'published'
      and (v.expires_at is null or v.expires_at > now())
      ${answerIds ? sql`and v.answer_id in ${answerIds}` : sql``}
      and v.number >= coalesce((
        select max(p.number) from answer_versions p
        where p.answer_id = v.answer_id and p.status in ('published', 'superseded')
          and (p.effective_from is null or p.effective_from <= now())
      ), 0)
  )`;
}

/**
 * Called from answersChanged inside the transaction that changed the answers. Vectors of versions
 * that are no longer embeddable (archived, superseded, expired, unpublished) are deleted right
 * here, so they stop matching when the change commits; new vectors are made by the worker from
 * the durable jobs this inserts (or refreshes, when one is already waiting). Two statements
 * whatever the number of answers (an import batch of 500 used to cost 1,000).
 */
export async function enqueueEmbeddings(tx: Tx, answerIds: readonly string[]): Promise<void> {
  const ids = [...new Set(answerIds)];
  if (ids.length === 0) return;
  await deleteStaleVectors(tx, sql`(select unnest(${sql.param(ids)}::uuid[]))`);
  await tx.execute(sql`
    insert into embedding_jobs (answer_id) select unnest(${sql.param(ids)}::uuid[])
    on conflict (answer_id) do update set
      generation = embedding_jobs.generation + 1, attempts = 0, run_after = now(),
      failed_at = null, last_error = null, enqueued_at = now()`);
}

/** One answer changed (publish, archive): see enqueueEmbeddings. */
export async function enqueueEmbedding(tx: Tx, answerId: string): Promise<void> {
  await enqueueEmbeddings(tx, [answerId]);
}

/** Deletes vectors of versions that should not have any (all answers when `answerIds` is omitted). */
export async function deleteStaleVectors(tx: Tx, answerIds?: SQL): Promise<number> {
  const result = await tx.execute(sql`
    delete from answer_embeddings e
    where ${answerIds ? sql`e.answer_id in ${answerIds} and` : sql``}
      e.version_id not in (select version_id from ${embeddableVersions(answerIds)} ev)
    returning 1`);
  return rowsOf(result).length;
}

/** Enqueues every answer (reindex, model switch). Returns how many jobs are waiting afterwards. */
export async function enqueueAll(db: Db | Tx): Promise<number> {
  await db.execute(sql`
    insert into embedding_jobs (answer_id) select id from answers
    on conflict (answer_id) do update set
      generation = embedding_jobs.generation + 1, attempts = 0, run_after = now(),
      failed_at = null, last_error = null, enqueued_at = now()`);
  const [row] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from embedding_jobs where failed_at is null`));
  return row?.n ?? 0;
}

/**
 * Enqueues answers whose embeddable versions lack vectors for any of `modelIds`: the backfill
 * after a model becomes available, the catch-up for scheduled versions, and the safety net after
 * a crash. Returns how many answers were enqueued.
 */
export async function enqueueMissing(db: Db | Tx, modelIds: string[]): Promise<number> {
  if (modelIds.length === 0) return 0;
  const result = await db.execute(sql`
    insert into embedding_jobs (answer_id)
    select distinct ev.answer_id from ${embeddableVersions()} ev
    where exists (
      select 1 from unnest(${sql.param(modelIds)}::text[]) m(id)
      where not exists (select 1 from answer_embeddings e where e.version_id = ev.version_id and e.model_id = m.id)
    )
    on conflict (answer_id) do nothing
    returning answer_id`);
  return rowsOf(result).length;
}

export interface ClaimedJob {
  answerId: string;
  generation: number;
  attempts: number;
}

/**
 * Takes up to `limit` due jobs. FOR UPDATE SKIP LOCKED lets several workers share the queue; the
 * lease (locked_until) is what survives a crash: a job whose worker died is taken again once its
 * lease runs out, and since jobs are idempotent nothing is lost or doubled.
 */
export async function claimJobs(db: Db, workerId: string, opts: { limit: number; leaseMs: number }): Promise<ClaimedJob[]> {
  return db.transaction(async (tx) => {
    const due = rowsOf<{ answer_id: string }>(
      await tx.execute(sql`
        select answer_id from embedding_jobs
        where failed_at is null and run_after <= now() and (locked_until is null or locked_until < now())
        order by run_after, enqueued_at
        limit ${opts.limit}
        for update skip locked`),
    );
    if (due.length === 0) return [];
    const ids = sql.join(
      due.map((d) => sql`${d.answer_id}::uuid`),
      sql`, `,
    );
    const claimed = rowsOf<{ answer_id: string; generation: string | number; attempts: number }>(
      await tx.execute(sql`
        update embedding_jobs set locked_by = ${workerId},
          locked_until = now() + (${opts.leaseMs} * interval '1 millisecond'), attempts = attempts + 1
        where answer_id in (${ids})
        returning answer_id, generation, attempts`),
    );
    return claimed.map((c) => ({ answerId: c.answer_id, generation: Number(c.generation), attempts: c.attempts }));
  });
}

/** Done: the job is removed, unless it was re-enqueued meanwhile (then it runs again, unlocked). */
export async function completeJobs(db: Db, workerId: string, jobs: ClaimedJob[]): Promise<void> {
  for (const job of jobs) {
    await db.execute(sql`delete from embedding_jobs where answer_id = ${job.answerId}::uuid and generation = ${job.generation}`);
    await db.execute(sql`
      update embedding_jobs set locked_by = null, locked_until = null
      where answer_id = ${job.answerId}::uuid and locked_by = ${workerId}`);
  }
}

/** Failed: retried after an exponential backoff; after `maxAttempts` it is parked as failed (visible in index/status). */
export async function failJob(db: Db, workerId: string, job: ClaimedJob, error: unknown, opts: { maxAttempts: number; backoffMs: number }): Promise<void> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
  const delayMs = Math.min(opts.backoffMs * 2 ** Math.max(0, job.attempts - 1), 3600_000);
  await db.execute(sql`
    update embedding_jobs set locked_by = null, locked_until = null, last_error = ${message},
      run_after = now() + (${delayMs} * interval '1 millisecond'),
      failed_at = case when attempts >= ${opts.maxAttempts} then now() else null end
    where answer_id = ${job.answerId}::uuid and locked_by = ${workerId}`);
}

/** Gives jobs back without counting an attempt (model not ready, shutting down). */
export async function releaseJobs(db: Db, workerId: string, jobs: ClaimedJob[]): Promise<void> {
  for (const job of jobs) {
    await db.execute(sql`
      update embedding_jobs set locked_by = null, locked_until = null, attempts = greatest(attempts - 1, 0)
      where answer_id = ${job.answerId}::uuid and locked_by = ${workerId}`);
  }
}

export interface QueueCounts {
  pending: number;
  failed: number;
}

export async function queueCounts(db: Db): Promise<QueueCounts> {
  const [row] = rowsOf<{ pending: number; failed: number }>(
    await db.execute(sql`
      select count(*) filter (where failed_at is null)::int as pending, count(*) filter (where failed_at is not null)::int as failed
      from embedding_jobs`),
  );
  return { pending: row?.pending ?? 0, failed: row?.failed ?? 0 };
}

/** Age of the oldest pending job in seconds (0 when none): how far vectors lag behind edits. */
export async function oldestPendingJobSeconds(db: Db): Promise<number> {
  const [row] = rowsOf<{ oldest: number | null }>(
    await db.execute(sql`select extract(epoch from now() - min(enqueued_at))::float8 as oldest from embedding_jobs where failed_at is null`),
  );
  return Math.max(0, Number(row?.oldest ?? 0));
}

/** Failed jobs get another go (after the operator fixed the cause). */
export async function retryFailed(db: Db): Promise<number> {
  const result = await db.execute(sql`
    update embedding_jobs set failed_at = null, attempts = 0, run_after = now() where failed_at is not null returning 1`);
  return rowsOf(result).length;
}
