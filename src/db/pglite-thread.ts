import { Worker } from 'node:worker_threads';
import { protocol, type PGlite, type QueryOptions, type Results } from '@electric-sql/pglite';
import { dbThreadCallDuration } from '../metrics/catalog.ts';
import { gaugeAtScrape } from '../metrics/registry.ts';

const openThreads = new Set<PgliteThread>();
// Calls waiting for or running on the database thread: one statement runs at a time, so a deep queue
// means requests wait for the database (an import batch, a slow query).
gaugeAtScrape({ name: 'zhida_db_thread_calls_in_flight', help: 'Calls queued on or running in the embedded database thread (PGlite)' }, (set) =>
  set([...openThreads].reduce((n, t) => n + t.inFlight, 0)),
);

/**
 * PGlite running on its own worker thread (src/db/pglite-worker.mjs), reached by message passing.
 *
 * PGlite is Postgres compiled to WebAssembly: while it runs a statement it holds the thread, so on
 * the HTTP thread every import batch or slow query froze every other request. This class gives the
 * main thread the part of PGlite's interface that drizzle's pglite driver uses (`query`, `exec`,
 * `transaction`), so the domain code keeps the same `Db`. Semantics match in-process PGlite: one
 * statement at a time, and a transaction holds the database until it commits or rolls back
 * (statements from outside it wait, exactly as they do in-process).
 */
export class PgliteThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: unknown) => void; op: string; started: number }>();
  #nextId = 0;
  #nextTx = 0;

  /** Calls sent to the thread and not answered yet (the metric zhida_db_thread_calls_in_flight). */
  get inFlight(): number {
    return this.#pending.size;
  }
  #stopped: Error | undefined;
  #exited: Promise<void>;

  private constructor(worker: Worker) {
    this.#worker = worker;
    this.#exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    openThreads.add(this);
    worker.on('message', (msg: Reply) => {
      if (!('id' in msg)) return;
      const call = this.#pending.get(msg.id);
      if (!call) return;
      this.#pending.delete(msg.id);
      if (this.#pending.size === 0) worker.unref();
      dbThreadCallDuration.observe({ op: call.op }, (performance.now() - call.started) / 1000);
      if (msg.ok) call.resolve(msg.result);
      else call.reject(toError(msg.error));
    });
    const stop = (err: Error) => {
      this.#stopped ??= err;
      for (const call of this.#pending.values()) call.reject(this.#stopped);
      this.#pending.clear();
      openThreads.delete(this);
    };
    worker.on('error', (err) => stop(new Error(`The embedded database thread failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => stop(new Error(`The embedded database thread has stopped (exit code ${code})`)));
  }

  /** Starts the thread and opens PGlite in `dataDir` (undefined: in memory) with the extensions the migrations need. */
  static async start(dataDir?: string): Promise<PgliteThread> {
    // No inherited loader flags (tsx, vitest): the worker is plain JavaScript and should start lean.
    const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), { workerData: { dataDir }, execArgv: [] });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (msg: Reply) => {
        if (!('init' in msg)) return;
        cleanup();
        if (msg.init === 'ready') resolve();
        else {
          void worker.terminate();
          reject(toError(msg.error));
        }
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`The embedded database thread exited while starting (exit code ${code})`));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
    worker.unref(); // idle, it must not keep the process alive; `call` refs it while a request is out
    return new PgliteThread(worker);
  }

  #call<T>(request: Request, transfer?: ArrayBuffer[]): Promise<T> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = ++this.#nextId;
    return new Promise<T>((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, op: request.op, started: performance.now() });
      try {
        this.#worker.postMessage({ ...request, id }, transfer);
      } catch (err) {
        // A parameter the structured clone cannot carry (a function, a class with private state).
        this.#pending.delete(id);
        if (this.#pending.size === 0) this.#worker.unref();
        reject(err);
      }
    });
  }

  async query<T>(sql: string, params: unknown[] = [], options: QueryOptions = {}, txId?: number): Promise<Results<T>> {
    if (options.serializers || options.blob) throw new Error('PgliteThread.query: serializers and blob are not supported across threads');
    // Parser functions cannot cross threads: the worker leaves those types as text and they run here.
    const parsers = options.parsers;
    const rawTypes = parsers ? Object.keys(parsers).map(Number) : undefined;
    const result = await this.#call<Results<T>>({ op: 'query', txId, sql, params, rowMode: options.rowMode, paramTypes: options.paramTypes, rawTypes });
    if (parsers) applyParsers(result, parsers, options.rowMode ?? 'object');
    return result;
  }

  async exec(sql: string, _options?: unknown, txId?: number): Promise<Results[]> {
    return this.#call<Results[]>({ op: 'exec', txId, sql });
  }

  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws or calls `tx.rollback()`. */
  async transaction<T>(fn: (tx: PgliteThreadTransaction) => Promise<T>): Promise<T> {
    const txId = ++this.#nextTx;
    await this.#call({ op: 'begin', txId });
    let closed = false;
    const ensureOpen = () => {
      if (closed) throw new Error('Transaction is closed');
    };
    const tx: PgliteThreadTransaction = {
      query: async <R>(sql: string, params?: unknown[], options?: QueryOptions) => {
        ensureOpen();
        return this.query<R>(sql, params, options, txId);
      },
      exec: async (sql: string) => {
        ensureOpen();
        return this.exec(sql, undefined, txId);
      },
      rollback: async () => {
        ensureOpen();
        closed = true;
        await this.#call({ op: 'rollback', txId });
      },
      get closed() {
        return closed;
      },
    };
    let result: T;
    try {
      result = await fn(tx);
    } catch (err) {
      if (!closed) {
        closed = true;
        await this.#call({ op: 'rollback', txId }).catch(() => {});
      }
      throw err;
    }
    if (!closed) {
      closed = true;
      await this.#call({ op: 'commit', txId });
    }
    return result;
  }

  /** A tarball of the data directory (PGlite `dumpDataDir`), taken on the database thread between statements. */
  async dumpDataDir(compression: 'gzip' | 'none' = 'gzip'): Promise<Uint8Array<ArrayBuffer>> {
    return this.#call<Uint8Array<ArrayBuffer>>({ op: 'dump', compression });
  }

  /** Closes PGlite (flushing the data directory) and ends the thread. */
  async close(): Promise<void> {
    if (!this.#stopped) {
      await this.#call({ op: 'close' }).catch((err) => {
        void this.#worker.terminate();
        throw err;
      });
    }
    this.#worker.ref(); // wait for the thread to end even when nothing else keeps the process alive
    await this.#exited;
  }

  /** For drizzle's pglite driver, which types its client as PGlite but only calls query/exec/transaction. */
  asPglite(): PGlite {
    return this as unknown as PGlite;
  }
}

export interface PgliteThreadTransaction {
  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  exec(sql: string): Promise<Results[]>;
  rollback(): Promise<void>;
  readonly closed: boolean;
}

type Request =
  | { op: 'query'; txId?: number; sql: string; params: unknown[]; rowMode?: 'array' | 'object'; paramTypes?: number[]; rawTypes?: number[] }
  | { op: 'exec'; txId?: number; sql: string }
  | { op: 'begin' | 'commit' | 'rollback'; txId: number }
  | { op: 'dump'; compression: 'gzip' | 'none' }
  | { op: 'close' };

interface SerialisedError {
  message: string;
  stack?: string;
  database?: boolean;
  fields: Record<string, string | number>;
}

type Reply = { init: 'ready' } | { init: 'failed'; error: SerialisedError } | { id: number; ok: true; result: unknown } | { id: number; ok: false; error: SerialisedError };

/** Rebuilds the worker's error on this thread: a Postgres error stays a DatabaseError with its code, constraint, detail. */
function toError(e: SerialisedError): Error {
  const err: Error = e.database ? new protocol.messages.DatabaseError(e.message, Number(e.fields.length ?? 0), 'error') : new Error(e.message);
  const { name: _name, length: _length, ...fields } = e.fields;
  Object.assign(err, fields);
  if (e.stack && !e.database) err.stack = `${err.stack}\n    --- on the database thread ---\n${e.stack.split('\n').slice(1).join('\n')}`;
  return err;
}

function applyParsers(result: Results<unknown>, parsers: NonNullable<QueryOptions['parsers']>, rowMode: 'array' | 'object') {
  const columns: [key: string | number, parse: (value: string, typeId: number) => unknown, typeId: number][] = [];
  result.fields.forEach((field, i) => {
    const parse = parsers[field.dataTypeID];
    if (parse) columns.push([rowMode === 'array' ? i : field.name, parse, field.dataTypeID]);
  });
  if (columns.length === 0) return;
  for (const row of result.rows as Record<string | number, unknown>[]) {
    for (const [key, parse, typeId] of columns) {
      const value = row[key];
      if (value !== null && value !== undefined) row[key] = parse(value as string, typeId);
    }
  }
}
