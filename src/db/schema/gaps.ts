import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth.ts';

export const gapDismissalKinds = ['dismissed', 'out_of_scope'] as const;
export type GapDismissalKind = (typeof gapDismissalKinds)[number];

/**
 * Gap-list wordings the content team has dealt with without writing an answer: "dismissed" (noise,
 * a test query) or "out_of_scope" (not the bank's business). Keyed by the search normaliser's form,
 * so the same question in other spacing or width stays dismissed. Deleting the row restores it.
 */
export const gapDismissals = pgTable('gap_dismissals', {
  normalised: text('normalised').primaryKey(),
  query: text('query').notNull(),
  kind: text('kind', { enum: gapDismissalKinds }).notNull(),
  actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
