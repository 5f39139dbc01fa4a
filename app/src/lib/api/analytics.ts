import { api, withQuery } from './client';
// The wire shapes are the server's own types (type-only imports: nothing of the server is bundled).
import type { Overview } from '$server/analytics/overview.ts';
import type { TopQuery } from '$server/analytics/top-queries.ts';
import type { GapItem } from '$server/analytics/gap-list.ts';
import type { AnswerUsage } from '$server/analytics/answer-usage.ts';
import type { FreshnessItem } from '$server/analytics/freshness.ts';
import type { Notification } from '$server/analytics/notifications.ts';
export type { Rates, DailyRates, Overview } from '$server/analytics/overview.ts';
export type { TopQuery } from '$server/analytics/top-queries.ts';
export type { GapItem } from '$server/analytics/gap-list.ts';
export type { AnswerUsage } from '$server/analytics/answer-usage.ts';
export type { FreshnessState, FreshnessItem } from '$server/analytics/freshness.ts';
export type { Notification } from '$server/analytics/notifications.ts';
export type { ReviewNotice } from '$server/answers/review-notices.ts';
import type { ReviewNotice } from '$server/answers/review-notices.ts';

/** Reporting window: the last N days, or from/to dates (YYYY-MM-DD, inclusive). */
export interface PeriodParams {
  days?: number;
  from?: string;
  to?: string;
}

const q = (p: PeriodParams) => ({ days: p.days, from: p.from, to: p.to });

export const overview = (p: PeriodParams) => api<Overview>('/analytics/overview', { query: q(p) });
export const topQueries = (p: PeriodParams) => api<{ items: TopQuery[] }>('/analytics/top-queries', { query: q(p) });
export const gaps = (p: PeriodParams, dismissed = false) => api<{ items: GapItem[] }>('/analytics/gaps', { query: dismissed ? { ...q(p), dismissed: '1' } : q(p) });
/** Takes a gap group (all its wordings) off the list as noise or out of scope; reversible. */
export const dismissGap = (queries: string[], kind: 'dismissed' | 'out_of_scope') => api<{ dismissed: number }>('/analytics/gaps/dismiss', { json: { queries, kind } });
export const restoreGap = (queries: string[]) => api<{ restored: number }>('/analytics/gaps/restore', { json: { queries } });
export const answerUsage = (p: PeriodParams) => api<{ items: AnswerUsage[] }>('/analytics/answers', { query: q(p) });
export const freshness = () => api<{ items: FreshnessItem[] }>('/analytics/freshness');
/** The bell: reminders (`items`) and review events (`reviews`; absent from servers before they existed). */
export const notifications = () => api<{ items: Notification[]; reviews?: ReviewNotice[] }>('/notifications');

export type AnalyticsTable = 'overview' | 'top-queries' | 'gaps' | 'answers' | 'freshness';
/** A plain link (GET with the session cookie) that downloads the table as CSV. */
export const csvHref = (table: AnalyticsTable, p: PeriodParams) => withQuery(`/api/v1/analytics/${table}`, { ...q(p), format: 'csv' });
