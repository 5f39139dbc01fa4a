import { inArray, sql } from 'drizzle-orm';
import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { Db } from '../db/client.ts';
import { gapDismissals, type GapDismissalKind } from '../db/schema/index.ts';
import { normaliseText } from '../search/normalise.ts';

/**
 * Takes gap wordings off the gap list: "dismissed" (noise) or "out_of_scope" (not the bank's
 * business). Every wording of the group is recorded (by its normalised form), audited; reversible
 * with restoreGap.
 */
export async function dismissGap(db: Db, actor: AuditActor & { userId?: string }, queries: readonly string[], kind: GapDismissalKind): Promise<{ dismissed: number }> {
  const rows = uniqueByNormalised(queries).map(({ query, normalised }) => ({ normalised, query, kind, actorId: actor.userId ?? null }));
  if (rows.length === 0) return { dismissed: 0 };
  return db.transaction(async (tx) => {
    await tx
      .insert(gapDismissals)
      .values(rows)
      .onConflictDoUpdate({ target: gapDismissals.normalised, set: { kind, actorId: actor.userId ?? null, createdAt: sql`now()` } });
    await recordAudit(tx, actor, { action: 'gap.dismissed', entityType: 'gap', entityId: rows[0]!.normalised, details: { kind, queries: rows.map((r) => r.query) } });
    return { dismissed: rows.length };
  });
}

/** Puts dismissed wordings back on the gap list (audited). */
export async function restoreGap(db: Db, actor: AuditActor, queries: readonly string[]): Promise<{ restored: number }> {
  const keys = uniqueByNormalised(queries).map((q) => q.normalised);
  if (keys.length === 0) return { restored: 0 };
  return db.transaction(async (tx) => {
    const removed = await tx.delete(gapDismissals).where(inArray(gapDismissals.normalised, keys)).returning({ query: gapDismissals.query });
    if (removed.length) await recordAudit(tx, actor, { action: 'gap.restored', entityType: 'gap', entityId: keys[0]!, details: { queries: removed.map((r) => r.query) } });
    return { restored: removed.length };
  });
}

function uniqueByNormalised(queries: readonly string[]) {
  const seen = new Map<string, string>();
  for (const q of queries) {
    const normalised = normaliseText(q);
    if (normalised && !seen.has(normalised)) seen.set(normalised, q.trim());
  }
  return [...seen].map(([normalised, query]) => ({ normalised, query }));
}
