import { sql } from 'drizzle-orm';
import { bigint, bigserial, customType, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { answers, answerVersions } from './answers.ts';

/**
 * A pgvector column WITHOUT fixed dimensions: models with different sizes share one table. Each
 * model gets its own partial HNSW index over `(embedding::vector(D))` (src/embedding/hnsw-index.ts),
 * created at run time because D is only known once the model is loaded.
 */
export const vectorColumn = customType<{ data: number[]; driverData: string }>({
  dataType: () => 'vector',
  toDriver: (v) => `[${v.join(',')}]`,
  fromDriver: (v) => (typeof v === 'string' ? (JSON.parse(v) as number[]) : (v as number[])),
});

export const embeddingKinds = ['title', 'question', 'chunk'] as const;
export type EmbeddingKind = (typeof embeddingKinds)[number];

/**
 * One vector per embedded text of a published version: its title, each similar question, each body
 * chunk, per model. Category, tags and channels are copied from the (immutable) published version
 * so filters are plain row predicates the HNSW scan can apply while it walks the graph.
 */
export const answerEmbeddings = pgTable(
  'answer_embeddings',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    answerId: uuid('answer_id')
      .notNull()
      .references(() => answers.id, { onDelete: 'cascade' }),
    versionId: uuid('version_id')
      .notNull()
      .references(() => answerVersions.id, { onDelete: 'cascade' }),
    modelId: text('model_id').notNull(),
    kind: text('kind', { enum: embeddingKinds }).notNull(),
    ordinal: integer('ordinal').notNull(),
    text: text('text').notNull(),
    categoryPath: text('category_path'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    channels: text('channels').array().notNull().default(sql`'{}'::text[]`),
    embedding: vectorColumn('embedding').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('answer_embeddings_text_uq').on(t.modelId, t.versionId, t.kind, t.ordinal),
    index('answer_embeddings_answer_idx').on(t.answerId),
    index('answer_embeddings_version_idx').on(t.versionId),
  ],
);

/**
 * The durable embedding queue: one row per answer whose vectors may be out of date. A job means
 * "make this answer's vectors match what is published now, for every model in use", so it is
 * idempotent and a retaken job (crashed worker, expired lease) is harmless. `generation` grows on
 * every enqueue: a worker only deletes the row if nobody re-enqueued it while it was working.
 */
export const embeddingJobs = pgTable(
  'embedding_jobs',
  {
    answerId: uuid('answer_id')
      .primaryKey()
      .references(() => answers.id, { onDelete: 'cascade' }),
    generation: bigint('generation', { mode: 'number' }).notNull().default(1),
    attempts: integer('attempts').notNull().default(0),
    runAfter: timestamp('run_after', { withTimezone: true }).notNull().defaultNow(),
    lockedBy: text('locked_by'),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastError: text('last_error'),
    failedAt: timestamp('failed_at', { withTimezone: true }),
    enqueuedAt: timestamp('enqueued_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('embedding_jobs_due_idx').on(t.runAfter)],
);
