import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { searchLog, type SearchSource } from '../db/schema/index.ts';
import type { Logger } from '../logger.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import type { SearchResponse } from './search-answers.ts';
import { searchDuration } from '../metrics/catalog.ts';

/** Who made a call, for the log and per-key analytics. */
export interface Caller {
  apiKeyId?: string;
  userId?: string;
}

export interface LogEntry {
  source: SearchSource;
  query: string;
  normalised: string;
  response: Pick<SearchResponse, 'results' | 'mode' | 'total'>;
  latencyMs: number;
  channel?: string | null;
  caller: Caller;
  sessionId?: string;
  handoff?: boolean;
}

/** Counters for /readyz, index status and metrics: how the log keeps up. */
export interface SearchLogStats {
  /** Entries waiting to be written (buffered or in a batch being written). */
  buffered: number;
  /** The buffer's bound: beyond it new entries are dropped, never waited for. */
  capacity: number;
  /** Entries written since start. */
  written: number;
  /** Entries dropped since start: the buffer was full, or a batch failed twice. */
  dropped: number;
  /** Batches whose insert failed (each is retried once). */
  failedBatches: number;
}

export interface SearchLogOptions {
  /** Buffered entries are written at most this long after they were recorded (<= 1 s). */
  flushMs?: number;
  /** At most this many entries wait in memory; more are counted and dropped. */
  capacity?: number;
  /** Rows per INSERT statement; a full batch is written at once, without waiting for the timer. */
  batchSize?: number;
  log?: Pick<Logger, 'warn'>;
}

type Row = typeof searchLog.$inferInsert & { id: string };

function rowOf(e: LogEntry, id: string, at: Date): Row {
  const top = e.response.results[0];
  return {
    id,
    at,
    source: e.source,
    query: e.query.slice(0, 2000),
    normalised: e.normalised.slice(0, 2000),
    mode: e.response.mode,
    resultIds: e.response.results.map((r) => r.answerId),
    resultCount: e.response.total,
    topScore: top?.score ?? null,
    topConfidence: top?.confidence ?? null,
    latencyMs: e.latencyMs,
    channel: e.channel ?? null,
    apiKeyId: e.caller.apiKeyId ?? null,
    userId: e.caller.userId ?? null,
    sessionId: e.sessionId ?? null,
    handoff: e.handoff ?? null,
  };
}

/**
 * Records every search, bot turn and assist call for analytics (src/analytics reads search_log)
 * without putting a database write on the request path: `record` returns the log id at once (made
 * here, so callers can hand it out for feedback and click events) and entries are written in
 * batches, one INSERT per batch, within `flushMs`. The buffer is bounded: when the database cannot
 * keep up, entries are counted and dropped rather than making requests wait or memory grow.
 * `flush()` writes what is waiting (feedback on a fresh id, analytics reads, shutdown).
 *
 * @example
 * const searchLog = new SearchLogWriter(db, { log });
 * const searchId = searchLog.record({ source: 'search', query, normalised, response, latencyMs, caller: {} });
 * await searchLog.close(); // on shutdown, before the database closes
 */
export class SearchLogWriter {
  private buffer: Row[] = [];
  private retries = new Set<string>();
  private inFlight = new Map<string, Row>();
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private counts = { written: 0, dropped: 0, failedBatches: 0 };
  private readonly flushMs: number;
  private readonly capacity: number;
  private readonly batchSize: number;

  constructor(
    private readonly db: Db,
    private readonly opts: SearchLogOptions = {},
  ) {
    this.flushMs = Math.min(opts.flushMs ?? 250, 1000);
    this.capacity = opts.capacity ?? 20_000;
    this.batchSize = opts.batchSize ?? 500;
  }

  /** Buffers one entry and returns its id; never waits for the database. */
  record(e: LogEntry): string {
    searchDuration.observe({ mode: e.response.mode, source: e.source }, e.latencyMs / 1000);
    const id = randomUUID();
    if (this.closed || this.buffer.length + this.inFlight.size >= this.capacity) {
      this.counts.dropped++;
      return id;
    }
    // Customers type card, ID and phone numbers into the chat: masked on the way in, so clear text
    // never waits in the buffer or reaches the database (src/privacy/mask.ts).
    this.buffer.push(rowOf({ ...e, query: maskPersonalData(e.query), normalised: maskPersonalData(e.normalised) }, id, new Date()));
    if (this.buffer.length >= this.batchSize) void this.flush();
    else this.schedule();
    return id;
  }

  /** True while the entry with this id is waiting to be written. */
  isPending(id: string): boolean {
    return this.inFlight.has(id) || this.buffer.some((r) => r.id === id);
  }

  /** Writes everything recorded so far; resolves when it is in the database (or counted as dropped). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer), (this.timer = undefined);
    const rows = this.buffer;
    this.buffer = [];
    for (const r of rows) this.inFlight.set(r.id, r);
    this.writing = this.writing.then(() => this.write(rows));
    return this.writing;
  }

  /** Stops taking entries and writes what is buffered (the shutdown path). */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  stats(): SearchLogStats {
    return { buffered: this.buffer.length + this.inFlight.size, capacity: this.capacity, ...this.counts };
  }

  private schedule() {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  private async write(rows: Row[]): Promise<void> {
    for (let i = 0; i < rows.length; i += this.batchSize) {
      const batch = rows.slice(i, i + this.batchSize);
      try {
        await this.db.insert(searchLog).values(batch);
        this.counts.written += batch.length;
      } catch (err) {
        this.counts.failedBatches++;
        // One retry per entry (the database may be restarting); after that, or without room, drop.
        const retry = batch.filter((r) => !this.retries.has(r.id) && !this.closed);
        for (const r of batch) if (this.retries.has(r.id)) this.retries.delete(r.id);
        const room = Math.max(0, this.capacity - this.buffer.length - this.inFlight.size + batch.length);
        const kept = retry.slice(0, room);
        for (const r of kept) this.retries.add(r.id);
        this.buffer.unshift(...kept);
        this.counts.dropped += batch.length - kept.length;
        this.opts.log?.warn({ err: (err as Error).message, rows: batch.length, retried: kept.length }, 'search log batch not written');
        if (kept.length) this.schedule();
      } finally {
        for (const r of batch) this.inFlight.delete(r.id);
      }
    }
  }
}
