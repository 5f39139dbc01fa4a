import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../logger.ts';
import { rowsOf } from '../../db/rows.ts';
import { analyseSynonymGroups } from '../synonyms.ts';
import { FEED_CHANNEL, localWriteEpoch } from './feed.ts';
import { KeywordEngine, type EngineAnswer, type IndexStats, type SearchIndex } from './keyword-engine.ts';
import { loadAnswerPage, loadAnswers, loadSynonymGroups } from './load.ts';

/** What /readyz, index status and the metrics show about this node's search engine. */
export interface SearchEngineStatus extends IndexStats {
  /** Built, the last catch-up succeeded, and it was at most READY_LAG_MS ago. */
  ready: boolean;
  /** Every change up to this sequence is applied. */
  seq: number;
  /** Highest change sequence seen (and applied). */
  headSeq: number;
  /** Sequence numbers below headSeq not seen yet: transactions still open, or rolled back (resolved once they end). */
  openGaps: number;
  /** Milliseconds since the engine was last known to be caught up with the database. */
  lagMs: number;
  buildMs: number | null;
  builtAt: string | null;
  /** How the node follows the feed: 'listen' (LISTEN/NOTIFY + polling) or 'poll'. */
  follow: 'listen' | 'poll' | 'none';
  lastError: string | null;
  /** Process RSS in bytes (the engine is most of it). */
  rssBytes: number;
}

/** A node is ready when its index caught up with the feed at most this long ago. */
export const READY_LAG_MS = 5_000;
/** Fallback polling period: other nodes' changes arrive within this even without NOTIFY. */
export const POLL_MS = 500;
/** Feed rows read per round trip while catching up. */
const FEED_PAGE = 5_000;
/** At start, sequence holes this far below the head are watched (transactions open during the snapshot). */
const START_GAP_WINDOW = 10_000;
const SNAPSHOT_PAGE = 2_000;

interface FeedRow {
  xmin: string;
  xmax: string;
  seq: string | null;
  answer_id: string | null;
  kind: string | null;
}

/**
 * One process's search engine over one database: built from a snapshot read, then kept current by
 * the change feed (search_changes).
 *
 * Ordering: sequence values commit out of order on a server (a transaction can draw seq 4, stay
 * open, and commit after another committed seq 5). So the follower does not trust `seq > last`:
 * it keeps the highest seq applied (head) and the gaps below it, reads rows above the head or filling
 * a gap, and records each new hole below the highest seq seen as a gap, stamped with the xmax of the snapshot
 * that saw it. The transaction that holds a gap's seq was running then (it drew the seq after its
 * first write, so it had an xid below that xmax); once a later poll's snapshot xmin passes the stamp,
 * every such transaction has ended, and a seq still absent was rolled back: the gap is closed. Applying
 * a row re-reads the answer's current state, so applying twice or late is harmless.
 */
export class SearchRuntime {
  readonly db: Db;
  engine: SearchIndex = new KeywordEngine();
  private synonyms: string[][][] = [];
  private floor = 0;
  private head = 0;
  private gaps = new Map<number, bigint>();
  private built: Promise<void> | null = null;
  private buildMs: number | null = null;
  private builtAt: Date | null = null;
  private caughtUpAt = 0;
  private lastError: string | null = null;
  private seenEpoch = -1;
  private current: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private listener: postgres.Sql | null = null;
  private follow: SearchEngineStatus['follow'] = 'none';
  private log?: Logger;

  constructor(db: Db) {
    this.db = db;
  }

  /** Builds the index once (concurrent callers share the build). */
  whenBuilt(): Promise<void> {
    return (this.built ??= this.build().catch((err) => {
      this.built = null;
      throw err;
    }));
  }

  /** Synonym groups as analysed term sequences (for query expansion). */
  synonymGroups(): string[][][] {
    return this.synonyms;
  }

  private async build(): Promise<void> {
    const started = performance.now();
    this.seenEpoch = localWriteEpoch();
    const engine = new KeywordEngine();
    let head = 0;
    const gaps = new Map<number, bigint>();
    let synonyms: string[][] = [];
    const pages: EngineAnswer[][] = [];
    // One consistent snapshot: the feed position and the data it covers.
    await this.db.transaction(
      async (tx) => {
        const [pos] = rowsOf<{ head: string; xmax: string }>(
          await tx.execute(sql`select coalesce(max(seq), 0)::text as head, pg_snapshot_xmax(pg_current_snapshot())::text as xmax from search_changes`),
        );
        head = Number(pos!.head);
        const lo = Math.max(head - START_GAP_WINDOW, 0);
        const holes = rowsOf<{ s: string }>(
          await tx.execute(
            sql`select s::text as s from generate_series(${lo + 1}::bigint, ${head}::bigint) s where not exists (select 1 from search_changes c where c.seq = s)`,
          ),
        );
        for (const h of holes) gaps.set(Number(h.s), BigInt(pos!.xmax));
        synonyms = await loadSynonymGroups(tx);
        let after: string | null = null;
        for (;;) {
          const page = await loadAnswerPage(tx, after, SNAPSHOT_PAGE);
          pages.push(page.answers);
          if (!page.last || page.answers.length < SNAPSHOT_PAGE) break;
          after = page.last;
        }
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
    // Text analysis (the slow part) after the snapshot transaction, so it does not hold the database.
    for (const page of pages) engine.index(page);
    this.engine = engine;
    this.synonyms = analyseSynonymGroups(synonyms);
    this.head = head;
    this.gaps = gaps;
    this.floor = gaps.size ? Math.min(...gaps.keys()) - 1 : head;
    this.caughtUpAt = Date.now();
    this.buildMs = Math.round(performance.now() - started);
    this.builtAt = new Date();
    this.log?.info({ ...engine.stats(), seq: head, ms: this.buildMs }, 'search engine built');
  }

  /**
   * Catches up with the feed now. Concurrent calls coalesce: a call made while a catch-up runs
   * waits for one that starts after it (so it sees every change committed before the call).
   */
  sync(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.current.then(() => {
      this.queued = null;
      return this.catchUp();
    });
    this.queued = next;
    this.current = next.catch(() => {});
    return next;
  }

  /** Catches up if this process wrote to the feed since the last catch-up (cheap no-op otherwise). */
  async syncLocalWrites(): Promise<void> {
    await this.whenBuilt();
    const e = localWriteEpoch();
    if (e === this.seenEpoch) return;
    await this.sync();
  }

  private async catchUp(): Promise<void> {
    await this.whenBuilt();
    // Recorded only once this catch-up has finished: a search must not skip its own catch-up while
    // one that started after the write is still applying it.
    const epoch = localWriteEpoch();
    const started = Date.now();
    try {
      for (;;) {
        const more = await this.pollOnce();
        if (!more) break;
      }
      this.seenEpoch = epoch;
      this.caughtUpAt = started;
      this.lastError = null;
    } catch (err) {
      this.lastError = (err as Error).message;
      throw err;
    }
  }

  /** One feed page: applies rows above the head and rows filling gaps, tracks gaps, advances the floor. Returns whether more rows wait. */
  private async pollOnce(): Promise<boolean> {
    const gapList = [...this.gaps.keys()].map(String);
    const rows = rowsOf<FeedRow>(
      await this.db.execute(sql`
        select s.xmin, s.xmax, c.seq, c.answer_id, c.kind
        from (select pg_snapshot_xmin(pg_current_snapshot())::text as xmin, pg_snapshot_xmax(pg_current_snapshot())::text as xmax) s
        left join lateral (
          select seq::text as seq, answer_id::text as answer_id, kind from search_changes
          where seq > ${this.head} or seq = any(${sql.param(gapList)}::bigint[])
          order by seq limit ${FEED_PAGE}
        ) c on true`),
    );
    const xmin = BigInt(rows[0]!.xmin);
    const xmax = BigInt(rows[0]!.xmax);
    const present = new Set<number>();
    const answerIds = new Set<string>();
    let synonyms = false;
    for (const r of rows) {
      if (r.seq === null) continue;
      present.add(Number(r.seq));
      if (r.kind === 'synonyms') synonyms = true;
      else if (r.answer_id) answerIds.add(r.answer_id);
    }
    if (synonyms) this.synonyms = analyseSynonymGroups(await loadSynonymGroups(this.db));
    if (answerIds.size) await this.apply([...answerIds]);
    const before = this.head;
    const maxSeen = Math.max(before, ...present);
    for (const s of present) this.gaps.delete(s);
    // Holes between the old head and the highest seq seen now: open transactions or rollbacks.
    for (let s = before + 1; s < maxSeen; s++) if (!present.has(s)) this.gaps.set(s, xmax);
    // A gap whose watchers have all ended (snapshot xmin past its stamp) and that is still empty was rolled back.
    for (const [s, stamp] of this.gaps) if (xmin >= stamp && !present.has(s)) this.gaps.delete(s);
    this.head = maxSeen;
    this.floor = this.gaps.size ? Math.min(...this.gaps.keys()) - 1 : this.head;
    return rows.length >= FEED_PAGE;
  }

  private async apply(answerIds: string[]): Promise<void> {
    const loaded = new Map((await loadAnswers(this.db, answerIds)).map((a) => [a.answerId, a]));
    const answers: EngineAnswer[] = answerIds.map((id) => loaded.get(id) ?? { answerId: id, externalId: null, versions: [] });
    this.engine.index(answers);
  }

  /**
   * Follows the feed: polling every POLL_MS, and on a server also LISTEN (a dedicated connection)
   * so a change on another node is applied within milliseconds of its commit.
   */
  async startFollowing(opts: { url?: string; log?: Logger } = {}): Promise<void> {
    this.log = opts.log;
    await this.whenBuilt();
    this.timer = setInterval(() => {
      this.sync().catch((err) => this.log?.debug({ err: (err as Error).message }, 'search feed poll failed'));
    }, POLL_MS);
    this.timer.unref();
    this.follow = 'poll';
    if (opts.url) {
      const listener = postgres(opts.url, { max: 1, onnotice: () => {}, idle_timeout: 0, connect_timeout: 5 });
      this.listener = listener;
      try {
        await listener.listen(
          FEED_CHANNEL,
          () => void this.sync().catch(() => {}),
          () => void this.sync().catch(() => {}),
        );
        this.follow = 'listen';
      } catch (err) {
        this.log?.warn({ err: (err as Error).message }, 'search feed: LISTEN failed, polling only');
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const l = this.listener;
    this.listener = null;
    this.follow = 'none';
    await l?.end({ timeout: 1 }).catch(() => {});
    await this.current;
  }

  status(): SearchEngineStatus {
    const lagMs = this.builtAt ? Math.max(0, Date.now() - this.caughtUpAt) : 0;
    return {
      ...this.engine.stats(),
      // After a failed catch-up (lost database) not ready until a catch-up succeeds again.
      ready: this.builtAt !== null && this.lastError === null && lagMs <= READY_LAG_MS,
      seq: this.floor,
      headSeq: this.head,
      openGaps: this.gaps.size,
      lagMs,
      buildMs: this.buildMs,
      builtAt: this.builtAt?.toISOString() ?? null,
      follow: this.follow,
      lastError: this.lastError,
      rssBytes: process.memoryUsage.rss(),
    };
  }
}

const runtimes = new WeakMap<Db, SearchRuntime>();

/** This process's search engine for a database (built on first use). */
export function searchRuntime(db: Db): SearchRuntime {
  let r = runtimes.get(db);
  if (!r) runtimes.set(db, (r = new SearchRuntime(db)));
  return r;
}

/** The status function the metrics and /readyz read; null when no engine exists for this database yet. */
export function searchEngineStatus(db: Db): SearchEngineStatus | null {
  return runtimes.get(db)?.status() ?? null;
}
