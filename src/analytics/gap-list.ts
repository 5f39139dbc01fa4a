import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { asksForHuman } from '../search/handoff.ts';
import { normaliseText } from '../search/normalise.ts';
import { groupGapQueries, type GapGroup } from './gap-groups.ts';
import type { Period } from './period.ts';
import { searchEvents } from './search-events.ts';
import { iso, num, queryRows } from '../db/rows.ts';

export interface GapItem extends GapGroup {
  /** The likely home answer (search's usual first result for the group), with its current title. */
  candidate: { answerId: string; title: string } | null;
  /**
   * Where a wording of this gap has since been added as a similar question (newest such version):
   * 'draft'/'in_review' = on its way, 'published' = search has it. Null = nobody has acted yet.
   */
  addedTo: { answerId: string; title: string; status: 'draft' | 'in_review' | 'published' } | null;
  /** Only in the list of dismissed gaps: how the content team dealt with it. */
  dismissed?: 'dismissed' | 'out_of_scope';
}

/**
 * The gap list: queries that found nothing (zero results) or nothing the bot could trust (top score
 * below the threshold), grouped by similarity, most asked first. Each group is one missing or
 * weak answer to write.
 */
export async function gapList(db: Db, period: Period, lowConfidenceBelow: number, limit = 100, opts: { dismissed?: boolean } = {}): Promise<GapItem[]> {
  const rows = await queryRows<{ query: string; n: unknown; zero: unknown; low: unknown; last_seen: unknown; top_answer_id: string | null; dismissed: 'dismissed' | 'out_of_scope' | null }>(
    db,
    sql`select mode() within group (order by e.query) as query, count(*) as n,
               count(*) filter (where e.result_count = 0) as zero,
               count(*) filter (where e.result_count > 0) as low,
               max(e.at) as last_seen,
               mode() within group (order by e.top_answer_id) filter (where e.top_answer_id is not null) as top_answer_id,
               max(d.kind) as dismissed
        from ${searchEvents(period)} e
        left join gap_dismissals d on d.normalised = e.normalised
        where e.normalised <> '' and (e.result_count = 0 or e.top_score < ${lowConfidenceBelow})
          and d.normalised is ${opts.dismissed ? sql`not null` : sql`null`}
        group by e.normalised
        order by count(*) desc
        limit 2000`,
  );
  const kindOf = new Map(rows.map((r) => [r.query, r.dismissed]));
  const groups = groupGapQueries(
    // "转人工" finds nothing by design: a request for a person is not a missing answer.
    rows.filter((r) => !asksForHuman(r.query)).map((r) => ({ query: r.query, count: num(r.n), zeroResults: num(r.zero), lowConfidence: num(r.low), lastSeenAt: iso(r.last_seen)!, topAnswerId: r.top_answer_id })),
  ).slice(0, limit);
  const ids = [...new Set(groups.map((g) => g.candidateAnswerId).filter((x): x is string => !!x))];
  const titles = new Map<string, string>();
  if (ids.length) {
    // The newest version's title: the candidate may have a draft in flight, the title is what staff recognise.
    const t = await queryRows<{ answer_id: string; title: string }>(
      db,
      sql`select distinct on (v.answer_id) v.answer_id, v.title from answer_versions v
          where v.answer_id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})
          order by v.answer_id, v.number desc`,
    );
    for (const r of t) titles.set(r.answer_id, r.title);
  }
  const added = await similarQuestionHomes(db, groups.flatMap((g) => g.variants.map((v) => v.query)));
  return groups.map((g) => ({
    ...g,
    candidate: g.candidateAnswerId && titles.has(g.candidateAnswerId) ? { answerId: g.candidateAnswerId, title: titles.get(g.candidateAnswerId)! } : null,
    addedTo: g.variants.map((v) => added.get(normaliseText(v.query))).find(Boolean) ?? null,
    ...(opts.dismissed ? { dismissed: kindOf.get(g.query) ?? 'dismissed' } : {}),
  }));
}

/**
 * For each wording (by normalised form), the answer whose newest draft, review or published version
 * lists it as a similar question — so the gap list shows which gaps are already being closed.
 */
async function similarQuestionHomes(db: Db, wordings: string[]) {
  const out = new Map<string, { answerId: string; title: string; status: 'draft' | 'in_review' | 'published' }>();
  if (wordings.length === 0) return out;
  const wanted = new Set(wordings.map(normaliseText));
  // Candidates by a cheap case-insensitive match in SQL; the exact comparison uses the same normaliser as search.
  const rows = await queryRows<{ answer_id: string; title: string; status: 'draft' | 'in_review' | 'published'; question: string }>(
    db,
    sql`select distinct on (v.answer_id, q.question) v.answer_id, v.title, v.status, q.question
        from answer_versions v
        cross join lateral jsonb_array_elements_text(v.similar_questions) as q(question)
        where v.status in ('draft', 'in_review', 'published')
          and lower(q.question) in (${sql.join([...new Set(wordings.map((w) => w.trim().toLowerCase()))].map((w) => sql`${w}`), sql`, `)})
        order by v.answer_id, q.question, v.number desc`,
  );
  for (const r of rows) {
    const key = normaliseText(r.question);
    if (wanted.has(key) && (!out.has(key) || r.status === 'published')) out.set(key, { answerId: r.answer_id, title: r.title, status: r.status });
  }
  return out;
}
