import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, pgTable, primaryKey, real, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { answers, answerVersions } from './answers.ts';
import { users } from './auth.ts';

/**
 * The search change feed: one row per change that alters what is searchable (an answer's published
 * versions or archive state, the synonym groups), appended in the transaction that made the change
 * (answersChanged, synonym CRUD). Every API node's in-memory search engine follows it by sequence
 * (src/search/engine/follower.ts); a row says only *what* changed, nodes re-read the current state.
 */
export const searchChanges = pgTable('search_changes', {
  seq: bigserial('seq', { mode: 'number' }).primaryKey(),
  /** The answer whose searchable state changed; null for kind 'synonyms'. */
  answerId: uuid('answer_id'),
  kind: text('kind', { enum: ['answer', 'synonyms'] }).notNull().default('answer'),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
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

/**
 * A chatbot conversation: the transcript goes to the agent at hand-off. Bound to the caller that
 * opened it (`owner`: 'key:<id>', 'user:<id>' or 'master'); `clientId` is the id a chat client chose,
 * unique only within its owner's namespace, so guessing or reusing another caller's id opens nothing.
 */
export const botSessions = pgTable('bot_sessions', {
  id: uuid('id').primaryKey().defaultRandom(),
  owner: text('owner'),
  clientId: uuid('client_id'),
  channel: text('channel'),
  apiKeyId: uuid('api_key_id'),
  userId: uuid('user_id'),
  unconfidentTurns: integer('unconfident_turns').notNull().default(0),
  handedOffAt: timestamp('handed_off_at', { withTimezone: true }),
  handoffReason: text('handoff_reason'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [uniqueIndex('bot_sessions_owner_client_uq').on(t.owner, t.clientId)]);

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
