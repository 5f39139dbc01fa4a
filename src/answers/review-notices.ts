import { sql } from 'drizzle-orm';
import { rowsOf } from '../db/rows.ts';
import type { Tx } from '../db/tx.ts';

/** A review-workflow event the signed-in person should hear about (shown in the header's bell). */
export interface ReviewNotice {
  /** Stable per version and event, so the UI can remember which ones were read. */
  id: string;
  kind: 'rejected' | 'approved' | 'awaiting_review';
  answerId: string;
  title: string;
  version: number;
  /** When it happened (reviewed or submitted). */
  at: string;
  /** Who did it: the reviewer (rejected/approved) or the submitter (awaiting_review). */
  by: string | null;
  /** The reviewer's comment (the reason of a rejection). */
  comment: string | null;
}

const DAY = 86_400_000;

/**
 * Computed from the versions themselves (no stored queue that can drift): my versions rejected in
 * the last 30 days or approved in the last 7, and, for reviewers, submissions by others that wait
 * for a decision. `userId` is the person; `canReview` says whether they decide submissions.
 */
export async function reviewNoticesFor(tx: Tx, userId: string, canReview: boolean, now = new Date()): Promise<ReviewNotice[]> {
  const since = new Date(now.getTime() - 30 * DAY).toISOString();
  const approvedSince = new Date(now.getTime() - 7 * DAY).toISOString();
  const mine = rowsOf<{ answer_id: string; id: string; number: number; status: string; title: string; reviewed_at: Date | string; reviewer: string | null; review_comment: string | null }>(
    await tx.execute(sql`
      select v.answer_id, v.id, v.number, v.status, v.title, v.reviewed_at, u.name as reviewer, v.review_comment
      from answer_versions v left join users u on u.id = v.reviewer_id
      where (v.author_id::text = ${userId} or ${userId} = any(v.contributor_ids))
        and v.reviewer_id is distinct from ${userId}::uuid
        and ((v.status = 'rejected' and v.reviewed_at >= ${since}::timestamptz)
          or (v.status in ('published', 'superseded') and v.reviewed_at >= ${approvedSince}::timestamptz))
      order by v.reviewed_at desc
      limit 100`),
  );
  const notices: ReviewNotice[] = mine.map((r) => ({
    id: `${r.id}:${r.status === 'rejected' ? 'rejected' : 'approved'}`,
    kind: r.status === 'rejected' ? 'rejected' : 'approved',
    answerId: r.answer_id,
    title: r.title,
    version: Number(r.number),
    at: new Date(r.reviewed_at).toISOString(),
    by: r.reviewer,
    comment: r.review_comment,
  }));
  if (canReview) {
    const waiting = rowsOf<{ answer_id: string; id: string; number: number; title: string; submitted_at: Date | string | null; updated_at: Date | string; author: string | null }>(
      await tx.execute(sql`
        select v.answer_id, v.id, v.number, v.title, v.submitted_at, v.updated_at, u.name as author
        from answer_versions v left join users u on u.id = v.author_id
        where v.status = 'in_review' and coalesce(v.author_id::text, '') <> ${userId} and not (${userId} = any(v.contributor_ids))
        order by v.submitted_at desc nulls last
        limit 100`),
    );
    for (const r of waiting) {
      const at = new Date(r.submitted_at ?? r.updated_at).toISOString();
      notices.push({ id: `${r.id}:awaiting_review:${at}`, kind: 'awaiting_review', answerId: r.answer_id, title: r.title, version: Number(r.number), at, by: r.author, comment: null });
    }
  }
  return notices.sort((a, b) => b.at.localeCompare(a.at));
}
