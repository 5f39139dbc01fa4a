import type { Config } from './config.ts';
import type { Database, Db } from './db/client.ts';
import type { EmbeddingService } from './embedding/service.ts';
import type { Logger } from './logger.ts';
import type { SearchLogWriter } from './search/search-log.ts';

/**
 * What a running Zhida process holds: config, database, logger and the long-lived services. Handlers
 * receive it through Hono's context (c.var.ctx); domain functions take only what they need.
 */
export interface AppContext {
  config: Config;
  database: Database;
  db: Db;
  log: Logger;
  startedAt: Date;
  /** The embedding model(s): state(), embedQuery(), search(); see src/embedding/service.ts. */
  embedding: EmbeddingService;
  /** Buffered search/bot/assist log: record() returns the id at once, batches are written off the request path. */
  searchLog: SearchLogWriter;
}
