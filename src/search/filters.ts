import { sql, type SQL } from 'drizzle-orm';
import type { Channel } from '../db/schema/index.ts';

export interface SearchFilters {
  /** Category path; sub-categories match too ('信用卡' matches '信用卡/挂失与补卡'). */
  category?: string;
  /** Every tag must be present. */
  tags?: string[];
  channel?: Channel;
}

/** The filters as a predicate on search_documents aliased `d`. */
export function filterSql(f: SearchFilters | undefined): SQL {
  const parts: SQL[] = [sql`true`];
  if (f?.category) {
    const prefix = f.category.replace(/[\\%_]/g, (c) => `\\${c}`) + '/%';
    parts.push(sql`(d.category_path = ${f.category} or d.category_path like ${prefix})`);
  }
  if (f?.tags?.length) parts.push(sql`d.tags @> ${sql.param(f.tags)}::text[]`);
  if (f?.channel) parts.push(sql`${f.channel} = any(d.channels)`);
  return sql.join(parts, sql` and `);
}
