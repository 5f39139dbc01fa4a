import { api } from './client';
import type { IndexStatus, SearchResponse } from './types';

export const searchAnswers = (query: string, limit = 5, signal?: AbortSignal) => api<SearchResponse>('/search', { json: { query, limit }, signal });
export const indexStatus = () => api<IndexStatus>('/index/status');
