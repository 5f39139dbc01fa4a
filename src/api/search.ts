import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { channels } from '../db/schema/index.ts';
import { runLoggedSearch } from '../search/run-search.ts';
import type { ApiEnv } from './env.ts';
import { ALL_ROLES, access, callerOf } from './middleware/access.ts';
import { validate } from './middleware/validate.ts';

/** Longest query accepted (characters); longer ones answer 400 rather than costing a full scan. */
export const MAX_QUERY_CHARS = 1000;

export const queryText = z
  .string()
  .trim()
  .min(1, 'query must not be empty')
  .max(MAX_QUERY_CHARS, `query is limited to ${MAX_QUERY_CHARS} characters`);

export const searchFilters = z.strictObject({
  category: z.string().min(1).max(500).optional(),
  tags: z.array(z.string().min(1).max(100)).max(20).optional(),
  channel: z.enum(channels).optional(),
});

export const searchBody = z.strictObject({
  query: queryText,
  limit: z.number().int().min(1).max(100).optional(),
  offset: z.number().int().min(0).max(10_000).optional(),
  filters: searchFilters.optional(),
});

export const searchRoutes = new Hono<ApiEnv>().post(
  '/search',
  describeRoute({
    tags: ['search'],
    summary: 'Search live answers (BM25F + trigram, + vectors when a model is ready); logged, returns searchId for feedback/clicks',
    security: [{ bearer: [] }],
  }),
  access({ roles: ALL_ROLES, scope: 'search' }),
  validate('json', searchBody),
  async (c) => {
    return c.json(await runLoggedSearch(c.var.ctx, c.req.valid('json'), { source: 'search', caller: callerOf(c) }));
  },
);
