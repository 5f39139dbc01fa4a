import { api, withQuery } from './client';

/** Reporting window: the last N days, or from/to dates (YYYY-MM-DD, inclusive). */
export interface PeriodParams {
  days?: number;
  from?: string;
  to?: string;
}

export interface Rates {
  searches: number;
  botTurns: number;
  handoffs: number;
  handoffRate: number | null;
  clickThrough: number | null;
  feedback: number;
  helpfulRate: number | null;
  zeroResultRate: number | null;
  lowConfidenceRate: number | null;
  p95LatencyMs: number | null;
}
export interface DailyRates extends Rates {
  day: string;
  byChannel: Record<string, number>;
}
export interface Overview {
  period: { from: string; to: string };
  lowConfidenceBelow: number;
  totals: Rates;
  daily: DailyRates[];
  channels: string[];
}
export interface TopQuery {
  query: string;
  normalised: string;
  count: number;
  zeroResults: number;
  lowConfidence: number;
  clickThrough: number | null;
  lastSeenAt: string;
}
export interface GapItem {
  query: string;
  normalised: string;
  count: number;
  zeroResults: number;
  lowConfidence: number;
  lastSeenAt: string;
  variants: { query: string; count: number }[];
  candidateAnswerId: string | null;
  candidate: { answerId: string; title: string } | null;
  addedTo: { answerId: string; title: string; status: 'draft' | 'in_review' | 'published' } | null;
}
export interface AnswerUsage {
  answerId: string;
  title: string;
  category: string | null;
  servedFirst: number;
  clicks: number;
  helpful: number;
  notHelpful: number;
  helpfulRate: number | null;
  comments: string[];
  lastServedAt: string | null;
}
export type FreshnessState = 'review_overdue' | 'review_due' | 'expiring';
export interface FreshnessItem {
  answerId: string;
  externalId: string | null;
  title: string;
  category: string | null;
  owner: { id: string; name: string } | null;
  reviewDueAt: string | null;
  expiresAt: string | null;
  states: FreshnessState[];
  daysLeft: number;
}
export interface Notification {
  id: string;
  kind: FreshnessState;
  answerId: string;
  title: string;
  dueAt: string;
  daysLeft: number;
}

const q = (p: PeriodParams) => ({ days: p.days, from: p.from, to: p.to });

export const overview = (p: PeriodParams) => api<Overview>('/analytics/overview', { query: q(p) });
export const topQueries = (p: PeriodParams) => api<{ items: TopQuery[] }>('/analytics/top-queries', { query: q(p) });
export const gaps = (p: PeriodParams) => api<{ items: GapItem[] }>('/analytics/gaps', { query: q(p) });
export const answerUsage = (p: PeriodParams) => api<{ items: AnswerUsage[] }>('/analytics/answers', { query: q(p) });
export const freshness = () => api<{ items: FreshnessItem[] }>('/analytics/freshness');
export const notifications = () => api<{ items: Notification[] }>('/notifications');

export type AnalyticsTable = 'overview' | 'top-queries' | 'gaps' | 'answers' | 'freshness';
/** A plain link (GET with the session cookie) that downloads the table as CSV. */
export const csvHref = (table: AnalyticsTable, p: PeriodParams) => withQuery(`/api/v1/analytics/${table}`, { ...q(p), format: 'csv' });
