import { sql } from 'drizzle-orm';
import { liveVersionIds } from '../answers/live.ts';
import type { Db } from '../db/client.ts';
import { iso, queryRows } from '../db/rows.ts';

/** How far ahead "due soon" and "expiring soon" look. */
export const FRESHNESS_HORIZON_DAYS = 30;

export type FreshnessState = 'review_overdue' | 'review_due' | 'expiring';

export interface FreshnessItem {
  answerId: string;
  externalId: string | null;
  title: string;
  category: string | null;
  owner: { id: string; name: string } | null;
  reviewDueAt: string | null;
  expiresAt: string | null;
  /** Every reason this answer needs attention, most urgent first. */
  states: FreshnessState[];
  /** Days until the nearest date (negative = overdue). */
  daysLeft: number;
}

const DAY = 86_400_000;

/** Classifies one live answer's dates; an answer with no date inside the horizon has no state. */
export function freshnessStates(dates: { reviewDueAt: Date | null; expiresAt: Date | null }, now: Date, horizonDays = FRESHNESS_HORIZON_DAYS): FreshnessState[] {
  const horizon = now.getTime() + horizonDays * DAY;
  const states: FreshnessState[] = [];
  if (dates.reviewDueAt && dates.reviewDueAt.getTime() <= now.getTime()) states.push('review_overdue');
  else if (dates.reviewDueAt && dates.reviewDueAt.getTime() <= horizon) states.push('review_due');
  if (dates.expiresAt && dates.expiresAt.getTime() > now.getTime() && dates.expiresAt.getTime() <= horizon) states.push('expiring');
  return states;
}

/**
 * Live answers whose review is overdue or due within the horizon, or that expire within it, soonest
 * first. `ownerId` narrows to one owner's answers (their reminders).
 */
export async function freshnessList(db: Db, opts: { now?: Date; horizonDays?: number; ownerId?: string; limit?: number } = {}): Promise<FreshnessItem[]> {
  const now = opts.now ?? new Date();
  const horizonDays = opts.horizonDays ?? FRESHNESS_HORIZON_DAYS;
  const horizon = new Date(now.getTime() + horizonDays * DAY).toISOString();
  const at = now.toISOString();
  const rows = await queryRows<{
    answer_id: string; external_id: string | null; title: string; category_path: string | null;
    owner_id: string | null; owner_name: string | null; review_due_at: unknown; expires_at: unknown;
  }>(
    db,
    sql`select a.id as answer_id, a.external_id, v.title, v.category_path, a.owner_id, u.name as owner_name,
               v.review_due_at, v.expires_at
        from ${liveVersionIds(new Date(at))} live
        join answer_versions v on v.id = live.version_id
        join answers a on a.id = live.answer_id
        left join users u on u.id = a.owner_id
        where (v.review_due_at is not null and v.review_due_at <= ${horizon}::timestamptz
               or v.expires_at is not null and v.expires_at <= ${horizon}::timestamptz)
          ${opts.ownerId ? sql`and a.owner_id = ${opts.ownerId}` : sql``}
        order by least(coalesce(v.review_due_at, 'infinity'::timestamptz), coalesce(v.expires_at, 'infinity'::timestamptz)), v.title
        limit ${opts.limit ?? 1000}`,
  );
  return rows.flatMap((r) => {
    const reviewDueAt = iso(r.review_due_at);
    const expiresAt = iso(r.expires_at);
    const states = freshnessStates({ reviewDueAt: reviewDueAt ? new Date(reviewDueAt) : null, expiresAt: expiresAt ? new Date(expiresAt) : null }, now, horizonDays);
    if (states.length === 0) return [];
    const nearest = Math.min(...[reviewDueAt, expiresAt].filter((d): d is string => !!d).map((d) => Date.parse(d)));
    return [{
      answerId: r.answer_id,
      externalId: r.external_id,
      title: r.title,
      category: r.category_path,
      owner: r.owner_id ? { id: r.owner_id, name: r.owner_name ?? '' } : null,
      reviewDueAt,
      expiresAt,
      states,
      daysLeft: Math.floor((nearest - now.getTime()) / DAY),
    }];
  });
}
