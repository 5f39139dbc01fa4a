import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { channels } from '../db/schema/index.ts';
import { botHandoffs, botTurns } from '../metrics/catalog.ts';
import { answerForBot } from '../search/bot-answer.ts';
import type { ApiEnv } from './env.ts';
import { ALL_ROLES, access, callerOf } from './middleware/access.ts';
import { validate } from './middleware/validate.ts';
import { queryText } from './search.ts';

export const botBody = z.strictObject({
  query: queryText,
  sessionId: z.uuid('must be a UUID').optional(),
  channel: z.enum(channels).optional(),
});

export const botRoutes = new Hono<ApiEnv>().post(
  '/bot/answer',
  describeRoute({
    tags: ['bot'],
    summary: 'The chatbot: the bot variant of the best answer, or a hand-off (low confidence, a request for a person, repeated unsure turns) with the transcript',
    security: [{ bearer: [] }],
  }),
  access({ roles: ALL_ROLES, scope: 'bot' }),
  validate('json', botBody),
  async (c) => {
    const ctx = c.var.ctx;
    const reply = await answerForBot({ ...ctx, handoffThreshold: ctx.config.handoffThreshold }, c.req.valid('json'), callerOf(c));
    botTurns.inc({ outcome: reply.handoff ? 'handoff' : 'answered' });
    if (reply.handoff) botHandoffs.inc({ reason: reply.reason ?? 'unknown' });
    return c.json(reply);
  },
);
