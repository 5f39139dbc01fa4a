import { createHash } from 'node:crypto';
import { asc, desc, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { auditLog } from '../db/schema/index.ts';
import type { Tx } from '../db/tx.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  action: string;
  entityType?: string;
  entityId?: string;
  details?: Record<string, unknown>;
}

/** The acting part of auth's Principal, written out so that audit does not depend on auth (auth records audit entries). */
export type AuditActor = { kind: 'user' | 'api_key' | 'master'; userId?: string; keyId?: string } | { kind: 'system' };

interface ChainFields {
  at: string;
  actorId: string | null;
  actorKind: 'user' | 'api_key' | 'master' | 'system';
  action: string;
  entityType: string | null;
  entityId: string | null;
  details: unknown;
}

/** Canonical JSON (sorted keys) so the hash does not depend on key order after a jsonb round trip. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function entryHash(prevHash: string, f: ChainFields): string {
  return createHash('sha256').update(prevHash).update(canonical(f)).digest('hex');
}

function actorFields(actor: AuditActor): { actorId: string | null; actorKind: ChainFields['actorKind'] } {
  if (actor.kind === 'system' || actor.kind === 'master') return { actorId: null, actorKind: actor.kind };
  if (actor.kind === 'api_key') return { actorId: actor.keyId ?? null, actorKind: 'api_key' };
  return { actorId: actor.userId ?? null, actorKind: 'user' };
}

/**
 * Appends one entry to the hash chain. Call it inside the transaction that makes the change, so the
 * entry exists exactly when the change does. An advisory lock serialises appends across
 * connections and API nodes, so the chain never forks.
 */
export async function recordAudit(tx: Tx, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(7271001)`);
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  const fields: ChainFields = {
    at: new Date().toISOString(),
    ...actorFields(actor),
    action: entry.action,
    entityType: entry.entityType ?? null,
    entityId: entry.entityId ?? null,
    details: entry.details ?? {},
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  await tx.insert(auditLog).values({ ...fields, prevHash, hash: entryHash(prevHash, fields) });
}

/**
 * Appends several entries by one actor in one go (bulk imports write thousands): one lock, one
 * read of the chain head, one multi-row insert; the entries are chained in the order given.
 */
export async function recordAuditBatch(tx: Tx, actor: AuditActor, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.execute(sql`select pg_advisory_xact_lock(7271001)`);
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  let prevHash = last?.hash ?? GENESIS_HASH;
  const at = new Date().toISOString();
  const rows = entries.map((entry) => {
    const fields: ChainFields = {
      at,
      ...actorFields(actor),
      action: entry.action,
      entityType: entry.entityType ?? null,
      entityId: entry.entityId ?? null,
      details: entry.details ?? {},
    };
    const hash = entryHash(prevHash, fields);
    const row = { ...fields, prevHash, hash };
    prevHash = hash;
    return row;
  });
  // Chunks keep the statement under the bind-parameter limit; ids (bigserial) follow insert order.
  for (let i = 0; i < rows.length; i += 1000) await tx.insert(auditLog).values(rows.slice(i, i + 1000));
}

/**
 * Walks the whole chain in id order, recomputing every hash. Returns the first row whose content,
 * link or position does not match (an edit, a deletion, or an insertion).
 */
export async function verifyAuditChain(db: Db): Promise<{ ok: boolean; checked: number; firstBadId?: number }> {
  let prevHash = GENESIS_HASH;
  let checked = 0;
  let afterId = 0;
  for (;;) {
    const rows = await db.select().from(auditLog).where(gt(auditLog.id, afterId)).orderBy(asc(auditLog.id)).limit(1000);
    if (rows.length === 0) return { ok: true, checked };
    for (const row of rows) {
      const fields: ChainFields = {
        at: new Date(row.at).toISOString(),
        actorId: row.actorId,
        actorKind: row.actorKind,
        action: row.action,
        entityType: row.entityType,
        entityId: row.entityId,
        details: row.details,
      };
      if (row.prevHash !== prevHash || row.hash !== entryHash(prevHash, fields)) return { ok: false, checked, firstBadId: row.id };
      prevHash = row.hash;
      checked++;
      afterId = row.id;
    }
  }
}
