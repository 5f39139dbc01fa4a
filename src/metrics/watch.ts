import { counterAtScrape, gaugeAtScrape } from './registry.ts';

/** The parts of the search engine's status that are exported (src/search/engine/runtime.ts SearchEngineStatus). */
export interface SearchEngineView {
  ready: boolean;
  answers: number;
  documents: number;
  terms: number;
  postings: number;
  typedArrayBytes: number;
  seq: number;
  headSeq: number;
  openGaps: number;
  lagMs: number;
  buildMs: number | null;
}

/**
 * What a running process lets Prometheus read at scrape time. The readers are passed in (src/start.ts
 * wires them), so src/metrics depends on nothing but prom-client and every area may record metrics.
 */
export interface WatchedServices {
  /** Embedding jobs: pending (waiting or running), failed (parked), and the age of the oldest pending one. */
  embeddingQueue?: () => Promise<{ pending: number; failed: number; oldestPendingSeconds: number }>;
  /** The active embedding model and its state (ready | loading | unavailable). */
  embeddingModel?: () => { id: string; state: string };
  /** This node's in-memory search engine (src/search/engine/runtime.ts), null before it exists. */
  searchEngine?: () => SearchEngineView | null;
  /** The buffered search log's tallies since start. */
  searchLog?: () => { buffered: number; capacity: number; written: number; dropped: number; failedBatches: number };
}

const MODEL_STATES = ['loading', 'ready', 'unavailable'];

/** Registers the scrape-time metrics over `services`; calling again rebinds them to the new services. */
export function watchServices(services: WatchedServices): void {
  const { embeddingQueue, embeddingModel, searchEngine, searchLog } = services;
  if (searchEngine) {
    const engineGauge = (name: string, help: string, read: (s: SearchEngineView) => number | null) =>
      gaugeAtScrape({ name, help }, (set) => {
        const status = searchEngine();
        const value = status ? read(status) : null;
        if (value !== null) set(value);
      });
    engineGauge('zhida_search_engine_ready', 'The in-memory search engine is built and caught up with the change feed (1) or not (0)', (s) => (s.ready ? 1 : 0));
    engineGauge('zhida_search_engine_answers', 'Live answers in the in-memory search engine', (s) => s.answers);
    engineGauge('zhida_search_engine_documents', 'Documents (answer versions) in the in-memory search engine', (s) => s.documents);
    engineGauge('zhida_search_engine_terms', 'Distinct terms in the keyword index', (s) => s.terms);
    engineGauge('zhida_search_engine_postings', 'Postings in the keyword index', (s) => s.postings);
    engineGauge('zhida_search_engine_index_bytes', 'Bytes of typed arrays held by the index (postings, lengths, trigram lists; strings and metadata come on top)', (s) => s.typedArrayBytes);
    engineGauge('zhida_search_engine_seq', 'Change-feed sequence up to which every change is applied', (s) => s.seq);
    engineGauge('zhida_search_engine_head_seq', 'Highest change-feed sequence seen and applied', (s) => s.headSeq);
    engineGauge('zhida_search_engine_open_gaps', 'Change-feed sequences below the head not seen yet (open or rolled-back transactions)', (s) => s.openGaps);
    engineGauge('zhida_search_engine_lag_seconds', 'Seconds since the engine was last known to be caught up with the database (change-feed lag)', (s) => s.lagMs / 1000);
    engineGauge('zhida_search_engine_build_seconds', 'How long the last full build of the engine took', (s) => (s.buildMs === null ? null : s.buildMs / 1000));
  }
  if (embeddingQueue) {
    gaugeAtScrape(
      { name: 'zhida_embedding_queue_jobs', help: 'Embedding jobs by state: pending (waiting or running) and failed (parked for an operator)', labelNames: ['state'] },
      async (set) => {
        const counts = await embeddingQueue();
        set(counts.pending, { state: 'pending' });
        set(counts.failed, { state: 'failed' });
      },
    );
    gaugeAtScrape(
      { name: 'zhida_embedding_queue_oldest_seconds', help: 'Age of the oldest pending embedding job (0 when none): how far the vector index lags behind edits' },
      async (set) => set((await embeddingQueue()).oldestPendingSeconds),
    );
  }
  if (embeddingModel) {
    gaugeAtScrape(
      { name: 'zhida_embedding_model_ready', help: 'The active embedding model: 1 on the series of its current state (hybrid search needs state="ready")', labelNames: ['model', 'state'] },
      (set) => {
        const { id, state } = embeddingModel();
        for (const s of new Set([...MODEL_STATES, state])) set(s === state ? 1 : 0, { model: id, state: s });
      },
    );
  }
  if (searchLog) {
    gaugeAtScrape({ name: 'zhida_search_log_buffered', help: 'Search log entries waiting to be written (buffered or in a batch being written)' }, (set) => set(searchLog().buffered));
    gaugeAtScrape({ name: 'zhida_search_log_capacity', help: 'The search log buffer bound: beyond it entries are dropped' }, (set) => set(searchLog().capacity));
    counterAtScrape({ name: 'zhida_search_log_written_total', help: 'Search log entries written' }, () => searchLog().written);
    counterAtScrape({ name: 'zhida_search_log_dropped_total', help: 'Search log entries dropped (buffer full, or a batch failed twice): analytics miss them' }, () => searchLog().dropped);
    counterAtScrape({ name: 'zhida_search_log_failed_batches_total', help: 'Search log batches whose insert failed (each retried once)' }, () => searchLog().failedBatches);
  }
}
