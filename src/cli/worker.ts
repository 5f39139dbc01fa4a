import type { Command } from 'commander';
import { EmbeddingService } from '../embedding/service.ts';
import { EmbeddingWorker } from '../embedding/worker.ts';
import { createLogger } from '../logger.ts';
import { cliConfig, whileServerRuns, withDatabase } from './database.ts';

/** `zhida worker`: the embedding worker as its own process (several may run against one PostgreSQL). */
async function worker() {
  const cfg = cliConfig();
  const log = createLogger(cfg.logLevel);
  await withDatabase(
    cfg,
    async (database) => {
      const service = new EmbeddingService({ db: database.db, config: cfg, log });
      await service.start();
      const w = new EmbeddingWorker({ db: database.db, service, log });
      w.start();
      log.info({ worker: w.id, model: service.state().id }, 'embedding worker started');
      const signal = await new Promise<string>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      log.info({ signal }, 'embedding worker stopping (finishing the current batch)');
      await w.stop();
      await service.stop();
    },
    whileServerRuns.index,
  );
  process.exit(0);
}

/** Registers `zhida worker`. */
export function registerWorkerCommand(program: Command): void {
  program.command('worker').description('Run the embedding worker in this process until SIGINT/SIGTERM').action(worker);
}
