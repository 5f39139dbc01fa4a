import { api, type Query } from './client';
import type { Answer, AnswerListItem, Category, Page, Version, VersionDiffResult, VersionFields, WriteResult } from './types';

export interface AnswerListQuery extends Query {
  q?: string;
  status?: string;
  category?: string;
  tag?: string;
  channel?: string;
  owner?: string;
  review?: string;
  archived?: string;
  needsMyReview?: string;
  mine?: string;
  sort?: string;
  page?: number;
  pageSize?: number;
}

export const listAnswers = (query: AnswerListQuery, signal?: AbortSignal) => api<Page<AnswerListItem>>('/answers', { query, signal });
export const getAnswer = (id: string) => api<Answer>(`/answers/${id}`);
export const createAnswer = (fields: Partial<VersionFields>) => api<WriteResult>('/answers', { json: fields });
export const saveDraft = (id: string, etag: string, fields: Partial<VersionFields>) =>
  api<WriteResult>(`/answers/${id}/draft`, { method: 'PATCH', json: { etag, ...fields } });

type Transition = 'submit' | 'withdraw' | 'approve' | 'reject' | 'archive' | 'unarchive';
/** `note` is the review comment (approve/reject) or the reason (archive/unarchive). */
export const transition = (id: string, action: Transition, etag: string, note?: string) =>
  api<WriteResult>(`/answers/${id}/${action}`, { json: note === undefined ? { etag } : action === 'archive' || action === 'unarchive' ? { etag, reason: note } : { etag, comment: note } });
export const restoreVersion = (id: string, etag: string, version: number) => api<WriteResult>(`/answers/${id}/restore`, { json: { etag, version } });

export const listVersions = (id: string) => api<{ items: Version[] }>(`/answers/${id}/versions`);
export const diffVersions = (id: string, from: number, to: number) => api<VersionDiffResult>(`/answers/${id}/diff`, { query: { from, to } });

export const listCategories = () => api<{ items: Category[] }>('/categories');
export const createCategory = (path: string) => api<Category>('/categories', { json: { path } });
export const deleteCategory = (path: string) => api<void>(`/categories/${encodeURIComponent(path)}`, { method: 'DELETE' });
