import { counter, histogram } from './registry.ts';

// The metrics that code paths update as they run. Scrape-time gauges (queue depth, index size, ...)
// are registered where their state lives, with gaugeAtScrape; see src/metrics/watch.ts.

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Requests by route pattern (never the raw path: ids would explode the series), method and status. */
export const httpRequests = counter({
  name: 'zhida_http_requests_total',
  help: 'HTTP requests answered by the API, by route pattern, method and status code',
  labelNames: ['route', 'method', 'status'],
});

export const httpDuration = histogram({
  name: 'zhida_http_request_duration_seconds',
  help: 'Time from request to response headers in the API, by route pattern, method and status class (2xx, 4xx, ...)',
  labelNames: ['route', 'method', 'status_class'],
  buckets: LATENCY_BUCKETS,
});

/** Every logged search (the search API, the bot and agent assist), by mode and caller; observed where it is logged. */
export const searchDuration = histogram({
  name: 'zhida_search_duration_seconds',
  help: 'Time to answer a search inside the service (retrieval, fusion, hydration; the bot also its session), by mode (keyword|hybrid) and source (search|bot|assist)',
  labelNames: ['mode', 'source'],
  buckets: LATENCY_BUCKETS,
});

export const botTurns = counter({
  name: 'zhida_bot_turns_total',
  help: 'Bot turns answered by POST /api/v1/bot/answer, by outcome (answered|handoff)',
  labelNames: ['outcome'],
});

export const botHandoffs = counter({
  name: 'zhida_bot_handoffs_total',
  help: 'Bot turns handed to a human, by reason (low_confidence, user_request, ...)',
  labelNames: ['reason'],
});

export const embedAnswers = counter({
  name: 'zhida_embedding_answers_total',
  help: 'Answers embedded and stored by the embedding worker (rate() of it is the embed throughput)',
});

export const embedBatchDuration = histogram({
  name: 'zhida_embedding_batch_duration_seconds',
  help: 'Time to embed and store one batch of answers (all ready models)',
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
});

export const embedJobFailures = counter({
  name: 'zhida_embedding_job_failures_total',
  help: 'Embedding jobs that failed an attempt (retried with backoff, parked as failed after the last attempt)',
});

/** The two legs of a search, so a slow search can be told apart: in-memory keyword (BM25F + trigram) or the pgvector probe. */
export const searchLegDuration = histogram({
  name: 'zhida_search_leg_duration_seconds',
  help: 'Time of one search leg: keyword (in-memory BM25F and trigram matching) or vector (query embedding and the pgvector probe)',
  labelNames: ['leg'],
  buckets: LATENCY_BUCKETS,
});

/** Round trip of a call to the embedded database thread, waiting included (statements run one at a time). */
export const dbThreadCallDuration = histogram({
  name: 'zhida_db_thread_call_duration_seconds',
  help: 'Time from sending a call to the embedded database thread (PGlite) to its answer, queue wait included, by operation (query|exec|begin|commit|rollback|dump)',
  labelNames: ['op'],
  buckets: LATENCY_BUCKETS,
});
