import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { vector } from '@electric-sql/pglite-pgvector';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import lockfile from 'proper-lockfile';
import postgres from 'postgres';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** The one database type the domain code sees: the same for PGlite and postgres.js. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Present for the embedded database (tests use it to serve the wire protocol). */
  pglite?: PGlite;
  /** Present for a server: migrations open their own connection to hold a lock. */
  url?: string;
  close(): Promise<void>;
}

export class DataDirLockedError extends Error {
  constructor(dir: string) {
    super(
      `The data directory ${dir} is in use by another Zhida process. ` +
        'Embedded PGlite allows one process per directory: stop the other process, choose another ZHIDA_DATA_DIR, ' +
        'or run several API nodes against a PostgreSQL server with DATABASE_URL.',
    );
  }
}

/** Starts PGlite with the extensions the migrations need; `dataDir` undefined means in memory. */
export async function createPglite(dataDir?: string): Promise<PGlite> {
  return PGlite.create(dataDir ? { dataDir, extensions: { vector, pg_trgm } } : { extensions: { vector, pg_trgm } });
}

export function wrapPglite(pglite: PGlite, release: () => Promise<void> = async () => {}): Database {
  return {
    db: drizzlePglite(pglite, { schema }) as unknown as Db,
    kind: 'pglite',
    pglite,
    async close() {
      await pglite.close();
      await release();
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
 * `dataDir`, guarded by a lock so a second process gets a clear error instead of corrupting it.
 */
export async function openDatabase(opts: { databaseUrl?: string; dataDir: string }): Promise<Database> {
  if (opts.databaseUrl) return connectPostgres(opts.databaseUrl);
  const dir = path.resolve(opts.dataDir, 'pg');
  mkdirSync(dir, { recursive: true });
  let release: () => Promise<void>;
  try {
    // A stale lock (a crashed process) is taken over once it has not been refreshed for 10 s.
    release = await lockfile.lock(dir, { stale: 10_000, update: 2_000, lockfilePath: `${dir}.lock` });
  } catch (err) {
    if ((err as { code?: string }).code === 'ELOCKED') throw new DataDirLockedError(path.resolve(opts.dataDir));
    throw err;
  }
  try {
    return wrapPglite(await createPglite(dir), release);
  } catch (err) {
    await release();
    throw err;
  }
}
