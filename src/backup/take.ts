import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { Database } from '../db/client.ts';
import { sha256Hex } from './file.ts';
import { snapshotEmbedded } from './snapshot.ts';

/** An online snapshot of the embedded database, recorded in the audit trail (size and checksum). */
export async function takeSnapshot(database: Database, actor: AuditActor): Promise<{ archive: Uint8Array<ArrayBuffer>; sha256: string }> {
  const archive = await snapshotEmbedded(database);
  const sha256 = sha256Hex(archive);
  await database.db.transaction(async (tx) => recordAudit(tx, actor, { action: 'backup.snapshot', entityType: 'database', details: { bytes: archive.length, sha256 } }));
  return { archive, sha256 };
}
