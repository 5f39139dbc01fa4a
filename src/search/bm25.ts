import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { filterSql, type SearchFilters } from './filters.ts';
import { rowsOf } from '../db/rows.ts';

/**
 * BM25F parameters. Fields are blended into one pseudo term frequency before saturation
 * (Robertson & Zaragoza's BM25F): tf' = sum_f w_f * tf_f / (1 - b + b * len_f / avglen_f), then
 * score = sum_t qw_t * idf_t * tf' (k1 + 1) / (k1 + tf'), idf_t = ln(1 + (N - df + 0.5) / (df + 0.5)).
 * Values chosen by grid search on banking77 + clinc150-bank (recall@1, k1 in {0.9,1.2,1.6},
 * b in {0.5,0.75,0.9}, title weight in {2,3,4}); the plateau is flat within ±0.005.
 */
export const bm25Params = { k1: 1.6, b: 0.75, weights: { title: 3, questions: 1, body: 0.3 } } as const;

export interface WeightedTerm {
  term: string;
  /** 1 for the query's own terms, less for synonym expansions. */
  weight: number;
}

export interface Bm25Hit {
  versionId: string;
  answerId: string;
  /** Raw BM25F score. */
  score: number;
  /** Share of the query's idf mass this document matched (0..1): unknown words count as unmatched. */
  coverage: number;
}

export interface Bm25Result {
  hits: Bm25Hit[];
  /** Query terms (not synonyms) the index has never seen: typos, out-of-domain words. */
  unknownTerms: number;
  /** sum_t qw_t * idf_t over the query's own terms: the scale of a perfect match, for calibration. */
  queryIdf: number;
}

/**
 * The keyword leg: BM25F over the inverted index (search_postings), df and N from the index, in
 * one SQL statement so it runs alike on PGlite and a server. Returns the best `limit` indexed
 * versions matching the filters; liveness is checked by the caller (search-answers.ts).
 */
export async function bm25Search(db: Db, terms: WeightedTerm[], filters: SearchFilters | undefined, limit: number, params = bm25Params): Promise<Bm25Result> {
  if (terms.length === 0) return { hits: [], queryIdf: 0, unknownTerms: 0 };
  const { k1, b, weights: w } = params;
  const termList = terms.map((t) => t.term);
  const weightList = terms.map((t) => t.weight);
  const result = await db.execute(sql`
    with q as (select * from unnest(${sql.param(termList)}::text[], ${sql.param(weightList)}::float8[]) as q(term, qw)),
    s as (
      select greatest(docs, 1)::float8 as n,
        greatest(title_len::float8 / greatest(docs, 1), 1e-6) as avg_t,
        greatest(questions_len::float8 / greatest(docs, 1), 1e-6) as avg_q,
        greatest(body_len::float8 / greatest(docs, 1), 1e-6) as avg_b
      from search_stats where id = 1
    ),
    p as materialized (select term, version_id, field, tf from search_postings where term = any(${sql.param(termList)}::text[])),
    df as (select term, count(distinct version_id)::float8 as df from p group by term),
    idf as (
      select q.term, q.qw, ln(1 + (s.n - coalesce(df.df, 0) + 0.5) / (coalesce(df.df, 0) + 0.5)) as idf
      from q cross join s left join df on df.term = q.term
    ),
    tfw as (
      select p.version_id, p.term, sum(
        case p.field
          when 0 then ${w.title}::float8 * p.tf / (1 - ${b}::float8 + ${b}::float8 * d.title_len / s.avg_t)
          when 1 then ${w.questions}::float8 * p.tf / (1 - ${b}::float8 + ${b}::float8 * d.questions_len / s.avg_q)
          else ${w.body}::float8 * p.tf / (1 - ${b}::float8 + ${b}::float8 * d.body_len / s.avg_b)
        end) as ptf
      from p join search_documents d on d.version_id = p.version_id cross join s
      where ${filterSql(filters)}
      group by p.version_id, p.term
    )
    select t.version_id, d.answer_id,
      sum(i.qw * i.idf * t.ptf * (${k1}::float8 + 1) / (${k1}::float8 + t.ptf)) as score,
      sum(i.qw * i.idf) filter (where i.qw >= 1) as matched_idf,
      (select sum(qw * idf) from idf where qw >= 1) as query_idf,
      (select count(*) from q left join df on df.term = q.term where df.term is null and q.qw >= 1) as unknown
    from tfw t join idf i on i.term = t.term join search_documents d on d.version_id = t.version_id
    group by t.version_id, d.answer_id
    order by score desc, t.version_id
    limit ${limit}`);
  const rows = rowsOf<{ version_id: string; answer_id: string; score: number; matched_idf: number | null; query_idf: number | null; unknown: number }>(result);
  let queryIdf = Number(rows[0]?.query_idf ?? 0);
  if (!rows.length) {
    const r = rowsOf<{ query_idf: number | null }>(
      await db.execute(sql`
        with q as (select * from unnest(${sql.param(termList)}::text[], ${sql.param(weightList)}::float8[]) as q(term, qw))
        select sum(q.qw * ln(1 + (greatest(s.docs, 1) - 0 + 0.5) / 0.5)) filter (where q.qw >= 1) as query_idf
        from q cross join (select coalesce((select docs from search_stats where id = 1), 0) as docs) s`),
    );
    queryIdf = Number(r[0]?.query_idf ?? 0);
  }
  return {
    queryIdf,
    unknownTerms: rows.length ? Number(rows[0]!.unknown) : terms.filter((t) => t.weight >= 1).length,
    hits: rows.map((r) => ({
      versionId: r.version_id,
      answerId: r.answer_id,
      score: Number(r.score),
      coverage: queryIdf > 0 ? Math.min(1, Number(r.matched_idf ?? 0) / queryIdf) : 0,
    })),
  };
}
