import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { suggestForConversation } from '../search/assist-suggest.ts';
import type { ApiEnv } from './env.ts';
import { ALL_ROLES, access, callerOf } from './middleware/access.ts';
import { validate } from './middleware/validate.ts';
import { MAX_QUERY_CHARS, searchFilters } from './search.ts';

export const assistBody = z.strictObject({
  messages: z
    .array(z.strictObject({ role: z.enum(['customer', 'agent']), text: z.string().max(MAX_QUERY_CHARS, `each message is limited to ${MAX_QUERY_CHARS} characters`) }))
    .min(1, 'messages must not be empty')
    .max(200)
    .refine((ms) => ms.some((m) => m.text.trim().length > 0), 'at least one message must have text'),
  limit: z.number().int().min(1).max(20).optional(),
  filters: searchFilters.optional(),
});

export const assistRoutes = new Hono<ApiEnv>().post(
  '/assist/suggest',
  describeRoute({ tags: ['assist'], summary: 'Answer suggestions for an agent from the conversation so far (recent customer turns weigh most)', security: [{ bearer: [] }] }),
  access({ roles: ALL_ROLES, scope: 'assist' }),
  validate('json', assistBody),
  async (c) => {
    return c.json(await suggestForConversation(c.var.ctx, c.req.valid('json'), callerOf(c)));
  },
);
