import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Small instance-wide values: the master token hash, the active embedding model, thresholds. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
