import { ConfigError, loadConfig, type Config } from '../config.ts';
import { DataDirLockedError, openDatabase, type Database } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { DomainError } from '../errors.ts';

/** What to do instead when the running server holds the PGlite data dir. */
export const whileServerRuns = {
  transfer: 'While the server runs, import over HTTP instead: POST /api/v1/import (see README).',
  index: 'While the server runs, use GET /api/v1/index/status, or run the worker inside the server (ZHIDA_EMBED_WORKER=1).',
};

/** The CLI's one way out on a user error: the message on stderr, exit code 1, no stack trace. */
export function fail(message: string): never {
  console.error(`Error: ${message}`);
  process.exit(1);
}

/** The configuration from the environment, as `npm start` reads it; a bad value is a clear error. */
export function cliConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
}

/** Opens the configured database like `npm start` does and applies pending migrations. */
export async function openMigratedDatabase(config: Config): Promise<Database> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await runMigrations(database);
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}

/**
 * config -> open database -> migrate -> `work` -> close, with one error path: a PGlite data dir held
 * by a running server, or a domain error (duplicate email, unreadable file ...), is a message and
 * exit code 1; anything else is a bug and propagates. `whileServerRuns` says what to do instead
 * when the server holds the data dir.
 */
export async function withDatabase<T>(config: Config, work: (database: Database) => Promise<T>, whileServerRuns?: string): Promise<T> {
  let database: Database;
  try {
    database = await openMigratedDatabase(config);
  } catch (err) {
    if (err instanceof DataDirLockedError) fail(whileServerRuns ? `${err.message}\n${whileServerRuns}` : err.message);
    throw err;
  }
  try {
    return await work(database);
  } catch (err) {
    if (err instanceof DomainError) fail(err.message);
    throw err;
  } finally {
    await database.close();
  }
}
