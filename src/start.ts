import { createServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { createApi } from './api/app.ts';
import { metricsRoutes } from './api/metrics.ts';
import { ensureMasterToken } from './auth/master-token.ts';
import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import { openDatabase, type Database } from './db/client.ts';
import { runMigrations } from './db/migrate.ts';
import { demoPresent, demoUsers, seedDemo } from './demo/seed.ts';
import { startEmbedding, type EmbeddingRuntime } from './embedding/runtime.ts';
import { createLogger, type Logger } from './logger.ts';
import { watchServices } from './metrics/watch.ts';
import { oldestPendingJobSeconds, queueCounts } from './embedding/queue.ts';
import { searchEngineStatus } from './search/engine/runtime.ts';
import { SearchLogWriter } from './search/search-log.ts';
import { prepareSearch, stopSearch } from './search/start-up.ts';
import { createHttpServer } from './server.ts';

export interface RunningZhida {
  url: string;
  ctx: AppContext;
  server: Server;
  /** The separate /metrics listener (ZHIDA_METRICS_PORT), when configured. */
  metricsUrl?: string;
  /** The master key, only when this start generated it (print it once). */
  generatedAdminToken?: string;
  /** The demo users exist on this database (print their credentials). */
  demo: boolean;
  stop(): Promise<void>;
}

/**
 * Opens the database, migrates, seeds the demo, and listens. Used by `npm start` (src/main.ts) and by
 * the end-to-end tests, so both run the same start-up path.
 */
export async function startZhida(config: Config, options: { log?: Logger; database?: Database } = {}): Promise<RunningZhida> {
  const log = options.log ?? createLogger(config.logLevel);
  const startedAt = new Date();
  const database = options.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  let embedding: EmbeddingRuntime | undefined;
  try {
    await runMigrations(database);
    const master = await ensureMasterToken(database.db, config.adminToken);
    embedding = await startEmbedding({ db: database.db, config, log });
    const searchLog = new SearchLogWriter(database.db, { log });
    const ctx: AppContext = { config, database, db: database.db, log, startedAt, embedding: embedding.service, searchLog };
    if (config.demo) {
      const seeded = await seedDemo(database.db);
      if (seeded.seeded) log.info({ answers: seeded.answers }, 'demo content seeded');
      else if (seeded.reason === 'database_not_empty') log.warn('ZHIDA_DEMO is on but the database already has users or answers: the demo is seeded on an empty database only, nothing was added');
    }
    const demo = config.demo && (await demoPresent(database.db));
    await prepareSearch(database.db, log, { url: database.url });
    const embeddingService = embedding.service;
    watchServices({
      embeddingQueue: async () => ({ ...(await queueCounts(database.db)), oldestPendingSeconds: await oldestPendingJobSeconds(database.db) }),
      embeddingModel: () => embeddingService.state(),
      searchEngine: () => searchEngineStatus(database.db),
      searchLog: () => searchLog.stats(),
    });
    const api = createApi(ctx);
    const server = await createHttpServer(api, { frameAncestors: config.frameAncestors });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const url = `http://${host}:${address.port}`;
    const metricsServer = config.metrics.port === undefined ? undefined : await listenForMetrics(config.metrics.port, config.metrics.host, config.metrics.token).catch((err) => {
            server.close();
            throw err;
          });
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        // Stop accepting, let in-flight requests finish (idle keep-alive sockets are closed), then close the DB.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), 10_000);
        await closed;
        clearTimeout(timer);
        if (metricsServer) await new Promise<void>((resolve) => metricsServer.server.close(() => resolve()));
        // The last searches' log entries are written before the database closes.
        await searchLog.close();
        await embedding?.stop();
        await stopSearch(database.db);
        await database.close();
      })());
    return { url, ctx, server, metricsUrl: metricsServer?.url, generatedAdminToken: master.generated, demo, stop };
  } catch (err) {
    await embedding?.stop().catch(() => {});
    await stopSearch(database.db).catch(() => {});
    await database.close().catch(() => {});
    throw err;
  }
}

/** A listener that serves only /metrics, for scrapers on an internal network (ZHIDA_METRICS_PORT). */
async function listenForMetrics(port: number, host: string, token?: string): Promise<{ server: Server; url: string }> {
  const app = new Hono().route('/', metricsRoutes({ token, open: true }));
  const server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/metrics` };
}

export function demoCredentialsBanner(): string {
  const rows = demoUsers.map((u) => `  ${u.role.padEnd(9)} ${u.email.padEnd(22)} ${u.password}`);
  return ['Demo users (ZHIDA_DEMO=0 turns the demo off):', ...rows].join('\n');
}
