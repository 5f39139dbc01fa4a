import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { vector } from '@electric-sql/pglite-pgvector';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.ts';
import { PgliteThread } from './pglite-thread.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** The one database type the domain code sees: the same for PGlite and postgres.js. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /**
   * The in-process PGlite instance, present only when the embedded database runs on this thread
   * (tests use it to serve the wire protocol). The server's embedded database runs on its own thread.
   */
  pglite?: PGlite;
  /** Present for a server: migrations open their own connection to hold a lock. */
  url?: string;
  /**
   * Embedded database only: a gzipped tarball of the whole data directory, consistent (taken between
   * statements, outside any transaction), for an online backup. PGlite can load it back with
   * `new PGlite({ loadDataDir })`, or unpack it as a data directory.
   */
  snapshot?(): Promise<Uint8Array<ArrayBuffer>>;
  close(): Promise<void>;
}

export { DataDirLockedError };

/** Starts PGlite with the extensions the migrations need; `dataDir` undefined means in memory. */
export async function createPglite(dataDir?: string): Promise<PGlite> {
  return PGlite.create(dataDir ? { dataDir, extensions: { vector, pg_trgm } } : { extensions: { vector, pg_trgm } });
}

/** PGlite on this thread: fastest to start, used by tests; it blocks this thread while it runs a statement. */
export function wrapPglite(pglite: PGlite, release: () => Promise<void> = async () => {}): Database {
  return {
    db: drizzlePglite(pglite, { schema }) as unknown as Db,
    kind: 'pglite',
    pglite,
    async snapshot() {
      // Under PGlite's transaction lock: the copy falls between transactions.
      const archive = await pglite._runExclusiveTransaction(() => pglite.dumpDataDir('gzip'));
      return new Uint8Array(await archive.arrayBuffer());
    },
    async close() {
      try {
        await pglite.close();
      } finally {
        await release();
      }
    },
  };
}

/**
 * PGlite on its own worker thread (src/db/pglite-thread.ts): the HTTP thread stays responsive while
 * the database works. The same drizzle `Db` as in-process; `dataDir` undefined means in memory.
 */
export async function openPgliteThread(dataDir?: string, release: () => Promise<void> = async () => {}): Promise<Database> {
  const thread = await PgliteThread.start(dataDir);
  return {
    db: drizzlePglite(thread.asPglite(), { schema }) as unknown as Db,
    kind: 'pglite',
    snapshot: () => thread.dumpDataDir('gzip'),
    async close() {
      try {
        await thread.close();
      } finally {
        await release();
      }
    },
  };
}

export function connectPostgres(url: string, options: { max?: number } = {}): Database {
  const sql = postgres(url, { max: options.max ?? 10, onnotice: () => {} });
  return {
    db: drizzlePostgres(sql, { schema }) as unknown as Db,
    kind: 'postgres',
    url,
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

/**
 * Opens the configured database: a PostgreSQL server when DATABASE_URL is set, otherwise PGlite in
 * `dataDir` on its own thread (`thread: false` keeps it on this one), guarded by a lock so a second
 * process gets a clear error instead of corrupting it.
 */
export async function openDatabase(opts: { databaseUrl?: string; dataDir: string; thread?: boolean }): Promise<Database> {
  if (opts.databaseUrl) return connectPostgres(opts.databaseUrl);
  const dir = path.resolve(opts.dataDir, 'pg');
  mkdirSync(dir, { recursive: true });
  const release = await lockDataDir(dir, path.resolve(opts.dataDir));
  try {
    return opts.thread === false ? wrapPglite(await createPglite(dir), release) : await openPgliteThread(dir, release);
  } catch (err) {
    await release();
    throw err;
  }
}
