import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { recordClick, recordFeedback } from '../search/feedback.ts';
import type { ApiEnv } from './env.ts';
import { ALL_ROLES, access, callerOf } from './middleware/access.ts';
import { validate } from './middleware/validate.ts';

const uuid = z.uuid('must be a UUID');

export const feedbackBody = z
  .strictObject({
    searchId: uuid.optional(),
    sessionId: uuid.optional(),
    answerId: uuid,
    helpful: z.boolean(),
    comment: z.string().max(2000).optional(),
  })
  .refine((f) => f.searchId || f.sessionId, { message: 'searchId or sessionId is required', path: ['searchId'] });

export const clickBody = z.strictObject({
  searchId: uuid,
  answerId: uuid,
  position: z.number().int().min(0).max(10_000).optional(),
  action: z.enum(['open', 'copy', 'insert']).optional(),
});

export const feedbackRoutes = new Hono<ApiEnv>()
  .post(
    '/feedback',
    describeRoute({ tags: ['assist'], summary: 'Helpful / not helpful on an answer a search or bot session showed', security: [{ bearer: [] }] }),
    access({ roles: ALL_ROLES, scope: 'assist' }),
    validate('json', feedbackBody),
    async (c) => c.json(await recordFeedback(c.var.ctx, c.req.valid('json'), callerOf(c)), 201),
  )
  .post(
    '/feedback/click',
    describeRoute({ tags: ['assist'], summary: 'A search result was opened, copied or inserted (click-through)', security: [{ bearer: [] }] }),
    access({ roles: ALL_ROLES, scope: 'assist' }),
    validate('json', clickBody),
    async (c) => c.json(await recordClick(c.var.ctx, c.req.valid('json'), callerOf(c)), 201),
  );
