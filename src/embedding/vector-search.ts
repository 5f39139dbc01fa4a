import { sql, type SQL } from 'drizzle-orm';
import { liveVersionIds } from '../answers/live.ts';
import type { Db } from '../db/client.ts';
import type { Channel, EmbeddingKind } from '../db/schema/index.ts';
import { dimsSql, modelIdLiteral } from './hnsw-index.ts';
import { rowsOf } from '../db/rows.ts';

export interface VectorSearchFilters {
  /** Category path; sub-categories match too ('信用卡' matches '信用卡/挂失与补卡'). */
  category?: string;
  /** Every tag must be present. */
  tags?: string[];
  channel?: Channel;
}

export interface VectorSearchOptions {
  /** The model the query vector came from (EmbeddingService.state().id / embedQueryWithModel). */
  modelId: string;
  /** Answers to return (default 10). */
  limit?: number;
  filters?: VectorSearchFilters;
  /** HNSW candidate list size; higher = better recall, slower (default 100). */
  efSearch?: number;
  /** Exact scan instead of HNSW (benchmarks' ground truth, tiny tables). */
  exact?: boolean;
  /** Benchmarks and tests: make the planner use HNSW even where a scan looks cheaper (small tables). */
  forceIndex?: boolean;
  /** Benchmarks and tests: turn pgvector's iterative scan off to show what filters lose without it. */
  iterativeScan?: boolean;
}

export interface VectorHit {
  answerId: string;
  versionId: string;
  /** Cosine similarity of the best-matching text of this answer, -1..1 (1 = same direction). */
  similarity: number;
  /** Which text matched best: the title, a similar question, or a body chunk. */
  kind: EmbeddingKind;
  ordinal: number;
  text: string;
}

/**
 * Nearest answers to a query vector: per answer the best similarity over its title, similar
 * questions and body chunks, restricted to live versions (src/answers/live.ts, evaluated now, so
 * expiry and scheduled publishing apply at the exact moment) and to the filters.
 *
 * Filters are applied inside the HNSW scan with pgvector 0.8 iterative scans (relaxed order, then
 * re-sorted here), so a narrow filter still returns `limit` results instead of losing them to the
 * index's candidate list. A vector whose length does not match the model's returns [] (a query
 * embedded just before a model switch), never an error.
 *
 * @example
 * const { id } = ctx.embedding.state();
 * const hits = await vectorSearch(ctx.db, await ctx.embedding.embedQuery('信用卡丢了'), { modelId: id, limit: 20, filters: { channel: 'bot' } });
 */
export async function vectorSearch(db: Db, vector: number[], opts: VectorSearchOptions): Promise<VectorHit[]> {
  const limit = Math.max(1, Math.min(opts.limit ?? 10, 1000));
  const dims = vector.length;
  if (dims === 0 || vector.some((x) => !Number.isFinite(x))) return [];
  // An answer has several texts: fetch more candidates than answers wanted, and more again if
  // non-live versions (scheduled, just expired) ate into them.
  let candidates = Math.max(limit * 4, 40);
  for (let round = 0; round < 3; round++) {
    const found = await nearestTexts(db, vector, dims, opts, candidates);
    if (found === null) return [];
    const best = bestPerAnswer(found.live);
    if (best.length >= limit || found.scanned < candidates) return best.slice(0, limit);
    candidates *= 4;
  }
  const last = await nearestTexts(db, vector, dims, opts, candidates);
  return last ? bestPerAnswer(last.live).slice(0, limit) : [];
}

interface TextRow {
  answer_id: string;
  version_id: string;
  kind: EmbeddingKind;
  ordinal: number;
  text: string;
  distance: number;
}

async function nearestTexts(db: Db, vector: number[], dims: number, opts: VectorSearchOptions, candidates: number) {
  const model = modelIdLiteral(opts.modelId);
  const d = dimsSql(dims);
  const q = sql`${`[${vector.join(',')}]`}::vector(${d})`;
  const filters: SQL[] = [];
  const f = opts.filters ?? {};
  if (f.category) filters.push(sql`and (e.category_path = ${f.category} or left(e.category_path, ${f.category.length + 1}) = ${f.category + '/'})`);
  if (f.tags?.length) filters.push(sql`and e.tags @> ${sql.param(f.tags)}::text[]`);
  if (f.channel) filters.push(sql`and ${f.channel} = any(e.channels)`);
  return db.transaction(async (tx) => {
    // One round trip: the scan settings (transaction-local) and a check that this model has rows
    // of this size (vectors of another size cannot be compared, or even cast).
    const settings: [string, string][] = opts.exact
      ? [['enable_indexscan', 'off']]
      : [
          ['hnsw.ef_search', String(Math.max(10, Math.min(Math.floor(opts.efSearch ?? 100), 1000)))],
          ['hnsw.iterative_scan', opts.iterativeScan === false ? 'off' : 'relaxed_order'],
          // Benchmarks/tests: only the HNSW scan yields rows in distance order, so with sorts and
          // other scans off the planner must use it.
          ...(opts.forceIndex ? ([['enable_seqscan', 'off'], ['enable_bitmapscan', 'off'], ['enable_sort', 'off']] as [string, string][]) : []),
        ];
    const sized = rowsOf<{ ok: boolean }>(
      await tx.execute(sql`
        select ${sql.join(
          settings.map(([name, value]) => sql`set_config(${name}, ${value}, true)`),
          sql`, `,
        )}, exists (select 1 from answer_embeddings e where e.model_id = ${model} and vector_dims(e.embedding) = ${dims}) as ok`),
    );
    if (!sized[0]?.ok) return null;
    const result = rowsOf<TextRow & { live: boolean }>(
      await tx.execute(sql`
        with nearest as materialized (
          select e.answer_id, e.version_id, e.kind, e.ordinal, e.text,
                 (e.embedding::vector(${d})) <=> ${q} as distance
          from answer_embeddings e
          where e.model_id = ${model} ${sql.join(filters, sql` `)}
          order by (e.embedding::vector(${d})) <=> ${q}
          limit ${candidates}
        )
        -- The live rule, limited to the candidates' answers (= any(array) is pushed into the subquery).
        select n.*, (n.version_id in (
          select version_id from ${liveVersionIds()} live where live.answer_id = any(array(select answer_id from nearest))
        )) as live from nearest n`),
    );
    return { scanned: result.length, live: result.filter((r) => r.live) };
  });
}

function bestPerAnswer(found: TextRow[]): VectorHit[] {
  const best = new Map<string, TextRow>();
  for (const r of found) {
    const current = best.get(r.answer_id);
    if (!current || Number(r.distance) < Number(current.distance)) best.set(r.answer_id, r);
  }
  return [...best.values()]
    .sort((a, b) => Number(a.distance) - Number(b.distance))
    .map((r) => ({
      answerId: r.answer_id,
      versionId: r.version_id,
      similarity: 1 - Number(r.distance),
      kind: r.kind,
      ordinal: r.ordinal,
      text: r.text,
    }));
}
