import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { drizzle } from 'drizzle-orm/postgres-js';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import type { Database } from './client.ts';
import { rowsOf } from './rows.ts';

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

const MIGRATION_LOCK = 7271002;

/**
 * Applies pending migrations; drizzle records them in drizzle.__drizzle_migrations. On a server,
 * several API nodes may start at once: each takes a session advisory lock on a dedicated connection
 * first, so one migrates and the others then find nothing to do.
 */
export async function runMigrations(database: Database): Promise<void> {
  // drizzle's migrator types are driver-specific; both accept our Db at run time.
  if (database.kind === 'pglite') return migratePglite(database.db as never, { migrationsFolder });
  if (!database.url) return migratePostgres(database.db as never, { migrationsFolder });
  const client = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migratePostgres(drizzle(client), { migrationsFolder });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** The number of applied migrations, for /readyz. */
export async function appliedMigrations(database: Database): Promise<number> {
  const rows = await database.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return Number((rows as unknown as { rows?: { n: number }[] }).rows?.[0]?.n ?? (rows as unknown as { n: number }[])[0]?.n ?? 0);
}

export interface MigrationInfo {
  /** The journal tag, e.g. 0003_embedding_vectors_jobs (the SQL file name without .sql). */
  tag: string;
  /** drizzle's migration timestamp (journal `when`), stored as created_at when applied. */
  when: number;
}

/** This release's migrations, in order (migrations/meta/_journal.json). */
export function migrationJournal(): MigrationInfo[] {
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
  return journal.entries.map((e) => ({ tag: e.tag, when: e.when }));
}

/**
 * The migrations `runMigrations` would apply, without applying anything: drizzle applies every
 * journal entry newer than the newest one recorded in drizzle.__drizzle_migrations.
 */
export async function pendingMigrations(database: Database): Promise<{ applied: number; pending: MigrationInfo[] }> {
  // A database that was never migrated has no drizzle schema yet: everything is pending.
  const [exists] = rowsOf<{ t: string | null }>(await database.db.execute(sql`select to_regclass('drizzle.__drizzle_migrations')::text as t`));
  const rows = exists?.t
    ? rowsOf<{ n: number; last: string | null }>(await database.db.execute(sql`select count(*)::int as n, max(created_at)::text as last from drizzle.__drizzle_migrations`))
    : [{ n: 0, last: null }];
  const last = rows[0]?.last == null ? -Infinity : Number(rows[0].last);
  return { applied: rows[0]?.n ?? 0, pending: migrationJournal().filter((m) => m.when > last) };
}
