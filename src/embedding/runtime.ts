import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { EmbeddingService } from './service.ts';
import { EmbeddingWorker, type WorkerOptions } from './worker.ts';

export interface EmbeddingRuntime {
  service: EmbeddingService;
  /** Present when this process runs the worker (ZHIDA_EMBED_WORKER=1, or `zhida worker`). */
  worker?: EmbeddingWorker;
  stop(): Promise<void>;
}

/**
 * Starts the embedding service (model loading happens in the background: start-up never waits
 * for, or fails on, the model) and, when asked, the in-process worker.
 */
export async function startEmbedding(
  deps: { db: Db; config: Config; log: Logger },
  options: { worker?: boolean; workerOptions?: WorkerOptions; pollMs?: number } = {},
): Promise<EmbeddingRuntime> {
  const service = new EmbeddingService(deps, { pollMs: options.pollMs });
  await service.start();
  const worker = (options.worker ?? deps.config.embedWorker) ? new EmbeddingWorker({ db: deps.db, service, log: deps.log }, options.workerOptions) : undefined;
  worker?.start();
  return {
    service,
    worker,
    async stop() {
      await worker?.stop();
      await service.stop();
    },
  };
}
