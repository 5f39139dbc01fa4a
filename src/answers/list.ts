import { sql, type SQL } from 'drizzle-orm';
import type { VersionStatus } from '../db/schema/index.ts';
import { actorIdentity, type AnswerActor } from './actor.ts';
import { rowsOf } from '../db/rows.ts';
import type { Tx } from '../db/tx.ts';
import { liveVersionIds } from './live.ts';
import { iso, type UserRef } from './map.ts';

export interface ListAnswersQuery {
  q?: string;
  status?: VersionStatus;
  category?: string;
  tag?: string;
  channel?: 'bot' | 'agent' | 'web';
  /** 'me' or a user id. */
  owner?: string;
  review?: 'due' | 'expiring';
  needsMyReview?: boolean;
  mine?: boolean;
  archived?: boolean;
  /**
   * Readers who do not write (agents): only answers live now, shown as they are live (title,
   * category, tags of the live version); drafts, reviews and archived answers are not listed.
   */
  liveOnly?: boolean;
  sort?: 'updated' | 'title' | 'reviewDue';
  page?: number;
  pageSize?: number;
}

export interface AnswerListItem {
  id: string;
  externalId: string | null;
  title: string;
  /** Status of the newest version (as readers see it). */
  status: VersionStatus;
  liveNumber: number | null;
  workingStatus: 'draft' | 'in_review' | 'rejected' | null;
  category: string | null;
  tags: string[];
  channels: string[];
  owner: UserRef | null;
  updatedAt: string;
  reviewDueAt: string | null;
  expiresAt: string | null;
  archived: boolean;
}

/** Review is "due" this many days ahead; "expiring" looks this far ahead. */
export const REVIEW_DUE_DAYS = 14;
export const EXPIRING_DAYS = 14;

/**
 * GET /answers: one row per answer. Title, category, tags and channels come from the newest
 * version (what the editors work on); review and expiry dates from the live version when there
 * is one (what customers see), else from the newest.
 */
export async function listAnswers(tx: Tx, actor: AnswerActor, query: ListAnswersQuery, now: Date = new Date()) {
  const page = Math.max(1, query.page ?? 1);
  const pageSize = Math.min(100, Math.max(1, query.pageSize ?? 20));
  const at = sql`${now.toISOString()}::timestamptz`;
  const me = actorIdentity(actor);
  const where: SQL[] = [];
  if (query.q?.trim()) {
    const like = `%${query.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(sql`(h.title ilike ${like} or h.similar_questions::text ilike ${like} or h.body_text ilike ${like} or a.external_id ilike ${like})`);
  }
  if (query.status) where.push(sql`h.status = ${query.status}`);
  if (query.category) where.push(sql`(h.category_path = ${query.category} or h.category_path like ${query.category.replace(/[\\%_]/g, (c) => `\\${c}`) + '/%'})`);
  if (query.tag) where.push(sql`${query.tag} = any(h.tags)`);
  if (query.channel) where.push(sql`${query.channel} = any(h.channels)`);
  if (query.owner) where.push(sql`a.owner_id::text = ${query.owner === 'me' ? (actor.userId ?? '') : query.owner}`);
  // "My drafts": work of mine that is not finished (a draft, in review or rejected), not everything I ever touched.
  if (query.mine) where.push(sql`(a.owner_id::text = ${actor.userId ?? ''} or ${me} = any(h.contributor_ids)) and h.status in ('draft', 'in_review', 'rejected')`);
  if (query.needsMyReview) where.push(sql`(h.status = 'in_review' and not (${me} = any(h.contributor_ids)) and coalesce(h.author_id::text, '') <> ${me})`);
  if (query.review === 'due') where.push(sql`coalesce(lv.review_due_at, h.review_due_at) <= ${at} + make_interval(days => ${REVIEW_DUE_DAYS})`);
  if (query.review === 'expiring') where.push(sql`coalesce(lv.expires_at, h.expires_at) > ${at} and coalesce(lv.expires_at, h.expires_at) <= ${at} + make_interval(days => ${EXPIRING_DAYS})`);
  if (query.liveOnly) where.push(sql`a.archived_at is null`);
  if (query.archived !== undefined) where.push(query.archived ? sql`a.archived_at is not null` : sql`a.archived_at is null`);
  const order =
    query.sort === 'title'
      ? sql`h.title asc, a.id`
      : query.sort === 'reviewDue'
        ? sql`coalesce(lv.review_due_at, h.review_due_at) asc nulls last, a.id`
        : sql`a.updated_at desc, a.id`;
  // Only the columns the list needs: dragging body JSON/HTML through the DISTINCT ON sort dominated the query.
  const headColumns = sql.raw(
    `v.answer_id, v.id, v.number, v.status, v.title, v.category_path, v.tags, v.channels, v.review_due_at, v.expires_at, v.author_id, v.contributor_ids${
      query.q?.trim() ? ', v.similar_questions, v.body_text' : ''
    }`,
  );
  const filter = where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``;

  // Live versions are needed for every row only when filtering or sorting on their dates; otherwise
  // they are looked up for the page's rows alone (live.ts pushes the id filter into its subquery).
  const needsLiveForAll = !query.liveOnly && (query.review !== undefined || query.sort === 'reviewDue');
  const liveJoin = needsLiveForAll
    ? sql`left join ${liveVersionIds(now)} l on l.answer_id = a.id left join answer_versions lv on lv.id = l.version_id`
    : query.liveOnly
      ? sql`left join answer_versions lv on lv.id = h.id`
      : sql``;
  // The row's version: the newest one, or for live-only readers the live one (answers without one drop out).
  const headJoin = query.liveOnly
    ? sql`join ${liveVersionIds(now)} l on l.answer_id = a.id cross join lateral (select ${headColumns} from answer_versions v where v.id = l.version_id) h`
    : sql`cross join lateral (select ${headColumns} from answer_versions v where v.answer_id = a.id order by v.number desc limit 1) h`;
  // The newest version per answer through the (answer_id, number) index; its status is what readers
  // see (nothing newer can supersede the newest version).
  // The default view (newest first, filters on the answer row only) pages over answers alone and
  // looks up the newest version for the page's rows: at 100k answers the general query below reads
  // every answer's newest version to sort and count.
  const onAnswersOnly =
    !query.liveOnly &&
    !query.q?.trim() && !query.status && !query.category && !query.tag && !query.channel && !query.mine && !query.needsMyReview && query.review === undefined && (query.sort ?? 'updated') === 'updated';
  const pageRows = onAnswersOnly ? await pageOfAnswers() : rowsOf<{ id: string; head_id: string; total: number }>(
    await tx.execute(sql`
      select a.id, h.id as head_id, count(*) over () as total
      from answers a
      ${headJoin}
      ${liveJoin}
      ${filter}
      order by ${order}
      limit ${pageSize} offset ${(page - 1) * pageSize}`),
  );
  const total = pageRows.length ? Number(pageRows[0]!.total) : query.page && query.page > 1 ? await countOnly() : 0;
  if (pageRows.length === 0) return { items: [] as AnswerListItem[], total, page, pageSize };

  const ids = sql.join(
    pageRows.map((r) => sql`${r.id}::uuid`),
    sql`, `,
  );
  const headIds = sql.join(
    pageRows.map((r) => sql`${r.head_id}::uuid`),
    sql`, `,
  );
  const details = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      select a.id, a.external_id, a.archived_at, a.updated_at, a.owner_id, u.name as owner_name,
             h.title, h.status, h.number as head_number, h.category_path, h.tags, h.channels,
             lv.number as live_number, coalesce(lv.review_due_at, h.review_due_at) as review_due_at,
             coalesce(lv.expires_at, h.expires_at) as expires_at
      from answers a
      join answer_versions h on h.answer_id = a.id and h.id in (${headIds})
      left join (select * from ${liveVersionIds(now)} l0 where l0.answer_id in (${ids})) l on l.answer_id = a.id
      left join answer_versions lv on lv.id = l.version_id
      left join users u on u.id = a.owner_id
      where a.id in (${ids})`),
  );
  const byId = new Map(details.map((r) => [r.id as string, r]));
  const items: AnswerListItem[] = pageRows.map(({ id }) => {
    const r = byId.get(id)!;
    const status = r.status as VersionStatus;
    const liveNumber = r.live_number == null ? null : Number(r.live_number);
    const pending = status === 'draft' || status === 'in_review' || status === 'rejected';
    return {
      id,
      externalId: (r.external_id as string | null) ?? null,
      title: r.title as string,
      status,
      liveNumber,
      workingStatus: pending && Number(r.head_number) > (liveNumber ?? 0) ? status : null,
      category: (r.category_path as string | null) ?? null,
      tags: (r.tags as string[]) ?? [],
      channels: (r.channels as string[]) ?? [],
      owner: r.owner_id ? { id: r.owner_id as string, name: (r.owner_name as string) ?? '' } : null,
      updatedAt: iso(r.updated_at as Date)!,
      reviewDueAt: iso(r.review_due_at as Date | null),
      expiresAt: iso(r.expires_at as Date | null),
      archived: r.archived_at != null,
    };
  });
  return { items, total, page, pageSize };

  async function pageOfAnswers(): Promise<{ id: string; head_id: string; total: number }[]> {
    const rows = rowsOf<{ id: string; head_id: string }>(
      await tx.execute(sql`
        select p.id, h.id as head_id
        from (select a.id, a.updated_at from answers a ${filter} order by ${order} limit ${pageSize} offset ${(page - 1) * pageSize}) p
        cross join lateral (select v.id from answer_versions v where v.answer_id = p.id order by v.number desc limit 1) h
        order by p.updated_at desc, p.id`),
    );
    if (rows.length === 0) return [];
    const [count] = rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from answers a ${filter}`));
    return rows.map((r) => ({ ...r, total: Number(count?.n ?? 0) }));
  }

  async function countOnly(): Promise<number> {
    // Past the last page there are no rows to carry the window count; count separately.
    const r = rowsOf<{ n: number }>(
      await tx.execute(sql`
        select count(*)::int as n from answers a
        ${headJoin}
        ${liveJoin} ${filter}`),
    );
    return Number(r[0]?.n ?? 0);
  }
}
