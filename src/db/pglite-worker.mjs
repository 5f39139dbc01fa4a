// @ts-check
// The embedded database's own thread: it owns PGlite and answers query/exec/transaction messages
// from src/db/pglite-thread.ts, so that Postgres (compiled to WebAssembly, synchronous while it
// runs) never blocks the HTTP server's event loop. Plain JavaScript on purpose: a worker thread
// does not inherit the TypeScript loader under `tsx` or vitest, and this file only needs PGlite.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, protocol } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { vector } from '@electric-sql/pglite-pgvector';

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
/** @type {{ dataDir?: string }} */
const options = workerData ?? {};

/** Error fields worth carrying to the main thread (pg-protocol's DatabaseError); parameters stay here. */
const ERROR_FIELDS = ['name', 'length', 'severity', 'code', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery', 'where', 'schema', 'table', 'column', 'dataType', 'constraint', 'file', 'line', 'routine', 'query'];

/** @param {unknown} err */
function serialiseError(err) {
  if (!(err instanceof Error)) return { message: String(err), fields: {} };
  /** @type {Record<string, unknown>} */
  const fields = {};
  for (const key of ERROR_FIELDS) {
    const value = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (err))[key];
    if (value !== undefined && (typeof value === 'string' || typeof value === 'number')) fields[key] = value;
  }
  return { message: err.message, stack: err.stack, database: err instanceof protocol.messages.DatabaseError, fields };
}

/** @param {number[] | undefined} rawTypes Type OIDs whose values go back as text: the caller applies its own parsers. */
function queryOptions(rawTypes, rowMode, paramTypes) {
  /** @type {import('@electric-sql/pglite').QueryOptions} */
  const opts = {};
  if (rowMode) opts.rowMode = rowMode;
  if (paramTypes) opts.paramTypes = paramTypes;
  if (rawTypes?.length) opts.parsers = Object.fromEntries(rawTypes.map((oid) => [oid, (/** @type {string} */ v) => v]));
  return opts;
}

/**
 * Open transactions by id. PGlite runs a transaction as a callback holding its transaction mutex;
 * the callback here waits for the main thread's commit or rollback message.
 * @type {Map<number, { tx: import('@electric-sql/pglite').Transaction, commit: () => void, rollback: (e: unknown) => void, finished: Promise<unknown> }>}
 */
const transactions = new Map();
const ROLLBACK = Symbol('rollback');

const db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir, extensions: { vector, pg_trgm } } : { extensions: { vector, pg_trgm } }).catch((err) => {
  port.postMessage({ init: 'failed', error: serialiseError(err) });
  return undefined;
});

/** @param {number} txId */
function transactionOf(txId) {
  const entry = transactions.get(txId);
  if (!entry) throw new Error(`Transaction ${txId} is not open`);
  return entry;
}

/** @param {any} msg */
async function handle(msg) {
  if (!db) throw new Error('The embedded database did not start');
  switch (msg.op) {
    case 'query': {
      const target = msg.txId ? transactionOf(msg.txId).tx : db;
      return target.query(msg.sql, msg.params ?? [], queryOptions(msg.rawTypes, msg.rowMode, msg.paramTypes));
    }
    case 'exec': {
      const target = msg.txId ? transactionOf(msg.txId).tx : db;
      return target.exec(msg.sql);
    }
    case 'begin': {
      const txId = /** @type {number} */ (msg.txId);
      await new Promise((opened, failed) => {
        const finished = db.transaction(
          (tx) =>
            new Promise((commit, rollback) => {
              transactions.set(txId, { tx, commit: () => commit(undefined), rollback, finished });
              opened(undefined);
            }),
        );
        finished.catch(failed); // BEGIN itself failed (before `opened`); afterwards this is a no-op
      });
      return null;
    }
    case 'commit': {
      const entry = transactionOf(msg.txId);
      transactions.delete(msg.txId);
      entry.commit();
      await entry.finished;
      return null;
    }
    case 'rollback': {
      const entry = transactionOf(msg.txId);
      transactions.delete(msg.txId);
      entry.rollback(ROLLBACK);
      await entry.finished.catch((err) => {
        if (err !== ROLLBACK) throw err;
      });
      return null;
    }
    case 'dump': {
      // Under PGlite's transaction lock: the copy falls between transactions (all committed work, nothing half-done).
      const file = await db._runExclusiveTransaction(() => db.dumpDataDir(msg.compression ?? 'gzip'));
      return new Uint8Array(await file.arrayBuffer());
    }
    case 'close': {
      await db.close();
      return null;
    }
    default:
      throw new Error(`Unknown operation ${msg.op}`);
  }
}

if (db) {
  port.on('message', (msg) => {
    handle(msg).then(
      (result) => {
        try {
          if (result instanceof Uint8Array) port.postMessage({ id: msg.id, ok: true, result }, [result.buffer]);
          else port.postMessage({ id: msg.id, ok: true, result });
        } catch (err) {
          // A value the structured clone cannot carry: the caller gets an error, the thread lives on.
          port.postMessage({ id: msg.id, ok: false, error: serialiseError(err) });
        }
        if (msg.op === 'close') port.close();
      },
      (err) => port.postMessage({ id: msg.id, ok: false, error: serialiseError(err) }),
    );
  });
  port.postMessage({ init: 'ready' });
}
