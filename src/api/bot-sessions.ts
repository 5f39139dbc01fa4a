import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { answerCards } from '../analytics/answer-cards.ts';
import { botTranscript } from '../analytics/bot-transcript.ts';
import { recordAudit } from '../audit/record.ts';
import { notFound } from '../errors.ts';
import type { ApiEnv } from './env.ts';
import { ALL_ROLES, access, principalOf } from './middleware/access.ts';
import { validate } from './middleware/validate.ts';

const uuid = z.uuid('must be a UUID');

/**
 * What the agent assist panel reads besides suggestions: the transcript a bot session hands over, and
 * the live answers it shows (formatted text and freshness). Every staff role; keys need the assist
 * scope — the narrow key an embedded panel carries.
 */
export const botSessionRoutes = new Hono<ApiEnv>()
  .get(
    '/bot/sessions/:id',
    describeRoute({
      tags: ['assist'],
      summary: 'The transcript of a chatbot session (what the agent receives at hand-off)',
      description:
        'Sessions are bound to the caller that opened them: the same API key (or the same signed-in user) reads them; after a hand-off, staff signed in ' +
        'as themselves (the agents who take over) may read them too, and each such read is audited. Any other caller, including other API keys, gets 404.',
      security: [{ bearer: [] }],
    }),
    access({ roles: ALL_ROLES, scope: 'assist' }),
    validate('param', z.object({ id: uuid })),
    async (c) => {
      const p = principalOf(c);
      const id = c.req.valid('param').id;
      const t = await botTranscript(c.var.ctx.db, id, { apiKeyId: p.keyId, userId: p.userId, staffSession: p.kind === 'user' });
      if (!t) throw notFound('Bot session');
      if (p.kind === 'user') {
        await c.var.ctx.db.transaction((tx) => recordAudit(tx, p, { action: 'bot_session.transcript_read', entityType: 'bot_session', entityId: t.sessionId, details: { handedOffAt: t.handedOffAt } }));
      }
      return c.json(t);
    },
  )
  .get(
    '/assist/answers',
    describeRoute({ tags: ['assist'], summary: 'Live answers for the assist panel: formatted body, bot text, review and expiry dates', security: [{ bearer: [] }] }),
    access({ roles: ALL_ROLES, scope: 'assist' }),
    validate('query', z.object({ ids: z.string().transform((s) => s.split(',').filter(Boolean)).pipe(z.array(uuid).min(1).max(50)) })),
    async (c) => c.json({ items: await answerCards(c.var.ctx.db, c.req.valid('query').ids) }),
  );
