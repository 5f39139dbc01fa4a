import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { channels } from '../db/schema/index.ts';
import { searchAnswers } from '../search/search-answers.ts';
import type { ApiEnv } from './env.ts';
import { ALL_ROLES, access } from './middleware/access.ts';
import { validate } from './middleware/validate.ts';

export const searchBody = z.strictObject({
  query: z.string().trim().min(1, 'query must not be empty').max(1000, 'query is limited to 1000 characters'),
  limit: z.number().int().min(1).max(100).optional(),
  offset: z.number().int().min(0).max(10_000).optional(),
  filters: z
    .strictObject({
      category: z.string().min(1).optional(),
      tags: z.array(z.string().min(1)).max(20).optional(),
      channel: z.enum(channels).optional(),
    })
    .optional(),
});

export const searchRoutes = new Hono<ApiEnv>().post(
  '/search',
  describeRoute({ tags: ['search'], summary: 'Search live answers (keyword + semantic)', security: [{ bearer: [] }] }),
  access({ roles: ALL_ROLES, scope: 'search' }),
  validate('json', searchBody),
  async (c) => {
    return c.json(await searchAnswers(c.var.ctx.db, c.req.valid('json')));
  },
);
