import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth.ts';

export const versionStatuses = ['draft', 'in_review', 'published', 'rejected', 'superseded'] as const;
export type VersionStatus = (typeof versionStatuses)[number];

export const channels = ['bot', 'agent', 'web'] as const;
export type Channel = (typeof channels)[number];

/** Category tree, addressed by '/'-separated path ('信用卡/挂失与补卡'). */
export const categories = pgTable('categories', {
  path: text('path').primaryKey(),
  name: text('name').notNull(),
  parentPath: text('parent_path'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The stable identity of an answer. `revision` increases on every write to the answer or any of
 * its versions; the etag clients send back is derived from it (optimistic concurrency).
 */
export const answers = pgTable(
  'answers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    externalId: text('external_id').unique(),
    ownerId: uuid('owner_id').references(() => users.id),
    revision: integer('revision').notNull().default(1),
    liveVersionId: uuid('live_version_id'),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('answers_owner_idx').on(t.ownerId)],
);

export const answerVersions = pgTable(
  'answer_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    answerId: uuid('answer_id')
      .notNull()
      .references(() => answers.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    status: text('status', { enum: versionStatuses }).notNull().default('draft'),
    title: text('title').notNull(),
    similarQuestions: jsonb('similar_questions').$type<string[]>().notNull().default([]),
    bodyJson: jsonb('body_json').notNull(),
    bodyHtml: text('body_html').notNull(),
    bodyText: text('body_text').notNull(),
    botText: text('bot_text').notNull(),
    botTextDerived: integer('bot_text_derived').notNull().default(1),
    categoryPath: text('category_path'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    channels: text('channels').array().notNull().default(sql`'{bot,agent,web}'::text[]`),
    effectiveFrom: timestamp('effective_from', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    reviewDueAt: timestamp('review_due_at', { withTimezone: true }),
    authorId: uuid('author_id').references(() => users.id),
    reviewerId: uuid('reviewer_id').references(() => users.id),
    reviewComment: text('review_comment'),
    restoredFrom: integer('restored_from'),
    /** SHA-256 of the import record this version came from: re-importing it is skipped without re-parsing. */
    importHash: text('import_hash'),
    /**
     * Everyone who wrote or submitted this version (user ids; 'master' for the master key). Four-eyes:
     * none of them may approve it, so an editor who changed a colleague's draft cannot approve it either.
     */
    contributorIds: text('contributor_ids').array().notNull().default(sql`'{}'::text[]`),
    /** Set while the version waits in an import batch (publish=true imports): reviewed with the batch, not alone. */
    importBatchId: uuid('import_batch_id'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('answer_versions_number_uq').on(t.answerId, t.number),
    index('answer_versions_status_idx').on(t.status),
    index('answer_versions_category_idx').on(t.categoryPath),
    index('answer_versions_import_batch_idx').on(t.importBatchId),
  ],
);

export const importBatchStatuses = ['importing', 'pending_approval', 'approved', 'rejected'] as const;
export type ImportBatchStatus = (typeof importBatchStatuses)[number];

/**
 * An import with publish=true: its changed answers wait as versions in review (answer_versions.import_batch_id)
 * until a second reviewer approves or rejects the batch as a whole. `importedBy` is the importer's
 * identity (user id, 'master' or 'system'), so the importer can never approve their own batch.
 */
export const importBatches = pgTable(
  'import_batches',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    status: text('status', { enum: importBatchStatuses }).notNull().default('importing'),
    importedBy: text('imported_by').notNull(),
    importerUserId: uuid('importer_user_id').references(() => users.id),
    importerKeyId: uuid('importer_key_id'),
    source: text('source'),
    created: integer('created').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    errors: integer('errors').notNull().default(0),
    reviewerId: uuid('reviewer_id').references(() => users.id),
    reviewComment: text('review_comment'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('import_batches_status_idx').on(t.status)],
);
