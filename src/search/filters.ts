import type { Channel } from '../db/schema/index.ts';

export interface SearchFilters {
  /** Category path; sub-categories match too ('信用卡' matches '信用卡/挂失与补卡'). */
  category?: string;
  /** Every tag must be present. */
  tags?: string[];
  channel?: Channel;
}
