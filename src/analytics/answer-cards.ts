import { sql } from 'drizzle-orm';
import { liveVersionIds } from '../answers/live.ts';
import type { Db } from '../db/client.ts';
import { freshnessStates, type FreshnessState } from './freshness.ts';
import { iso, queryRows } from '../db/rows.ts';

/** What the agent assist panel shows for one answer: the live text with its formatting and how fresh it is. */
export interface AnswerCard {
  answerId: string;
  externalId: string | null;
  version: number;
  title: string;
  bodyHtml: string;
  bodyText: string;
  botText: string;
  category: string | null;
  tags: string[];
  channels: string[];
  reviewDueAt: string | null;
  expiresAt: string | null;
  updatedAt: string;
  /** review_overdue = stale; expiring = expires within 30 days. */
  freshness: FreshnessState[];
}

/**
 * The live versions of the given answers (archived, expired or never-published answers are simply
 * absent), in the order asked for. Only live content: an assist key must not read drafts.
 */
export async function answerCards(db: Db, answerIds: string[], now = new Date()): Promise<AnswerCard[]> {
  if (answerIds.length === 0) return [];
  const rows = await queryRows<{
    answer_id: string; external_id: string | null; number: number; title: string; body_html: string; body_text: string; bot_text: string;
    category_path: string | null; tags: string[]; channels: string[]; review_due_at: unknown; expires_at: unknown; updated_at: unknown;
  }>(
    db,
    sql`select a.id as answer_id, a.external_id, v.number, v.title, v.body_html, v.body_text, v.bot_text, v.category_path,
               v.tags, v.channels, v.review_due_at, v.expires_at, coalesce(v.published_at, v.updated_at) as updated_at
        from ${liveVersionIds(now)} live
        join answer_versions v on v.id = live.version_id
        join answers a on a.id = live.answer_id
        where a.id in (${sql.join(answerIds.map((id) => sql`${id}::uuid`), sql`, `)})`,
  );
  const byId = new Map(rows.map((r) => [r.answer_id, r]));
  return answerIds.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    const reviewDueAt = iso(r.review_due_at);
    const expiresAt = iso(r.expires_at);
    return [{
      answerId: r.answer_id,
      externalId: r.external_id,
      version: r.number,
      title: r.title,
      bodyHtml: r.body_html,
      bodyText: r.body_text,
      botText: r.bot_text,
      category: r.category_path,
      tags: r.tags ?? [],
      channels: r.channels ?? [],
      reviewDueAt,
      expiresAt,
      updatedAt: iso(r.updated_at)!,
      freshness: freshnessStates({ reviewDueAt: reviewDueAt ? new Date(reviewDueAt) : null, expiresAt: expiresAt ? new Date(expiresAt) : null }, now),
    }];
  });
}
