import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { MODEL_ID_PATTERN } from './registry.ts';
import { rowsOf } from '../db/rows.ts';

/**
 * One HNSW cosine index per model, as a partial expression index:
 *   CREATE INDEX … ON answer_embeddings USING hnsw ((embedding::vector(D)) vector_cosine_ops) WHERE model_id = '…'
 * The vector column has no fixed size (models differ), so the cast gives the index its dimension,
 * and the predicate keeps each model's vectors in its own graph. Queries must repeat the same
 * expression and the same literal predicate for the planner to use it (see vector-search.ts).
 */
export function hnswIndexName(modelId: string, dims: number): string {
  const slug = modelId.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 30);
  const hash = createHash('sha256').update(modelId).digest('hex').slice(0, 8);
  return `answer_embeddings_hnsw_${slug}_${dims}_${hash}`;
}

/** The model id as a SQL string literal; ids are validated against MODEL_ID_PATTERN (no quotes possible). */
export function modelIdLiteral(modelId: string) {
  if (!MODEL_ID_PATTERN.test(modelId)) throw new Error(`Invalid model id ${JSON.stringify(modelId)}`);
  return sql.raw(`'${modelId}'`);
}

export function dimsSql(dims: number) {
  if (!Number.isInteger(dims) || dims < 1 || dims > 16000) throw new Error(`Invalid vector dimensions ${dims}`);
  return sql.raw(String(dims));
}

// Per database handle: tests (and tools) open several databases in one process.
const ensuredByDb = new WeakMap<Db, Set<string>>();

/** Creates the model's index if missing (idempotent, cheap after the first call per process). */
export async function ensureHnswIndex(db: Db, modelId: string, dims: number, opts: { recheck?: boolean } = {}): Promise<void> {
  const name = hnswIndexName(modelId, dims);
  const ensured = ensuredByDb.get(db) ?? new Set<string>();
  ensuredByDb.set(db, ensured);
  if (ensured.has(name) && !opts.recheck) return;
  await db.execute(sql`
    create index if not exists ${sql.identifier(name)} on answer_embeddings
    using hnsw ((embedding::vector(${dimsSql(dims)})) vector_cosine_ops)
    with (m = 16, ef_construction = 64)
    where model_id = ${modelIdLiteral(modelId)}`);
  ensured.add(name);
}

export async function hnswIndexExists(db: Db, modelId: string, dims: number): Promise<boolean> {
  const found = rowsOf(await db.execute(sql`select 1 from pg_indexes where indexname = ${hnswIndexName(modelId, dims)}`));
  return found.length > 0;
}

export async function dropHnswIndex(db: Db, modelId: string, dims: number): Promise<void> {
  const name = hnswIndexName(modelId, dims);
  await db.execute(sql`drop index if exists ${sql.identifier(name)}`);
  ensuredByDb.get(db)?.delete(name);
}
