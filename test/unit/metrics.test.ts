import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsTokenMatches } from '../../src/api/metrics.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { importFixtures } from './search-fixtures.ts';

const METRICS_TOKEN = 'scrape-token-0123456789abcdef';

/** The samples of a Prometheus text exposition: `name{a="x",b="y"} value` -> rows. */
function parseExposition(text: string) {
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

describe('GET /metrics (Prometheus)', () => {
  let zhida: TestServer;
  const scrape = async () => {
    const res = await zhida.api('/metrics', { token: METRICS_TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return parseExposition(await res.text());
  };
  const value = (samples: ReturnType<typeof parseExposition>, name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);

  beforeAll(async () => {
    zhida = await startTestServer({ ZHIDA_METRICS_TOKEN: METRICS_TOKEN, ZHIDA_METRICS_PORT: '0' });
    await importFixtures(zhida);
  });
  afterAll(async () => zhida?.stop());

  it('refuses a scrape without the token or with a wrong one', async () => {
    expect((await zhida.api('/metrics', { token: null })).status).toBe(401);
    expect((await zhida.api('/metrics', { token: 'scrape-token-0123456789abcdeX' })).status).toBe(401);
    // The master API key is not the scrape token: a leaked scrape token must not open the API, nor the reverse.
    expect((await zhida.api('/metrics')).status).toBe(401);
    expect(metricsTokenMatches(`Bearer ${METRICS_TOKEN}`, METRICS_TOKEN)).toBe(true);
    expect(metricsTokenMatches(`Bearer ${METRICS_TOKEN.slice(0, -1)}`, METRICS_TOKEN)).toBe(false);
    expect(metricsTokenMatches(undefined, METRICS_TOKEN)).toBe(false);
  });

  it('counts searches by mode and requests by route pattern, with latency histograms', async () => {
    const before = await scrape();
    const searchesBefore = value(before, 'zhida_search_duration_seconds_count', { mode: 'keyword', source: 'search' });
    for (const query of ['信用卡丢了', '转账限额', '年费']) {
      const res = await zhida.api('/api/v1/search', { method: 'POST', json: { query } });
      expect(res.status).toBe(200);
    }
    const answers = (await (await zhida.api('/api/v1/answers')).json()) as { items: { id: string }[] };
    const id = answers.items[0]!.id;
    expect((await zhida.api(`/api/v1/answers/${id}`)).status).toBe(200);
    expect((await zhida.api('/api/v1/answers/00000000-0000-4000-8000-000000000000')).status).toBe(404);

    const after = await scrape();
    expect(value(after, 'zhida_search_duration_seconds_count', { mode: 'keyword', source: 'search' }) - searchesBefore).toBe(3);
    // Every observation falls in the +Inf bucket, and the sum is a positive time.
    expect(value(after, 'zhida_search_duration_seconds_bucket', { mode: 'keyword', source: 'search', le: '+Inf' })).toBe(
      value(after, 'zhida_search_duration_seconds_count', { mode: 'keyword', source: 'search' }),
    );
    expect(value(after, 'zhida_search_duration_seconds_sum', { mode: 'keyword' })).toBeGreaterThan(0);
    // Per leg: keyword ran three more times (no model here, so no vector leg).
    expect(value(after, 'zhida_search_leg_duration_seconds_count', { leg: 'keyword' }) - value(before, 'zhida_search_leg_duration_seconds_count', { leg: 'keyword' })).toBe(3);
    // The embedded database runs on its own thread: its calls are timed, queue wait included.
    expect(value(after, 'zhida_db_thread_call_duration_seconds_count', { op: 'query' })).toBeGreaterThan(0);
    expect(after.some((x) => x.name === 'zhida_db_thread_calls_in_flight')).toBe(true);
    expect(value(after, 'zhida_http_requests_total', { route: '/api/v1/search', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(3);
    // Route patterns, not raw paths: both answer ids land on one series per status.
    expect(value(after, 'zhida_http_requests_total', { route: '/api/v1/answers/:id', method: 'GET', status: '200' })).toBe(1);
    expect(value(after, 'zhida_http_requests_total', { route: '/api/v1/answers/:id', method: 'GET', status: '404' })).toBe(1);
    expect(after.some((s) => s.labels.route?.includes(id))).toBe(false);
    expect(value(after, 'zhida_http_request_duration_seconds_count', { route: '/api/v1/search', status_class: '2xx' })).toBeGreaterThanOrEqual(3);
    // Process metrics and the scrape-time gauges over the database and the model.
    expect(value(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(after.some((s) => s.name === 'zhida_embedding_queue_jobs' && s.labels.state === 'pending')).toBe(true);
    expect(value(after, 'zhida_embedding_model_ready', { state: 'unavailable' })).toBe(1);
    // The buffered search log's tallies: the searches above were recorded, none dropped.
    await zhida.ctx.searchLog.flush();
    const flushed = await scrape();
    expect(value(flushed, 'zhida_search_log_written_total')).toBeGreaterThanOrEqual(3);
    expect(value(flushed, 'zhida_search_log_dropped_total')).toBe(0);
    expect(flushed.some((s) => s.name === 'zhida_search_log_buffered')).toBe(true);
    // The in-memory engine's size and change-feed position: the 5 fixture answers, built and caught up.
    expect(value(flushed, 'zhida_search_engine_answers')).toBe(5);
    expect(value(flushed, 'zhida_search_engine_postings')).toBeGreaterThan(0);
    expect(value(flushed, 'zhida_search_engine_ready')).toBe(1);
    expect(value(flushed, 'zhida_search_engine_seq')).toBeGreaterThan(0);
    expect(flushed.some((s) => s.name === 'zhida_search_engine_lag_seconds')).toBe(true);
  });

  it('counts bot hand-offs by reason', async () => {
    const before = await scrape();
    const turn = async (query: string, sessionId?: string) =>
      (await (await zhida.api('/api/v1/bot/answer', { method: 'POST', json: { query, sessionId } })).json()) as { sessionId: string; handoff: boolean; reason: string | null };
    const answered = await turn('信用卡丢了怎么挂失');
    expect(answered.handoff).toBe(false);
    const asked = await turn('还是转人工吧', answered.sessionId);
    expect(asked).toMatchObject({ handoff: true, reason: 'customer_request' });
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);
    expect(delta('zhida_bot_turns_total', { outcome: 'answered' })).toBe(1);
    expect(delta('zhida_bot_turns_total', { outcome: 'handoff' })).toBe(1);
    expect(delta('zhida_bot_handoffs_total', { reason: 'customer_request' })).toBe(1);
    expect(delta('zhida_search_duration_seconds_count', { source: 'bot' })).toBe(2);
  });

  it('serves the same metrics on the separate metrics listener', async () => {
    expect(zhida.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect((await fetch(zhida.metricsUrl!)).status).toBe(401);
    const res = await fetch(zhida.metricsUrl!, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(parseExposition(await res.text()).some((s) => s.name === 'zhida_http_requests_total')).toBe(true);
    // The metrics listener serves nothing else.
    expect((await fetch(new URL('/api/v1/search', zhida.metricsUrl))).status).toBe(404);
  });
});

describe('GET /metrics without a scrape token', () => {
  it('is off on the main port, and open on a separate listener', async () => {
    const zhida = await startTestServer({ ZHIDA_METRICS_PORT: '0' });
    try {
      expect((await zhida.api('/metrics')).status).toBe(404);
      const res = await fetch(zhida.metricsUrl!);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('zhida_http_requests_total');
    } finally {
      await zhida.stop();
    }
  });
});
