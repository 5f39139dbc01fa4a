/**
 * A closed-loop HTTP load generator for the benchmarks: `concurrency` workers each send one request,
 * wait for the answer, send the next, over keep-alive connections (node:http, one socket per worker).
 * Every request is counted: ok, HTTP errors (status >= 400 or a body check that fails), connection
 * resets and timeouts; latencies are those of the ok requests.
 */
import http from 'node:http';
import { percentile } from '../eval/metrics.ts';

export interface LoadResult {
  n: number;
  ok: number;
  errors: number;
  resets: number;
  timeouts: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** ok requests per second of wall time. */
  rps: number;
  seconds: number;
  /** Per-request values the check returned (e.g. the server's own tookMs), for in-process figures. */
  values: number[];
}

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

export interface HttpClient {
  request(spec: RequestSpec): Promise<{ status: number; body: string }>;
  close(): void;
}

export function httpClient(baseUrl: string, token: string | undefined, maxSockets: number, timeoutMs = 60_000): HttpClient {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  return {
    request(spec) {
      return new Promise((resolve, reject) => {
        const payload = spec.body === undefined ? undefined : Buffer.from(JSON.stringify(spec.body));
        const req = http.request(
          {
            host: url.hostname,
            port: url.port,
            method: spec.method,
            path: spec.path,
            agent,
            headers: {
              ...(token ? { authorization: `Bearer ${token}` } : {}),
              ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
            },
            timeout: timeoutMs,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
        req.on('error', reject);
        req.end(payload);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/**
 * Sends `items.length` requests at `concurrency`. `check` gets each answer and throws when it is
 * wrong (counted as an error); it may return a number kept in `values`.
 */
export async function runLoad<T>(
  client: HttpClient,
  items: readonly T[],
  concurrency: number,
  spec: (item: T) => RequestSpec,
  check: (res: { status: number; body: string }) => number | void = (r) => {
    if (r.status >= 400) throw new Error(`HTTP ${r.status}`);
  },
): Promise<LoadResult> {
  const latencies: number[] = [];
  const values: number[] = [];
  let errors = 0;
  let resets = 0;
  let timeouts = 0;
  let firstError: string | undefined;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        const t = performance.now();
        try {
          const res = await client.request(spec(item));
          const v = check(res);
          latencies.push(performance.now() - t);
          if (typeof v === 'number') values.push(v);
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code === 'ETIMEDOUT') timeouts++;
          else if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNREFUSED' || (err as Error).message === 'socket hang up') resets++;
          else errors++;
          firstError ??= `${code ?? ''} ${(err as Error).message}`;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (firstError) process.stderr.write(`  (first error: ${firstError})\n`);
  return {
    n: items.length,
    ok: latencies.length,
    errors,
    resets,
    timeouts,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.length ? Math.max(...latencies) : NaN,
    rps: latencies.length / seconds,
    seconds,
    values,
  };
}

/** Keeps sending requests at `concurrency` until `until` resolves (load beside another activity). */
export async function loadUntil(client: HttpClient, until: Promise<unknown>, concurrency: number, spec: (i: number) => RequestSpec, check?: (res: { status: number; body: string }) => number | void) {
  let done = false;
  void until.finally(() => (done = true));
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let i = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!done) {
        const t = performance.now();
        try {
          const res = await client.request(spec(i++));
          if (check) check(res);
          else if (res.status >= 400) throw new Error(`HTTP ${res.status}`);
          latencies.push(performance.now() - t);
        } catch (err) {
          errors++;
          firstError ??= (err as Error).message;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (firstError) process.stderr.write(`  (first error: ${firstError})\n`);
  return { n: latencies.length + errors, errors, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies.length ? Math.max(...latencies) : NaN, rps: latencies.length / seconds };
}
