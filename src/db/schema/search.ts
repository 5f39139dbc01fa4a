import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, pgTable, primaryKey, real, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { answers, answerVersions } from './answers.ts';
import { users } from './auth.ts';

/**
 * The keyword index: one row per published version that can be (or become) live. Category, tags
 * and channels are copied from the immutable published version so filters are row predicates;
 * the per-field lengths (in index terms) feed BM25's length normalisation.
 */
export const searchDocuments = pgTable(
  'search_documents',
  {
    versionId: uuid('version_id')
      .primaryKey()
      .references(() => answerVersions.id, { onDelete: 'cascade' }),
    answerId: uuid('answer_id')
      .notNull()
      .references(() => answers.id, { onDelete: 'cascade' }),
    categoryPath: text('category_path'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    channels: text('channels').array().notNull().default(sql`'{}'::text[]`),
    titleLen: integer('title_len').notNull(),
    questionsLen: integer('questions_len').notNull(),
    bodyLen: integer('body_len').notNull(),
    indexedAt: timestamp('indexed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('search_documents_answer_idx').on(t.answerId)],
);

/** Fields of a document; BM25F weighs them differently (src/search/bm25.ts). 0 title, 1 similar questions, 2 body. */
export const searchFields = { title: 0, questions: 1, body: 2 } as const;

/** Inverted index: term -> (version, field, term frequency). */
export const searchPostings = pgTable(
  'search_postings',
  {
    term: text('term').notNull(),
    versionId: uuid('version_id')
      .notNull()
      .references(() => searchDocuments.versionId, { onDelete: 'cascade' }),
    field: smallint('field').notNull(),
    tf: integer('tf').notNull(),
  },
  (t) => [primaryKey({ columns: [t.term, t.versionId, t.field] }), index('search_postings_version_idx').on(t.versionId)],
);

/**
 * Titles and similar questions, normalised, for the typo-tolerant trigram signal (pg_trgm) and for
 * reporting which similar question matched. ord 0 is the title, 1.. the similar questions.
 */
export const searchPhrases = pgTable(
  'search_phrases',
  {
    versionId: uuid('version_id')
      .notNull()
      .references(() => searchDocuments.versionId, { onDelete: 'cascade' }),
    ord: integer('ord').notNull(),
    text: text('text').notNull(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.ord] }), index('search_phrases_trgm_idx').using('gin', sql`${t.text} gin_trgm_ops`)],
);

/** Collection statistics for BM25 (N and summed field lengths), kept by delta in the indexing transaction. */
export const searchStats = pgTable('search_stats', {
  id: smallint('id').primaryKey(),
  docs: bigint('docs', { mode: 'number' }).notNull(),
  titleLen: bigint('title_len', { mode: 'number' }).notNull(),
  questionsLen: bigint('questions_len', { mode: 'number' }).notNull(),
  bodyLen: bigint('body_len', { mode: 'number' }).notNull(),
});

/** Synonym groups managed by content staff; every phrase of a group stands for the others at query time. */
export const searchSynonyms = pgTable('search_synonyms', {
  id: uuid('id').primaryKey().defaultRandom(),
  phrases: text('phrases').array().notNull(),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const searchSources = ['search', 'bot', 'assist'] as const;
export type SearchSource = (typeof searchSources)[number];

/** Every search, bot and assist call, for analytics (top queries, gaps, latency, click-through). */
export const searchLog = pgTable(
  'search_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    source: text('source', { enum: searchSources }).notNull(),
    query: text('query').notNull(),
    normalised: text('normalised').notNull(),
    mode: text('mode', { enum: ['keyword', 'hybrid'] }).notNull(),
    resultIds: uuid('result_ids').array().notNull(),
    resultCount: integer('result_count').notNull(),
    topScore: real('top_score'),
    topConfidence: real('top_confidence'),
    latencyMs: real('latency_ms').notNull(),
    channel: text('channel'),
    apiKeyId: uuid('api_key_id'),
    userId: uuid('user_id'),
    sessionId: uuid('session_id'),
    handoff: boolean('handoff'),
  },
  (t) => [index('search_log_at_idx').on(t.at), index('search_log_session_idx').on(t.sessionId)],
);

/** A chatbot conversation: the transcript goes to the agent at hand-off. */
export const botSessions = pgTable('bot_sessions', {
  id: uuid('id').primaryKey().defaultRandom(),
  channel: text('channel'),
  apiKeyId: uuid('api_key_id'),
  userId: uuid('user_id'),
  unconfidentTurns: integer('unconfident_turns').notNull().default(0),
  handedOffAt: timestamp('handed_off_at', { withTimezone: true }),
  handoffReason: text('handoff_reason'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const botTurns = pgTable(
  'bot_turns',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => botSessions.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    role: text('role', { enum: ['customer', 'bot'] }).notNull(),
    text: text('text').notNull(),
    answerId: uuid('answer_id'),
    confidence: real('confidence'),
    searchId: uuid('search_id'),
  },
  (t) => [index('bot_turns_session_idx').on(t.sessionId, t.id)],
);

/** Helpful / not helpful on an answer shown by a search or in a bot session. */
export const searchFeedback = pgTable(
  'search_feedback',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    searchId: uuid('search_id'),
    sessionId: uuid('session_id'),
    answerId: uuid('answer_id').notNull(),
    helpful: boolean('helpful').notNull(),
    comment: text('comment'),
    apiKeyId: uuid('api_key_id'),
    userId: uuid('user_id'),
  },
  (t) => [index('search_feedback_answer_idx').on(t.answerId), index('search_feedback_at_idx').on(t.at)],
);

/** A result the caller opened or inserted (click-through). */
export const searchClicks = pgTable(
  'search_clicks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    searchId: uuid('search_id').notNull(),
    answerId: uuid('answer_id').notNull(),
    position: integer('position'),
    action: text('action', { enum: ['open', 'copy', 'insert'] }).notNull().default('open'),
    apiKeyId: uuid('api_key_id'),
    userId: uuid('user_id'),
  },
  (t) => [index('search_clicks_search_idx').on(t.searchId), index('search_clicks_at_idx').on(t.at)],
);
