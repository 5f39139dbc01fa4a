import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { backfillSearchIndex } from './keyword-index.ts';
import { seedSynonyms } from './synonyms.ts';

/**
 * Start-up work for search: seed the bank synonym groups once, and heal the keyword index (index
 * any published version that is missing, e.g. rows written before the index existed or by an older
 * release). Cheap when nothing is missing.
 */
export async function prepareSearch(db: Db, log?: Logger): Promise<void> {
  await seedSynonyms(db);
  const started = performance.now();
  const fixed = await backfillSearchIndex(db);
  if (fixed > 0) log?.info({ answers: fixed, ms: Math.round(performance.now() - started) }, 'search index backfilled');
}
