import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';

/** What a backup holds, counted in the backup itself: the restore compares the restored database with it. */
export interface KnowledgeBaseCounts {
  answers: number;
  /** Answers with a live (published, not archived) version: what customers can find. */
  liveAnswers: number;
  versions: number;
  users: number;
  apiKeys: number;
  auditEntries: number;
  /** The hash of the newest audit entry: the restored chain must end on it. */
  auditHead: string | null;
  migrations: number;
}

export interface BackupManifest {
  format: 'zhida-backup';
  version: 1;
  kind: 'pglite';
  createdAt: string;
  /** SHA-256 (hex) of the database archive that follows the manifest. */
  sha256: string;
  bytes: number;
  counts: KnowledgeBaseCounts;
  /** The audit chain of the snapshot was checked when the backup was written. */
  auditChecked: number;
}

export async function knowledgeBaseCounts(db: Db): Promise<KnowledgeBaseCounts> {
  const [row] = await queryRows<{ counts: string }>(db, sql`select json_build_object(
    'answers', (select count(*) from answers),
    'liveAnswers', (select count(*) from answers where live_version_id is not null and archived_at is null),
    'versions', (select count(*) from answer_versions),
    'users', (select count(*) from users),
    'apiKeys', (select count(*) from api_keys),
    'auditEntries', (select count(*) from audit_log),
    'auditHead', (select hash from audit_log order by id desc limit 1),
    'migrations', (select count(*) from drizzle.__drizzle_migrations)
  )::text as counts`);
  return JSON.parse(row!.counts) as KnowledgeBaseCounts;
}

/** The differences between what a backup says it holds and what a database holds (empty = same). */
export function countDifferences(expected: KnowledgeBaseCounts, actual: KnowledgeBaseCounts): string[] {
  return (Object.keys(expected) as (keyof KnowledgeBaseCounts)[])
    .filter((k) => k !== 'migrations' && expected[k] !== actual[k])
    .map((k) => `${k}: backup ${expected[k]}, restored ${actual[k]}`);
}
