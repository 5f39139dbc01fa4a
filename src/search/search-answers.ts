import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { answers, answerVersions } from '../db/schema/index.ts';
import { liveVersionIds } from '../answers/live.ts';
import { normaliseText } from './normalise.ts';
import { segment } from './segment.ts';

export interface SearchRequest {
  query: string;
  limit?: number;
  offset?: number;
  filters?: { category?: string; tags?: string[]; channel?: 'bot' | 'agent' | 'web' };
}

export interface SearchResult {
  answerId: string;
  externalId: string | null;
  title: string;
  snippet: string;
  score: number;
  category: string | null;
  tags: string[];
  version: number;
  updatedAt: string;
}

export interface SearchResponse {
  results: SearchResult[];
  total: number;
  mode: 'keyword' | 'hybrid';
  tookMs: number;
}

/**
 * First-cut keyword search: term overlap over the live versions, title and similar questions
 * weighted above the body. The search issue replaces this with BM25 + vectors.
 */
export async function searchAnswers(db: Db, req: SearchRequest): Promise<SearchResponse> {
  const started = performance.now();
  const terms = [...new Set(segment(normaliseText(req.query)))];
  const conditions = [inArray(answerVersions.id, sql`(select version_id from ${liveVersionIds()} live)`)];
  if (req.filters?.category) {
    conditions.push(sql`(${answerVersions.categoryPath} = ${req.filters.category} or ${answerVersions.categoryPath} like ${req.filters.category + '/%'})`);
  }
  if (req.filters?.channel) conditions.push(sql`${req.filters.channel} = any(${answerVersions.channels})`);
  if (req.filters?.tags?.length) conditions.push(sql`${answerVersions.tags} @> ${sql.param(req.filters.tags)}::text[]`);
  const rows = await db
    .select({ v: answerVersions, externalId: answers.externalId })
    .from(answerVersions)
    .innerJoin(answers, eq(answers.id, answerVersions.answerId))
    .where(and(...conditions));
  const scored = rows
    .map(({ v, externalId }) => {
      const head = normaliseText([v.title, ...v.similarQuestions].join(' '));
      const body = normaliseText(v.bodyText);
      let score = 0;
      for (const t of terms) score += (head.includes(t) ? 2 : 0) + (body.includes(t) ? 1 : 0);
      return { v, externalId, score: terms.length ? score / (3 * terms.length) : 0 };
    })
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score);
  const offset = req.offset ?? 0;
  const limit = req.limit ?? 10;
  return {
    results: scored.slice(offset, offset + limit).map(({ v, externalId, score }) => ({
      answerId: v.answerId,
      externalId,
      title: v.title,
      snippet: v.bodyText.slice(0, 160),
      score: Math.round(score * 1000) / 1000,
      category: v.categoryPath,
      tags: v.tags,
      version: v.number,
      updatedAt: v.updatedAt.toISOString(),
    })),
    total: scored.length,
    mode: 'keyword',
    tookMs: Math.round((performance.now() - started) * 10) / 10,
  };
}
