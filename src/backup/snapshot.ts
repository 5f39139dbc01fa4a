import type { Database } from '../db/client.ts';

export class SnapshotUnavailableError extends Error {}

/**
 * A consistent online snapshot of the embedded database: PGlite's data directory as a gzipped tar
 * (what `PGlite.create({ loadDataDir })` reads back). The database is not stopped; statements wait
 * while the directory is copied.
 *
 * Where the Database offers `snapshot()` (the PGlite worker thread) that is used. On an in-thread
 * PGlite the copy is taken under PGlite's transaction lock, so it falls between transactions: every
 * committed change, nothing half-done.
 */
export async function snapshotEmbedded(database: Database): Promise<Uint8Array<ArrayBuffer>> {
  const own = (database as Database & { snapshot?: () => Promise<Uint8Array<ArrayBuffer>> }).snapshot;
  if (own) return own.call(database);
  const pglite = database.pglite;
  if (!pglite) throw new SnapshotUnavailableError('Online snapshots are for the embedded database; with DATABASE_URL use pg_dump (see README).');
  const archive = await pglite._runExclusiveTransaction(() => pglite.dumpDataDir('gzip'));
  return new Uint8Array(await archive.arrayBuffer());
}
