// Wire shapes of the Zhida API as the app reads them (documented at /api/openapi.json).
import type { JSONContent } from '@tiptap/core';

export type Role = 'agent' | 'editor' | 'reviewer' | 'admin';
export type Channel = 'bot' | 'agent' | 'web';
export type VersionStatus = 'draft' | 'in_review' | 'published' | 'rejected' | 'superseded';
export const CHANNELS: Channel[] = ['bot', 'agent', 'web'];
export const ROLES: Role[] = ['agent', 'editor', 'reviewer', 'admin'];
export const VERSION_STATUSES: VersionStatus[] = ['draft', 'in_review', 'published', 'rejected', 'superseded'];

export interface User {
  id: string;
  name: string;
  email: string;
  role: Role;
  locale?: string | null;
}

// The answer wire shapes are the server's own (src/answers/map.ts); type-only, nothing is bundled.
export type { UserRef as PersonRef, VersionView as Version, VersionSummary, AnswerView as Answer } from '$server/answers/map.ts';
import type { UserRef as PersonRef, VersionView as Version } from '$server/answers/map.ts';

export interface VersionFields {
  title: string;
  similarQuestions: string[];
  body: JSONContent;
  botText?: string;
  category: string | null;
  tags: string[];
  channels: Channel[];
  effectiveFrom: string | null;
  expiresAt: string | null;
  reviewDueAt: string | null;
}

export interface WriteResult {
  id: string;
  etag: string;
  version: { id: string; number: number; status: VersionStatus } & Partial<Version>;
}

export interface AnswerListItem {
  id: string;
  externalId: string | null;
  title: string;
  status: VersionStatus;
  liveNumber: number | null;
  workingStatus: VersionStatus | null;
  category: string | null;
  tags: string[];
  channels: Channel[];
  owner: PersonRef | null;
  updatedAt: string;
  reviewDueAt: string | null;
  expiresAt: string | null;
  archived: boolean;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface DiffField {
  field: string;
  before: unknown;
  after: unknown;
  changed: boolean;
  /** List fields: items added / removed. */
  added?: string[];
  removed?: string[];
}

export interface DiffOp {
  op: 'equal' | 'insert' | 'delete';
  text: string;
}

export interface VersionDiffResult {
  from: number;
  to: number;
  fields: DiffField[];
  similarQuestions: { added: string[]; removed: string[] };
  body: DiffOp[];
  /** The new body as rich text with changes marked (sanitised by the server). */
  bodyHtml: string;
}

export interface Category {
  path: string;
  name: string;
  parentPath: string | null;
  answerCount: number;
}

export interface SearchResult {
  answerId: string;
  externalId: string | null;
  title: string;
  snippet: string;
  score: number;
  matchedQuestion?: string;
  category: string | null;
  tags: string[];
  version: number;
  updatedAt: string;
}

export interface SearchResponse {
  results: SearchResult[];
  total: number;
  mode: string;
  tookMs: number;
}

export interface IndexStatus {
  pending: number;
  failed?: number;
  vectors?: number;
  model: { id: string; dims?: number; state: 'ready' | 'loading' | 'unavailable' | 'disabled'; reason?: string };
  searchMode?: 'hybrid' | 'keyword';
}

export interface AdminUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

export type ApiKeyScope = 'search' | 'bot' | 'assist' | 'answers' | 'import' | 'admin';
export const API_KEY_SCOPES: ApiKeyScope[] = ['search', 'bot', 'assist', 'answers', 'import', 'admin'];

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  userId: string | null;
  userName: string | null;
  rateLimitPerMin: number | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AuditEntry {
  id: string | number;
  at: string;
  actorKind: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  details: unknown;
}
