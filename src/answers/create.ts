import { eq } from 'drizzle-orm';
import { DomainError } from '../errors.ts';
import { recordAudit } from '../audit/record.ts';
import type { Db } from '../db/client.ts';
import { answers, answerVersions } from '../db/schema/index.ts';
import { actorIdentities, type AnswerActor } from './actor.ts';
import { applyFields, type VersionFieldsInput } from './content-input.ts';
import { etagOf } from './map.ts';
import type { WriteResult } from './write-guard.ts';

export type CreateAnswerInput = VersionFieldsInput & { title: string; externalId?: string };

/** Creates an answer with version 1 as a draft owned and authored by the actor. */
export async function createAnswer(db: Db, actor: AnswerActor, input: CreateAnswerInput): Promise<WriteResult> {
  const { externalId, ...fields } = input;
  const now = new Date();
  return db.transaction(async (tx) => {
    if (externalId) {
      const [taken] = await tx.select({ id: answers.id }).from(answers).where(eq(answers.externalId, externalId));
      if (taken) throw new DomainError('external_id_taken', `externalId "${externalId}" is already used by answer ${taken.id}`, { answerId: taken.id });
    }
    const content = await applyFields(tx, null, fields);
    const [answer] = await tx
      .insert(answers)
      .values({ externalId: externalId ?? null, ownerId: actor.userId ?? null, createdAt: now, updatedAt: now })
      .returning();
    const [version] = await tx
      .insert(answerVersions)
      .values({ answerId: answer!.id, number: 1, status: 'draft', ...content, authorId: actor.userId ?? null, contributorIds: actorIdentities(actor), createdAt: now, updatedAt: now })
      .returning({ id: answerVersions.id, number: answerVersions.number, status: answerVersions.status });
    await recordAudit(tx, actor, { action: 'answer.created', entityType: 'answer', entityId: answer!.id, details: { externalId: externalId ?? null, version: 1, title: content.title } });
    return { id: answer!.id, etag: etagOf(answer!.revision), version: version! };
  });
}
