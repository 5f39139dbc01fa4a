import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { searchRuntime } from './engine/runtime.ts';
import { seedSynonyms } from './synonyms.ts';

/**
 * Start-up work for search: seed the bank synonym groups once, then build this process's in-memory
 * search engine from a snapshot of the database (src/search/engine/runtime.ts). With `follow`, the
 * engine then follows the change feed (polling, plus LISTEN on a server at `url`).
 */
export async function prepareSearch(db: Db, log?: Logger, follow?: { url?: string }): Promise<void> {
  await seedSynonyms(db);
  const runtime = searchRuntime(db);
  if (follow) await runtime.startFollowing({ url: follow.url, log });
  else await runtime.whenBuilt();
}

/** Stops following the feed (start.ts on shutdown). */
export async function stopSearch(db: Db): Promise<void> {
  await searchRuntime(db).stop();
}
