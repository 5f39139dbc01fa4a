import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { answers, answerVersions, type Channel } from '../db/schema/index.ts';

export interface HydratedVersion {
  versionId: string;
  answerId: string;
  externalId: string | null;
  title: string;
  bodyText: string;
  bodyHtml: string;
  botText: string;
  similarQuestions: string[];
  category: string | null;
  tags: string[];
  channels: Channel[];
  version: number;
  updatedAt: string;
}

/** Loads what results show for the given versions (one query, any order). */
export async function hydrateVersions(db: Db, versionIds: string[]): Promise<Map<string, HydratedVersion>> {
  if (versionIds.length === 0) return new Map();
  const rows = await db
    // Only the columns results show (not the editor JSON).
    .select({
      v: {
        id: answerVersions.id,
        answerId: answerVersions.answerId,
        title: answerVersions.title,
        bodyText: answerVersions.bodyText,
        bodyHtml: answerVersions.bodyHtml,
        botText: answerVersions.botText,
        similarQuestions: answerVersions.similarQuestions,
        categoryPath: answerVersions.categoryPath,
        tags: answerVersions.tags,
        channels: answerVersions.channels,
        number: answerVersions.number,
        publishedAt: answerVersions.publishedAt,
        updatedAt: answerVersions.updatedAt,
      },
      externalId: answers.externalId,
    })
    .from(answerVersions)
    .innerJoin(answers, eq(answers.id, answerVersions.answerId))
    .where(inArray(answerVersions.id, versionIds));
  return new Map(
    rows.map(({ v, externalId }) => [
      v.id,
      {
        versionId: v.id,
        answerId: v.answerId,
        externalId,
        title: v.title,
        bodyText: v.bodyText,
        bodyHtml: v.bodyHtml,
        botText: v.botText,
        similarQuestions: v.similarQuestions,
        category: v.categoryPath,
        tags: v.tags,
        channels: v.channels as Channel[],
        version: v.number,
        updatedAt: (v.publishedAt ?? v.updatedAt).toISOString(),
      },
    ]),
  );
}
