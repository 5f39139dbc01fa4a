import { safeErrorMessage } from '../db/errors.ts';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { answerEmbeddings } from '../db/schema/index.ts';
import type { Logger } from '../logger.ts';
import { embedAnswers, embedBatchDuration, embedJobFailures } from '../metrics/catalog.ts';
import { dropHnswIndex, ensureHnswIndex, hnswIndexExists, modelIdLiteral } from './hnsw-index.ts';
import { updateModelsInUse } from './model-settings.ts';
import { claimJobs, completeJobs, deleteStaleVectors, embeddableVersions, enqueueMissing, failJob, queueCounts, type ClaimedJob,  } from './queue.ts';
import { rowsOf } from '../db/rows.ts';
import type { EmbeddingService, ReadyModel } from './service.ts';
import { textsForVersion } from './version-texts.ts';

export interface WorkerOptions {
  /** Answers claimed per round. */
  batchSize?: number;
  /** How long a claimed job stays ours; a crashed worker's jobs are retaken after this. */
  leaseMs?: number;
  /** Sleep between polls when idle. */
  pollMs?: number;
  maxAttempts?: number;
  /** First retry delay; doubles per attempt. */
  backoffMs?: number;
  /** How often the whole index is checked against what is published (expiry, missed jobs). */
  reconcileMs?: number;
  /** How long a replaced model's vectors stay after a switch (queries in flight). */
  retireGraceMs?: number;
  id?: string;
}

interface VersionRow {
  id: string;
  answer_id: string;
  title: string;
  similar_questions: string[] | string;
  body_text: string;
  category_path: string | null;
  tags: string[];
  channels: string[];
}

/**
 * Turns embedding jobs into vectors: claims a batch (SKIP LOCKED, leased), embeds every text of
 * each answer's embeddable versions with every model in use (the active one, and the target
 * during a switch), replaces their rows, and completes the jobs; failures are retried with
 * backoff. It also promotes a fully filled switch target to active, deletes a retired model's
 * vectors after the grace period, and reconciles (backfill when a model appears, expired versions).
 * Runs in the server process (ZHIDA_EMBED_WORKER=1) or alone (`zhida worker`); several can share the queue.
 */
export class EmbeddingWorker {
  readonly id: string;
  private readonly o: Required<Omit<WorkerOptions, 'id'>>;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private lastReconcile = 0;
  private reconcileRequested = true;

  constructor(
    private readonly deps: { db: Db; service: EmbeddingService; log: Logger },
    options: WorkerOptions = {},
  ) {
    this.id = options.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.o = {
      batchSize: options.batchSize ?? 16,
      leaseMs: options.leaseMs ?? 5 * 60_000,
      pollMs: options.pollMs ?? 1000,
      maxAttempts: options.maxAttempts ?? 5,
      backoffMs: options.backoffMs ?? 5000,
      reconcileMs: options.reconcileMs ?? 5 * 60_000,
      retireGraceMs: options.retireGraceMs ?? 60_000,
    };
    deps.service.onModelReady(() => {
      this.reconcileRequested = true;
      this.wake?.();
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        let busy = false;
        try {
          busy = await this.tick();
        } catch (err) {
          this.deps.log.error({ err: safeErrorMessage(err), worker: this.id }, 'embedding worker round failed');
        }
        if (!busy && this.running) await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.o.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    })();
  }

  /** Finishes the current round (its jobs complete or are released), then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** One round: reconcile if due, process one batch, promote/retire models. True if there was work. */
  async tick(): Promise<boolean> {
    const { service } = this.deps;
    await service.refresh();
    const ready = service.readyModels();
    if (ready.length > 0 && (this.reconcileRequested || Date.now() - this.lastReconcile > this.o.reconcileMs)) {
      this.reconcileRequested = false;
      this.lastReconcile = Date.now();
      await this.reconcile(ready);
    }
    const processed = ready.length > 0 ? await this.processBatch(ready) : 0;
    const switched = processed === 0 ? await this.promoteTargetIfComplete() : false;
    await this.dropRetiredModels();
    return processed > 0 || switched;
  }

  /** Runs rounds until no job is due (CLI `zhida reindex --wait`, tests). */
  async drain(timeoutMs = 120_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const busy = await this.tick();
      if (!busy && (await queueCounts(this.deps.db)).pending === 0) return;
      if (!busy) await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`Embedding queue not drained within ${timeoutMs} ms`);
  }

  /** Deletes vectors nobody should find any more and enqueues answers missing vectors. */
  async reconcile(ready: ReadyModel[] = this.deps.service.readyModels()): Promise<{ deleted: number; enqueued: number }> {
    const deleted = await deleteStaleVectors(this.deps.db);
    const enqueued = await enqueueMissing(
      this.deps.db,
      ready.map((m) => m.spec.id),
    );
    if (deleted || enqueued) this.deps.log.info({ deleted, enqueued }, 'embedding index reconciled');
    return { deleted, enqueued };
  }

  /** Claims and processes one batch; returns the number of jobs taken. */
  async processBatch(ready: ReadyModel[] = this.deps.service.readyModels()): Promise<number> {
    const { db, log } = this.deps;
    if (ready.length === 0) return 0;
    const jobs = await claimJobs(db, this.id, { limit: this.o.batchSize, leaseMs: this.o.leaseMs });
    if (jobs.length === 0) return 0;
    try {
      const stopTimer = embedBatchDuration.startTimer();
      await this.embedAnswers(jobs.map((j) => j.answerId), ready);
      await completeJobs(db, this.id, jobs);
      stopTimer();
      embedAnswers.inc(jobs.length);
    } catch (batchError) {
      // Find the answer(s) at fault: the rest of the batch must not suffer for one bad answer.
      log.warn({ err: safeErrorMessage(batchError), jobs: jobs.length }, 'embedding batch failed; retrying answers one by one');
      for (const job of jobs) {
        try {
          await this.embedAnswers([job.answerId], ready);
          await completeJobs(db, this.id, [job]);
          embedAnswers.inc();
        } catch (err) {
          embedJobFailures.inc();
          await failJob(db, this.id, job, err, { maxAttempts: this.o.maxAttempts, backoffMs: this.o.backoffMs });
          log.warn({ answerId: job.answerId, attempts: job.attempts, err: safeErrorMessage(err) }, 'embedding job failed');
        }
      }
    }
    return jobs.length;
  }

  private async embedAnswers(answerIds: string[], ready: ReadyModel[]): Promise<void> {
    const { db } = this.deps;
    const ids = sql`(${sql.join(
      answerIds.map((id) => sql`${id}::uuid`),
      sql`, `,
    )})`;
    await deleteStaleVectors(db, ids);
    const versions = rowsOf<VersionRow>(
      await db.execute(sql`
        select v.id, v.answer_id, v.title, v.similar_questions, v.body_text, v.category_path, v.tags, v.channels
        from answer_versions v where v.id in (select version_id from ${embeddableVersions(ids)} ev)`),
    );
    if (versions.length === 0) return;
    for (const { spec, embedder } of ready) {
      const have = new Set(
        rowsOf<{ version_id: string }>(
          await db.execute(sql`
            select distinct version_id from answer_embeddings
            where model_id = ${spec.id} and version_id in (${sql.join(
              versions.map((v) => sql`${v.id}::uuid`),
              sql`, `,
            )})`),
        ).map((r) => r.version_id),
      );
      const todo = versions.filter((v) => !have.has(v.id));
      if (todo.length === 0) continue;
      const texts = todo.flatMap((v) =>
        textsForVersion(
          { title: v.title, similarQuestions: parseJsonArray(v.similar_questions), bodyText: v.body_text },
          spec,
          (s) => embedder.countTokens(s),
        ).map((t) => ({ version: v, t })),
      );
      // Similar lengths together: a batch is padded to its longest text.
      const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.t.input.length - texts[b]!.t.input.length);
      const sortedVectors = await embedder.embed(order.map((i) => texts[i]!.t.input));
      const vectors: number[][] = new Array(texts.length);
      order.forEach((textIndex, k) => (vectors[textIndex] = sortedVectors[k]!));
      const active = this.deps.service.modelsInUse()?.active.id === spec.id;
      // The active model's index must exist before it serves; a switch target's index is built at
      // promotion, after its bulk load (building once is much faster than inserting into a graph).
      if (active) await ensureHnswIndex(db, spec.id, embedder.dims);
      await db.transaction(async (tx) => {
        await tx.execute(sql`
          delete from answer_embeddings where model_id = ${spec.id} and version_id in (${sql.join(
            todo.map((v) => sql`${v.id}::uuid`),
            sql`, `,
          )})`);
        for (let i = 0; i < texts.length; i += 500) {
          await tx.insert(answerEmbeddings).values(
            texts.slice(i, i + 500).map(({ version, t }, k) => ({
              answerId: version.answer_id,
              versionId: version.id,
              modelId: spec.id,
              kind: t.kind,
              ordinal: t.ordinal,
              text: t.text,
              categoryPath: version.category_path,
              tags: version.tags,
              channels: version.channels,
              embedding: vectors[i + k]!,
            })),
          );
        }
        // Archived or superseded while we were embedding: not one vector of it may stay.
        await deleteStaleVectors(tx, ids);
      });
    }
  }

  /**
   * Switches to the target model once every embeddable version has its vectors and no job is
   * waiting. The old model becomes "retired": its vectors stay for the grace period.
   */
  async promoteTargetIfComplete(): Promise<boolean> {
    const { db, service, log } = this.deps;
    const models = service.modelsInUse();
    const target = models?.target;
    if (!models || !target) return false;
    const ready = service.readyModels().find((m) => m.spec.id === target.id);
    if (!ready) return false;
    if ((await queueCounts(db)).pending > 0) return false;
    if ((await enqueueMissing(db, [target.id])) > 0) return false;
    // Recheck: another process may have dropped it (a model switched away from and back to).
    await ensureHnswIndex(db, target.id, ready.embedder.dims, { recheck: true });
    await db.execute(sql`analyze answer_embeddings`);
    const next = await updateModelsInUse(db, (current) => {
      if (!current?.target || current.target.id !== target.id) return current;
      const { startedAt: _startedAt, ...spec } = current.target;
      const old = current.active;
      return {
        active: { ...spec, dims: ready.embedder.dims },
        retired: [...current.retired.filter((r) => r.id !== old.id && r.id !== spec.id), { ...old, retiredAt: new Date().toISOString() }],
      };
    });
    if (next?.active.id !== target.id) return false;
    log.info({ from: models.active.id, to: target.id }, 'embedding model switched');
    await service.refresh();
    return true;
  }

  /** Deletes retired models' vectors and indexes once their grace period is over. */
  async dropRetiredModels(): Promise<void> {
    const { db, service, log } = this.deps;
    const models = service.modelsInUse();
    const due = (models?.retired ?? []).filter((r) => Date.now() - Date.parse(r.retiredAt) >= this.o.retireGraceMs);
    for (const retired of due) {
      if (retired.id === models?.active.id || retired.id === models?.target?.id) continue;
      const [sample] = rowsOf<{ dims: number }>(
        await db.execute(sql`select vector_dims(embedding) as dims from answer_embeddings where model_id = ${retired.id} limit 1`),
      );
      const dims = retired.dims ?? sample?.dims;
      const result = await db.execute(sql`delete from answer_embeddings where model_id = ${modelIdLiteral(retired.id)} returning 1`);
      if (dims && (await hnswIndexExists(db, retired.id, dims))) await dropHnswIndex(db, retired.id, dims);
      await updateModelsInUse(db, (current) => (current ? { ...current, retired: current.retired.filter((r) => r.id !== retired.id) } : current));
      log.info({ model: retired.id, vectors: rowsOf(result).length }, 'retired embedding model removed');
    }
    if (due.length) await service.refresh();
  }
}

function parseJsonArray(value: string[] | string): string[] {
  return Array.isArray(value) ? value : (JSON.parse(value) as string[]);
}

export type { ClaimedJob };
