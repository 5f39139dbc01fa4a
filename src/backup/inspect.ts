import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { vector } from '@electric-sql/pglite-pgvector';
import { verifyAuditChain } from '../audit/record.ts';
import { wrapPglite } from '../db/client.ts';
import { knowledgeBaseCounts, type KnowledgeBaseCounts } from './manifest.ts';

/** PGlite with the extensions the schema uses, loaded from an archive: in memory, or into `dataDir`. */
export function loadArchive(archive: Uint8Array<ArrayBuffer>, dataDir?: string): Promise<PGlite> {
  return PGlite.create({ ...(dataDir ? { dataDir } : {}), loadDataDir: new Blob([archive]), extensions: { vector, pg_trgm } });
}

/**
 * Opens a snapshot in memory and reads what it holds: proof that it opens, the counts for the
 * manifest, and the audit chain check. Runs where the backup is written (the CLI), not in the server.
 */
export async function inspectArchive(archive: Uint8Array<ArrayBuffer>): Promise<{ counts: KnowledgeBaseCounts; audit: { ok: boolean; checked: number; firstBadId?: number } }> {
  const database = wrapPglite(await loadArchive(archive));
  try {
    return { counts: await knowledgeBaseCounts(database.db), audit: await verifyAuditChain(database.db) };
  } finally {
    await database.close();
  }
}
