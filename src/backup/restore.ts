import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { recordAudit, verifyAuditChain } from '../audit/record.ts';
import { openDatabase, type Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import { runMigrations } from '../db/migrate.ts';
import type { Logger } from '../logger.ts';
import { prepareSearch } from '../search/start-up.ts';
import { searchAnswers } from '../search/search-answers.ts';
import { readBackupFile } from './file.ts';
import { loadArchive } from './inspect.ts';
import { countDifferences, knowledgeBaseCounts, type BackupManifest, type KnowledgeBaseCounts } from './manifest.ts';

export class RestoreRefusedError extends Error {}

export interface RestoreReport {
  ok: boolean;
  manifest: BackupManifest;
  counts: KnowledgeBaseCounts;
  /** Counts that differ from the backup's manifest (empty when all match). */
  differences: string[];
  audit: { ok: boolean; checked: number; firstBadId?: number; headMatches: boolean };
  /** A live answer searched for by its title: found among the results, or null when nothing is live. */
  search: { query: string; found: boolean } | null;
  migrationsApplied: number;
}

/** The embedded database's directory must not hold a database yet; a restore never overwrites one. */
export function assertEmptyDataDir(dataDir: string): void {
  const dir = path.resolve(dataDir, 'pg');
  if (existsSync(`${dir}.lock`)) throw new RestoreRefusedError(`${path.resolve(dataDir)} is in use by a Zhida process (lock ${dir}.lock): stop it, and restore into an empty directory.`);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new RestoreRefusedError(`${dir} already holds a database: restore only into an empty data directory (set ZHIDA_DATA_DIR to a new one).`);
  }
}

/**
 * Restores a backup file into an empty data directory, brings it to this release's schema, and
 * verifies it: counts against the manifest, the audit chain (and that it ends where the backup's
 * did), the search index rebuilt and a live answer found by its title. The restore is audited.
 */
export async function restoreBackup(bytes: Uint8Array, dataDir: string, opts: { log?: Logger; file?: string } = {}): Promise<RestoreReport> {
  const { manifest, archive } = readBackupFile(bytes);
  assertEmptyDataDir(dataDir);
  const dir = path.resolve(dataDir, 'pg');
  // Unpack into the directory, then open it the normal way (lock, migrations) like the server will.
  mkdirSync(dir, { recursive: true });
  await (await loadArchive(archive, dir)).close();
  const database = await openDatabase({ dataDir });
  try {
    const before = (await knowledgeBaseCounts(database.db)).migrations;
    await runMigrations(database);
    const counts = await knowledgeBaseCounts(database.db);
    const chain = await verifyAuditChain(database.db);
    const audit = { ...chain, headMatches: counts.auditHead === manifest.counts.auditHead };
    await prepareSearch(database.db, opts.log);
    const search = await findLiveAnswer(database.db);
    const differences = countDifferences(manifest.counts, counts);
    const ok = differences.length === 0 && audit.ok && audit.headMatches && (search === null || search.found);
    await database.db.transaction(async (tx) =>
      recordAudit(tx, { kind: 'system' }, {
        action: 'backup.restored',
        entityType: 'database',
        details: { file: opts.file ?? null, backupCreatedAt: manifest.createdAt, sha256: manifest.sha256, verified: ok, differences, auditChecked: chain.checked },
      }),
    );
    return { ok, manifest, counts, differences, audit, search, migrationsApplied: counts.migrations - before };
  } finally {
    await database.close();
  }
}

async function findLiveAnswer(db: Db): Promise<RestoreReport['search']> {
  const [live] = await queryRows<{ id: string; title: string }>(
    db,
    sql`select a.id, v.title from answers a join answer_versions v on v.id = a.live_version_id
        where a.archived_at is null order by a.updated_at desc limit 1`,
  );
  if (!live) return null;
  const response = await searchAnswers(db, { query: live.title, limit: 10 });
  return { query: live.title, found: response.results.some((r) => r.answerId === live.id) };
}
