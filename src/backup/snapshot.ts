import type { Database } from '../db/client.ts';
import { conflict } from '../errors.ts';

/**
 * A consistent online snapshot of the embedded database: PGlite's data directory as a gzipped tar
 * (what `PGlite.create({ loadDataDir })` reads back). The database is not stopped; statements wait
 * while the directory is copied. The copy is taken under PGlite's transaction lock (Database.snapshot,
 * on the database thread or in-process), so it falls between transactions: every committed change,
 * nothing half-done.
 */
export async function snapshotEmbedded(database: Database): Promise<Uint8Array<ArrayBuffer>> {
  if (!database.snapshot) throw conflict('Online snapshots are for the embedded database; with DATABASE_URL use pg_dump (see README).');
  return database.snapshot();
}
