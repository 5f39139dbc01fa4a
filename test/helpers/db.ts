import { createPglite, wrapPglite, type Database } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';

/** A fresh, migrated in-memory PGlite: the real database engine, nothing shared between suites. */
export async function createTestDatabase(): Promise<Database> {
  const database = wrapPglite(await createPglite());
  await runMigrations(database);
  return database;
}
