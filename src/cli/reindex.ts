import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { sql } from 'drizzle-orm';
import { readModelsInUse } from '../embedding/model-settings.ts';
import { deleteStaleVectors, enqueueAll, queueCounts, retryFailed } from '../embedding/queue.ts';
import { EmbeddingService } from '../embedding/service.ts';
import { EmbeddingWorker } from '../embedding/worker.ts';
import { createLogger } from '../logger.ts';
import { rowsOf } from '../db/rows.ts';
import { cliConfig, fail, whileServerRuns, withDatabase } from './database.ts';

/** `zhida reindex`: enqueue every answer (and clean stale vectors); --wait embeds here with a progress bar. */
async function reindex(opts: { rebuild?: boolean; retryFailed?: boolean; wait?: boolean }) {
  const cfg = cliConfig();
  await withDatabase(
    cfg,
    async (database) => {
      const models = await readModelsInUse(database.db);
      if (opts.rebuild && models) {
        const result = await database.db.execute(sql`delete from answer_embeddings where model_id = ${models.active.id} returning 1`);
        console.log(`Deleted ${rowsOf(result).length} vectors of ${models.active.id}: semantic search is incomplete until re-embedding finishes.`);
      }
      if (opts.retryFailed) console.log(`${await retryFailed(database.db)} failed jobs retried.`);
      const stale = await deleteStaleVectors(database.db);
      const pending = await enqueueAll(database.db);
      console.log(`${pending} answers queued for embedding${stale ? `, ${stale} stale vectors removed` : ''}.`);
      if (!opts.wait) {
        console.log('A running worker (the server with ZHIDA_EMBED_WORKER=1, or `zhida worker`) processes them; add --wait to do it here.');
        return;
      }
      const log = createLogger('warn');
      const service = new EmbeddingService({ db: database.db, config: cfg, log });
      await service.start();
      await service.loadModels();
      const state = service.state();
      if (state.state !== 'ready') fail(`Cannot embed: ${state.reason}`);
      const w = new EmbeddingWorker({ db: database.db, service, log });
      const bar = new cliProgress.SingleBar({ format: ' {bar} {value}/{total} answers | {eta_formatted} left' }, cliProgress.Presets.shades_classic);
      bar.start(pending, 0);
      for (;;) {
        const did = await w.tick();
        const left = (await queueCounts(database.db)).pending;
        bar.update(Math.max(0, pending - left));
        if (left === 0 && !did) break;
      }
      bar.stop();
      const counts = await queueCounts(database.db);
      console.log(`Done${counts.failed ? `; ${counts.failed} failed (see GET /api/v1/index/status lastError; retry with --retry-failed)` : ''}.`);
      await service.stop();
    },
    whileServerRuns.index,
  );
}

/** Registers `zhida reindex`. */
export function registerReindexCommand(program: Command): void {
  program
    .command('reindex')
    .description('Queue every answer for embedding and remove stale vectors')
    .option('--rebuild', 'delete the active model\'s vectors first (re-embed from scratch)')
    .option('--retry-failed', 'give failed jobs another go')
    .option('--wait', 'embed here and now, with a progress bar')
    .action(reindex);
}
