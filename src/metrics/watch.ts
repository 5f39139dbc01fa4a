import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { rowsOf } from '../db/rows.ts';
import { queueCounts } from '../embedding/queue.ts';
import type { EmbeddingService, ModelStateName } from '../embedding/service.ts';
import type { SearchLogWriter } from '../search/search-log.ts';
import { counterAtScrape, gaugeAtScrape } from './registry.ts';

const MODEL_STATES: ModelStateName[] = ['loading', 'ready', 'unavailable'];

/**
 * Scrape-time gauges over a running process's database and embedding service. Called once the
 * services exist (src/start.ts; `zhida worker`); calling again rebinds them to the new services.
 */
export function watchServices(deps: { db: Db; embedding: EmbeddingService; searchLog?: Pick<SearchLogWriter, 'stats'> }): void {
  const { searchLog } = deps;
  if (searchLog) {
    // The writer keeps its own tallies (src/search/search-log.ts); they are read when Prometheus scrapes.
    gaugeAtScrape({ name: 'zhida_search_log_buffered', help: 'Search log entries waiting to be written (buffered or in a batch being written)' }, (set) => set(searchLog.stats().buffered));
    gaugeAtScrape({ name: 'zhida_search_log_capacity', help: 'The search log buffer bound: beyond it entries are dropped' }, (set) => set(searchLog.stats().capacity));
    counterAtScrape({ name: 'zhida_search_log_written_total', help: 'Search log entries written' }, () => searchLog.stats().written);
    counterAtScrape({ name: 'zhida_search_log_dropped_total', help: 'Search log entries dropped (buffer full, or a batch failed twice): analytics miss them' }, () => searchLog.stats().dropped);
    counterAtScrape({ name: 'zhida_search_log_failed_batches_total', help: 'Search log batches whose insert failed (each retried once)' }, () => searchLog.stats().failedBatches);
  }
  gaugeAtScrape(
    { name: 'zhida_embedding_queue_jobs', help: 'Embedding jobs by state: pending (waiting or running) and failed (parked for an operator)', labelNames: ['state'] },
    async (set) => {
      const counts = await queueCounts(deps.db);
      set(counts.pending, { state: 'pending' });
      set(counts.failed, { state: 'failed' });
    },
  );
  gaugeAtScrape(
    { name: 'zhida_embedding_queue_oldest_seconds', help: 'Age of the oldest pending embedding job (0 when none): how far the vector index lags behind edits' },
    async (set) => {
      const [row] = rowsOf<{ age: number | null }>(
        await deps.db.execute(sql`select extract(epoch from now() - min(enqueued_at))::float8 as age from embedding_jobs where failed_at is null`),
      );
      set(Math.max(0, Number(row?.age ?? 0)));
    },
  );
  gaugeAtScrape(
    { name: 'zhida_embedding_model_ready', help: 'The active embedding model: 1 on the series of its current state (hybrid search needs state="ready")', labelNames: ['model', 'state'] },
    (set) => {
      const { id, state } = deps.embedding.state();
      for (const s of new Set<string>([...MODEL_STATES, state])) set(s === state ? 1 : 0, { model: id, state: s });
    },
  );
}
