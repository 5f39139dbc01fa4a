import type { Channel, VersionStatus } from '../db/schema/index.ts';
import type { RichDoc } from './rich-text.ts';

export interface UserRef {
  id: string;
  name: string;
}

/** The wire shape of one version (API contract "Version object"). */
export interface VersionView {
  id: string;
  number: number;
  status: VersionStatus;
  title: string;
  similarQuestions: string[];
  body: RichDoc;
  bodyHtml: string;
  bodyText: string;
  botText: string;
  botTextDerived: boolean;
  category: string | null;
  tags: string[];
  channels: Channel[];
  effectiveFrom: string | null;
  expiresAt: string | null;
  reviewDueAt: string | null;
  author: UserRef | null;
  reviewer: UserRef | null;
  reviewComment: string | null;
  restoredFrom: number | null;
  /** Who wrote or submitted this version (user ids, 'master', 'key:<id>'): none of them may approve it. */
  contributorIds: string[];
  submittedAt: string | null;
  reviewedAt: string | null;
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type VersionSummary = Pick<
  VersionView,
  'id' | 'number' | 'status' | 'title' | 'author' | 'reviewer' | 'reviewComment' | 'createdAt' | 'submittedAt' | 'reviewedAt' | 'publishedAt' | 'restoredFrom'
>;

/** The wire shape of an answer (API contract "Answer object"). */
export interface AnswerView {
  id: string;
  externalId: string | null;
  etag: string;
  archived: boolean;
  owner: UserRef | null;
  live: VersionView | null;
  working: VersionView | null;
  versions: VersionSummary[];
}

/** A version row as read from the database (drizzle or raw SQL). */
export interface VersionRow {
  id: string;
  answerId: string;
  number: number;
  status: VersionStatus;
  title: string;
  similarQuestions: string[];
  bodyJson: unknown;
  bodyHtml: string;
  bodyText: string;
  botText: string;
  botTextDerived: number;
  categoryPath: string | null;
  tags: string[];
  channels: string[];
  effectiveFrom: Date | string | null;
  expiresAt: Date | string | null;
  reviewDueAt: Date | string | null;
  authorId: string | null;
  reviewerId: string | null;
  reviewComment: string | null;
  restoredFrom: number | null;
  submittedAt: Date | string | null;
  reviewedAt: Date | string | null;
  publishedAt: Date | string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
  contributorIds: string[];
  importBatchId?: string | null;
}

/** Optimistic-concurrency token of an answer; changes on every write (answers.revision). */
export function etagOf(revision: number): string {
  return `r${revision}`;
}

export function iso(value: Date | string | null | undefined): string | null {
  if (value == null) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/**
 * The status readers see. A published version older than the version in effect is superseded even
 * before the lazy status update has been written (scheduled publishing; see supersede.ts).
 */
export function displayStatus(v: Pick<VersionRow, 'status' | 'number'>, inEffectNumber: number | null): VersionStatus {
  return v.status === 'published' && inEffectNumber != null && v.number < inEffectNumber ? 'superseded' : v.status;
}

export function toVersionView(v: VersionRow, users: Map<string, string>, inEffectNumber: number | null): VersionView {
  const ref = (id: string | null): UserRef | null => (id ? { id, name: users.get(id) ?? '' } : null);
  return {
    id: v.id,
    number: v.number,
    status: displayStatus(v, inEffectNumber),
    title: v.title,
    similarQuestions: v.similarQuestions,
    body: v.bodyJson as RichDoc,
    bodyHtml: v.bodyHtml,
    bodyText: v.bodyText,
    botText: v.botText,
    botTextDerived: v.botTextDerived === 1,
    category: v.categoryPath,
    tags: v.tags,
    channels: v.channels as Channel[],
    effectiveFrom: iso(v.effectiveFrom),
    expiresAt: iso(v.expiresAt),
    reviewDueAt: iso(v.reviewDueAt),
    author: ref(v.authorId),
    reviewer: ref(v.reviewerId),
    reviewComment: v.reviewComment,
    restoredFrom: v.restoredFrom,
    contributorIds: [...new Set([...(v.authorId ? [v.authorId] : []), ...(v.contributorIds ?? [])])],
    submittedAt: iso(v.submittedAt),
    reviewedAt: iso(v.reviewedAt),
    publishedAt: iso(v.publishedAt),
    createdAt: iso(v.createdAt)!,
    updatedAt: iso(v.updatedAt)!,
  };
}

export function toVersionSummary(v: VersionView): VersionSummary {
  const { id, number, status, title, author, reviewer, reviewComment, createdAt, submittedAt, reviewedAt, publishedAt, restoredFrom } = v;
  return { id, number, status, title, author, reviewer, reviewComment, createdAt, submittedAt, reviewedAt, publishedAt, restoredFrom };
}
