import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { ratio } from './overview.ts';
import type { Period } from './period.ts';
import { clickEvents, feedbackEvents, searchEvents } from './search-events.ts';
import { iso, num, queryRows } from '../db/rows.ts';

export interface AnswerUsage {
  answerId: string;
  title: string;
  category: string | null;
  /** Searches and bot turns that ranked this answer first. */
  servedFirst: number;
  clicks: number;
  helpful: number;
  notHelpful: number;
  helpfulRate: number | null;
  /** The latest comments left with "not helpful": what to fix. */
  comments: string[];
  lastServedAt: string | null;
}

/** Per-answer usage and feedback for the period, most used first. Answers never used are left out. */
export async function answerUsage(db: Db, period: Period, limit = 200): Promise<AnswerUsage[]> {
  const rows = await queryRows<{
    answer_id: string; title: string; category_path: string | null; served: unknown; clicks: unknown;
    helpful: unknown; not_helpful: unknown; comments: string[] | null; last_served: unknown;
  }>(
    db,
    sql`with served as (
          select e.top_answer_id as answer_id, count(*) as n, max(e.at) as last_at
          from ${searchEvents(period)} e where e.top_answer_id is not null group by e.top_answer_id
        ), clicked as (
          select c.answer_id, count(*) as n from ${clickEvents(period)} c group by c.answer_id
        ), rated as (
          select f.answer_id, count(*) filter (where f.helpful) as yes, count(*) filter (where not f.helpful) as no,
                 (array_agg(f.comment order by f.at desc) filter (where f.comment is not null and f.comment <> ''))[1:5] as comments
          from ${feedbackEvents(period)} f group by f.answer_id
        ), used as (
          select answer_id from served union select answer_id from clicked union select answer_id from rated
        )
        select u.answer_id, t.title, t.category_path, coalesce(s.n, 0) as served, coalesce(c.n, 0) as clicks,
               coalesce(r.yes, 0) as helpful, coalesce(r.no, 0) as not_helpful, r.comments, s.last_at as last_served
        from used u
        join lateral (select v.title, v.category_path from answer_versions v where v.answer_id = u.answer_id order by v.number desc limit 1) t on true
        left join served s on s.answer_id = u.answer_id
        left join clicked c on c.answer_id = u.answer_id
        left join rated r on r.answer_id = u.answer_id
        order by coalesce(s.n, 0) + coalesce(c.n, 0) desc, t.title
        limit ${limit}`,
  );
  return rows.map((r) => ({
    answerId: r.answer_id,
    title: r.title,
    category: r.category_path,
    servedFirst: num(r.served),
    clicks: num(r.clicks),
    helpful: num(r.helpful),
    notHelpful: num(r.not_helpful),
    helpfulRate: ratio(num(r.helpful), num(r.helpful) + num(r.not_helpful)),
    comments: r.comments ?? [],
    lastServedAt: iso(r.last_served),
  }));
}
