import { eq } from 'drizzle-orm';
import type { AuditActor } from '../audit/record.ts';
import { recordAudit } from '../audit/record.ts';
import type { Db } from '../db/client.ts';
import { searchSynonyms } from '../db/schema/index.ts';
import { DomainError, notFound } from '../errors.ts';
import { synonymsChanged } from './engine/feed.ts';
import { cleanPhrases, type SynonymGroup } from './synonyms.ts';

function checked(phrases: string[]): string[] {
  const clean = cleanPhrases(phrases);
  if (clean.length < 2) throw new DomainError('validation_failed', 'A synonym group needs at least two different phrases');
  return clean;
}

/** Creates a synonym group; audited in the same transaction. */
export async function createSynonymGroup(db: Db, actor: AuditActor & { userId?: string }, phrases: string[]): Promise<SynonymGroup> {
  const clean = checked(phrases);
  const row = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(searchSynonyms)
      .values({ phrases: clean, createdBy: actor.kind === 'user' || actor.kind === 'api_key' ? (actor.userId ?? null) : null })
      .returning({ id: searchSynonyms.id, phrases: searchSynonyms.phrases });
    await synonymsChanged(tx);
    await recordAudit(tx, actor, { action: 'synonyms.create', entityType: 'synonym_group', entityId: row!.id, details: { phrases: clean } });
    return row!;
  });
  return row;
}

export async function updateSynonymGroup(db: Db, actor: AuditActor, id: string, phrases: string[]): Promise<SynonymGroup> {
  const clean = checked(phrases);
  const row = await db.transaction(async (tx) => {
    const [before] = await tx.select().from(searchSynonyms).where(eq(searchSynonyms.id, id));
    if (!before) throw notFound('Synonym group');
    const [row] = await tx
      .update(searchSynonyms)
      .set({ phrases: clean, updatedAt: new Date() })
      .where(eq(searchSynonyms.id, id))
      .returning({ id: searchSynonyms.id, phrases: searchSynonyms.phrases });
    await synonymsChanged(tx);
    await recordAudit(tx, actor, { action: 'synonyms.update', entityType: 'synonym_group', entityId: id, details: { before: before.phrases, after: clean } });
    return row!;
  });
  return row;
}

export async function deleteSynonymGroup(db: Db, actor: AuditActor, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [gone] = await tx.delete(searchSynonyms).where(eq(searchSynonyms.id, id)).returning({ phrases: searchSynonyms.phrases });
    if (!gone) throw notFound('Synonym group');
    await synonymsChanged(tx);
    await recordAudit(tx, actor, { action: 'synonyms.delete', entityType: 'synonym_group', entityId: id, details: { phrases: gone.phrases } });
  });
}
