import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { filterSql, type SearchFilters } from './filters.ts';
import { rowsOf } from '../db/rows.ts';

export interface TrigramHit {
  versionId: string;
  answerId: string;
  /** pg_trgm similarity of the best-matching title / similar question (0..1). */
  best: number;
  /** Second best; two close phrasings are stronger evidence than one. */
  second: number;
  /** Which phrase matched best: 0 the title, 1.. the similar questions. */
  bestOrd: number;
  bestText: string;
}

/** The trigram signal as one number: best phrase, plus half the second best (weights from the eval grid). */
export function trigramSignal(h: Pick<TrigramHit, 'best' | 'second'>): number {
  return (h.best + 0.5 * h.second) / 1.5;
}

// Queries longer than this are cut for the trigram signal: similarity over a whole pasted email
// is meaningless and costs time.
const MAX_TRIGRAM_QUERY = 200;

/**
 * The typo-tolerant signal: pg_trgm similarity between the normalised query and each title and
 * similar question. Scores the given candidate versions (the best BM25 hits) and, with `fuzzy`,
 * adds versions whose phrases are trigram-similar to the query (`%`, GIN index) even when no term
 * matched exactly (信用咔挂失, "actvate card").
 */
export async function trigramSearch(
  db: Db,
  normalisedQuery: string,
  candidateVersionIds: string[],
  filters: SearchFilters | undefined,
  opts: { fuzzy: boolean; limit: number },
): Promise<TrigramHit[]> {
  const q = normalisedQuery.slice(0, MAX_TRIGRAM_QUERY);
  if (!/[\p{L}\p{N}]/u.test(q)) return [];
  // The fuzzy pass (index scan over every phrase) only runs when the keyword leg may have missed:
  // a query word the index has never seen (a typo) or too few keyword hits.
  const fuzzy = opts.fuzzy
    ? sql`select ph.version_id from search_phrases ph join search_documents d on d.version_id = ph.version_id
          where ph.text % ${q} and ${filterSql(filters)}
          order by similarity(ph.text, ${q}) desc limit ${opts.limit}`
    : sql`select null::uuid as version_id where false`;
  const result = await db.execute(sql`
    with fuzzy as (${fuzzy}),
    cand as (select version_id from fuzzy union select unnest(${sql.param(candidateVersionIds)}::uuid[])),
    sims as (
      select ph.version_id, ph.ord, ph.text, similarity(ph.text, ${q}) as sim
      from search_phrases ph join cand on cand.version_id = ph.version_id
    ),
    ranked as (select *, row_number() over (partition by version_id order by sim desc, ord) as rn from sims)
    select r.version_id, d.answer_id,
      max(r.sim) filter (where r.rn = 1) as best, coalesce(max(r.sim) filter (where r.rn = 2), 0) as second,
      min(r.ord) filter (where r.rn = 1) as best_ord, min(r.text) filter (where r.rn = 1) as best_text
    from ranked r join search_documents d on d.version_id = r.version_id
    where r.rn <= 2
    group by r.version_id, d.answer_id`);
  return rowsOf<{ version_id: string; answer_id: string; best: number; second: number; best_ord: number; best_text: string }>(result).map((r) => ({
    versionId: r.version_id,
    answerId: r.answer_id,
    best: Number(r.best),
    second: Number(r.second),
    bestOrd: Number(r.best_ord),
    bestText: r.best_text,
  }));
}
