/**
 * The OLD keyword search path, kept self-contained as a baseline (benchmarks) and as the reference
 * the in-memory engine is compared with (test/unit/search-engine-equivalence.test.ts).
 *
 * It is the SQL BM25F path of commit 755ced9 (src/search/bm25.ts, keyword-index.ts, trigram.ts,
 * synonyms.ts, the merge and fusion of search-answers.ts), with its own tables (legacy_search_*),
 * filled from a corpus given here instead of from answer_versions, so it runs on any migrated
 * database (PGlite or a server) without the product's search tables. Liveness and hydration are
 * left out: every document given is treated as live.
 *
 * @example
 * const legacy = await createLegacySqlIndex(db);
 * await legacy.add(docs);
 * const { hits } = await legacy.search('信用卡丢了', { limit: 10 });
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client.ts';
import { calibration, confidence, confidenceFeatures } from '../../src/search/calibration.ts';
import { fuse, keywordWeights, type CandidateSignals } from '../../src/search/fusion.ts';
import { normaliseText } from '../../src/search/normalise.ts';
import { analyse } from '../../src/search/segment.ts';

/** The BM25F constants of 755ced9 (grid search on banking77 + clinc150-bank). */
export const legacyBm25Params = { k1: 1.6, b: 0.75, weights: { title: 3, questions: 1, body: 0.3 } } as const;
const SYNONYM_WEIGHT = 0.7;
const MAX_TERMS = 48;
const TRIGRAM_RERANK = 30;
const MAX_TRIGRAM_QUERY = 200;

export interface LegacyDoc {
  versionId: string;
  answerId: string;
  title: string;
  similarQuestions: string[];
  bodyText: string;
  categoryPath: string | null;
  tags: string[];
  channels: string[];
}

export interface LegacyFilters {
  category?: string;
  tags?: string[];
  channel?: string;
}

export interface LegacyHit {
  versionId: string;
  answerId: string;
  /** Fused score (convex, keyword weights), unrounded. */
  fused: number;
  bm25: number;
  coverage: number;
  trigram: number;
  trigramBest: number;
  /** 0 title, 1.. similar question (ord among the non-empty phrases), -1 when no trigram evidence. */
  bestOrd: number;
  confidence: number;
}

export interface LegacyResult {
  hits: LegacyHit[];
  total: number;
  unknownTerms: number;
  queryIdf: number;
}

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? r : ((r as { rows?: T[] }).rows ?? [])) as T[];

function frequencies(terms: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of terms) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

function containsSequence(terms: string[], seq: string[]): boolean {
  outer: for (let i = 0; i + seq.length <= terms.length; i++) {
    for (let j = 0; j < seq.length; j++) if (terms[i + j] !== seq[j]) continue outer;
    return true;
  }
  return false;
}

function filterSql(f: LegacyFilters | undefined) {
  const parts = [sql`true`];
  if (f?.category) {
    const prefix = f.category.replace(/[\\%_]/g, (c) => `\\${c}`) + '/%';
    parts.push(sql`(d.category_path = ${f.category} or d.category_path like ${prefix})`);
  }
  if (f?.tags?.length) parts.push(sql`d.tags @> ${sql.param(f.tags)}::text[]`);
  if (f?.channel) parts.push(sql`${f.channel} = any(d.channels)`);
  return sql.join(parts, sql` and `);
}

export interface LegacySqlIndex {
  /** Indexes documents (one statement per table per call). */
  add(docs: LegacyDoc[]): Promise<void>;
  /** Removes documents by version id. */
  remove(versionIds: string[]): Promise<void>;
  /** Synonym groups as staff typed them (default: none). */
  setSynonyms(groups: string[][]): void;
  /** The old pipeline: synonyms -> BM25F (SQL) -> trigram (SQL, pg_trgm) -> fuse -> confidence. */
  search(query: string, opts?: { limit?: number; offset?: number; filters?: LegacyFilters }): Promise<LegacyResult>;
  /** Drops the legacy tables. */
  drop(): Promise<void>;
}

/** Creates (or empties) the legacy tables on `db` and returns the old search path over them. */
export async function createLegacySqlIndex(db: Db): Promise<LegacySqlIndex> {
  await db.execute(sql`create extension if not exists pg_trgm`);
  await db.execute(sql`drop table if exists legacy_search_postings, legacy_search_phrases, legacy_search_documents, legacy_search_stats`);
  await db.execute(sql`create table legacy_search_documents (
    version_id uuid primary key, answer_id uuid not null, category_path text,
    tags text[] not null default '{}', channels text[] not null default '{}',
    title_len integer not null, questions_len integer not null, body_len integer not null)`);
  await db.execute(sql`create table legacy_search_postings (
    term text not null, version_id uuid not null references legacy_search_documents(version_id) on delete cascade,
    field smallint not null, tf integer not null, primary key (term, version_id, field))`);
  await db.execute(sql`create index legacy_search_postings_version_idx on legacy_search_postings (version_id)`);
  await db.execute(sql`create table legacy_search_phrases (
    version_id uuid not null references legacy_search_documents(version_id) on delete cascade,
    ord integer not null, text text not null, primary key (version_id, ord))`);
  await db.execute(sql`create index legacy_search_phrases_trgm_idx on legacy_search_phrases using gin (text gin_trgm_ops)`);
  await db.execute(sql`create table legacy_search_stats (id smallint primary key, docs bigint not null,
    title_len bigint not null, questions_len bigint not null, body_len bigint not null)`);
  await db.execute(sql`insert into legacy_search_stats values (1, 0, 0, 0, 0)`);

  let groups: string[][][] = [];

  async function add(docs: LegacyDoc[]): Promise<void> {
    const CHUNK = 500;
    for (let i = 0; i < docs.length; i += CHUNK) {
      const part = docs.slice(i, i + CHUNK);
      const d = { v: [] as string[], a: [] as string[], c: [] as (string | null)[], tags: [] as string[], ch: [] as string[], t: [] as number[], q: [] as number[], b: [] as number[] };
      const p = { term: [] as string[], v: [] as string[], f: [] as number[], tf: [] as number[] };
      const ph = { v: [] as string[], ord: [] as number[], text: [] as string[] };
      for (const doc of part) {
        const title = analyse(normaliseText(doc.title));
        const questions = doc.similarQuestions.flatMap((q) => analyse(normaliseText(q)));
        const body = analyse(normaliseText(doc.bodyText));
        d.v.push(doc.versionId);
        d.a.push(doc.answerId);
        d.c.push(doc.categoryPath);
        d.tags.push(JSON.stringify(doc.tags));
        d.ch.push(JSON.stringify(doc.channels));
        d.t.push(title.length);
        d.q.push(questions.length);
        d.b.push(body.length);
        [title, questions, body].forEach((terms, field) => {
          for (const [term, tf] of frequencies(terms)) {
            p.term.push(term);
            p.v.push(doc.versionId);
            p.f.push(field);
            p.tf.push(tf);
          }
        });
        [doc.title, ...doc.similarQuestions]
          .map(normaliseText)
          .filter((x) => x.length > 0)
          .forEach((text, ord) => {
            ph.v.push(doc.versionId);
            ph.ord.push(ord);
            ph.text.push(text);
          });
      }
      await db.execute(sql`insert into legacy_search_documents
        select v, a, c, array(select jsonb_array_elements_text(tg)), array(select jsonb_array_elements_text(ch)), t, q, b
        from unnest(${sql.param(d.v)}::uuid[], ${sql.param(d.a)}::uuid[], ${sql.param(d.c)}::text[], ${sql.param(d.tags)}::jsonb[],
                    ${sql.param(d.ch)}::jsonb[], ${sql.param(d.t)}::int[], ${sql.param(d.q)}::int[], ${sql.param(d.b)}::int[]) as x(v, a, c, tg, ch, t, q, b)`);
      if (p.term.length) {
        await db.execute(sql`insert into legacy_search_postings
          select * from unnest(${sql.param(p.term)}::text[], ${sql.param(p.v)}::uuid[], ${sql.param(p.f)}::int2[], ${sql.param(p.tf)}::int[])`);
      }
      if (ph.v.length) {
        await db.execute(sql`insert into legacy_search_phrases
          select * from unnest(${sql.param(ph.v)}::uuid[], ${sql.param(ph.ord)}::int[], ${sql.param(ph.text)}::text[])`);
      }
      const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
      await db.execute(sql`update legacy_search_stats set docs = docs + ${part.length}, title_len = title_len + ${sum(d.t)},
        questions_len = questions_len + ${sum(d.q)}, body_len = body_len + ${sum(d.b)} where id = 1`);
    }
  }

  async function remove(versionIds: string[]): Promise<void> {
    if (!versionIds.length) return;
    await db.execute(sql`with gone as (delete from legacy_search_documents where version_id = any(${sql.param(versionIds)}::uuid[])
        returning title_len, questions_len, body_len)
      update legacy_search_stats set docs = docs - (select count(*) from gone),
        title_len = title_len - coalesce((select sum(title_len) from gone), 0),
        questions_len = questions_len - coalesce((select sum(questions_len) from gone), 0),
        body_len = body_len - coalesce((select sum(body_len) from gone), 0) where id = 1`);
  }

  function expand(terms: string[]): { term: string; weight: number }[] {
    const weights = new Map<string, number>();
    for (const t of terms) weights.set(t, 1);
    for (const group of groups) {
      if (!group.some((seq) => containsSequence(terms, seq))) continue;
      for (const seq of group) for (const t of seq) if (!weights.has(t)) weights.set(t, SYNONYM_WEIGHT);
    }
    return [...weights].map(([term, weight]) => ({ term, weight }));
  }

  async function bm25(terms: { term: string; weight: number }[], filters: LegacyFilters | undefined, limit: number) {
    if (terms.length === 0) return { hits: [] as { versionId: string; answerId: string; score: number; coverage: number }[], queryIdf: 0, unknownTerms: 0 };
    const { k1, b, weights: w } = legacyBm25Params;
    const termList = terms.map((t) => t.term);
    const weightList = terms.map((t) => t.weight);
    const result = await db.execute(sql`
      with q as (select * from unnest(${sql.param(termList)}::text[], ${sql.param(weightList)}::float8[]) as q(term, qw)),
      s as (
        select greatest(docs, 1)::float8 as n,
          greatest(title_len::float8 / greatest(docs, 1), 1e-6) as avg_t,
          greatest(questions_len::float8 / greatest(docs, 1), 1e-6) as avg_q,
          greatest(body_len::float8 / greatest(docs, 1), 1e-6) as avg_b
        from legacy_search_stats where id = 1
      ),
      p as materialized (select term, version_id, field, tf from legacy_search_postings where term = any(${sql.param(termList)}::text[])),
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
        from p join legacy_search_documents d on d.version_id = p.version_id cross join s
        where ${filterSql(filters)}
        group by p.version_id, p.term
      )
      select t.version_id, d.answer_id,
        sum(i.qw * i.idf * t.ptf * (${k1}::float8 + 1) / (${k1}::float8 + t.ptf)) as score,
        sum(i.qw * i.idf) filter (where i.qw >= 1) as matched_idf,
        (select sum(qw * idf) from idf where qw >= 1) as query_idf,
        (select count(*) from q left join df on df.term = q.term where df.term is null and q.qw >= 1) as unknown
      from tfw t join idf i on i.term = t.term join legacy_search_documents d on d.version_id = t.version_id
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
          from q cross join (select coalesce((select docs from legacy_search_stats where id = 1), 0) as docs) s`),
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

  async function trigram(normalisedQuery: string, candidates: string[], filters: LegacyFilters | undefined, opts: { fuzzy: boolean; limit: number }) {
    const q = normalisedQuery.slice(0, MAX_TRIGRAM_QUERY);
    if (!/[\p{L}\p{N}]/u.test(q)) return [];
    const fuzzy = opts.fuzzy
      ? sql`select ph.version_id from legacy_search_phrases ph join legacy_search_documents d on d.version_id = ph.version_id
            where ph.text % ${q} and ${filterSql(filters)}
            order by similarity(ph.text, ${q}) desc limit ${opts.limit}`
      : sql`select null::uuid as version_id where false`;
    const result = await db.execute(sql`
      with fuzzy as (${fuzzy}),
      cand as (select version_id from fuzzy union select unnest(${sql.param(candidates)}::uuid[])),
      sims as (
        select ph.version_id, ph.ord, ph.text, similarity(ph.text, ${q}) as sim
        from legacy_search_phrases ph join cand on cand.version_id = ph.version_id
      ),
      ranked as (select *, row_number() over (partition by version_id order by sim desc, ord) as rn from sims)
      select r.version_id, d.answer_id,
        max(r.sim) filter (where r.rn = 1) as best, coalesce(max(r.sim) filter (where r.rn = 2), 0) as second,
        min(r.ord) filter (where r.rn = 1) as best_ord
      from ranked r join legacy_search_documents d on d.version_id = r.version_id
      where r.rn <= 2
      group by r.version_id, d.answer_id`);
    return rowsOf<{ version_id: string; answer_id: string; best: number; second: number; best_ord: number }>(result).map((r) => ({
      versionId: r.version_id,
      answerId: r.answer_id,
      best: Number(r.best),
      second: Number(r.second),
      bestOrd: Number(r.best_ord),
    }));
  }

  async function search(query: string, opts: { limit?: number; offset?: number; filters?: LegacyFilters } = {}): Promise<LegacyResult> {
    const limit = opts.limit ?? 10;
    const offset = opts.offset ?? 0;
    const normalised = normaliseText(query);
    const terms = [...new Set(analyse(normalised))].slice(0, MAX_TERMS);
    const pool = Math.max(100, offset + limit + 20);
    const keyword = await bm25(expand(terms), opts.filters, pool);
    const tri = await trigram(
      normalised,
      keyword.hits.slice(0, Math.max(TRIGRAM_RERANK, offset + limit)).map((h) => h.versionId),
      opts.filters,
      { fuzzy: keyword.unknownTerms > 0 || keyword.hits.length < offset + limit, limit: pool },
    );
    const byVersion = new Map<string, CandidateSignals & { bestOrd: number }>();
    const entry = (versionId: string, answerId: string) => {
      let c = byVersion.get(versionId);
      if (!c) byVersion.set(versionId, (c = { versionId, answerId, bm25: 0, coverage: 0, trigram: 0, trigramBest: 0, bestOrd: -1 }));
      return c;
    };
    for (const h of keyword.hits) Object.assign(entry(h.versionId, h.answerId), { bm25: h.score, coverage: h.coverage });
    for (const t of tri) Object.assign(entry(t.versionId, t.answerId), { trigram: (t.best + 0.5 * t.second) / 1.5, trigramBest: t.best, bestOrd: t.bestOrd });
    const cands = [...byVersion.values()];
    const fused = fuse(cands, keywordWeights);
    const order = cands
      .map((c, i) => ({ c, fused: fused[i]! }))
      .filter((x) => x.fused > 0)
      .sort((a, b) => b.fused - a.fused || a.c.answerId.localeCompare(b.c.answerId));
    const hits = order.map((x, i) => {
      const bestOther = i === 0 ? (order[1]?.fused ?? 0) : order[0]!.fused;
      const f = confidenceFeatures(x.c, x.fused, bestOther, keyword.queryIdf);
      return {
        versionId: x.c.versionId,
        answerId: x.c.answerId,
        fused: x.fused,
        bm25: x.c.bm25,
        coverage: x.c.coverage,
        trigram: x.c.trigram,
        trigramBest: x.c.trigramBest,
        bestOrd: x.c.bestOrd,
        confidence: confidence(f, calibration.keyword),
      };
    });
    return { hits: hits.slice(offset, offset + limit), total: hits.length, unknownTerms: keyword.unknownTerms, queryIdf: keyword.queryIdf };
  }

  return {
    add,
    remove,
    setSynonyms(g: string[][]) {
      groups = g.map((phrases) => phrases.map((p) => analyse(normaliseText(p))).filter((t) => t.length > 0));
    },
    search,
    async drop() {
      await db.execute(sql`drop table if exists legacy_search_postings, legacy_search_phrases, legacy_search_documents, legacy_search_stats`);
    },
  };
}
