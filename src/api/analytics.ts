import { Hono, type Context } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { answerUsage } from '../analytics/answer-usage.ts';
import { toCsv } from '../analytics/csv.ts';
import { freshnessList } from '../analytics/freshness.ts';
import { dismissGap, restoreGap } from '../analytics/gap-dismissals.ts';
import { gapList } from '../analytics/gap-list.ts';
import { analyticsOverview } from '../analytics/overview.ts';
import { periodQuery, resolvePeriod, type Period } from '../analytics/period.ts';
import { lowConfidenceThreshold } from '../analytics/thresholds.ts';
import { topQueries } from '../analytics/top-queries.ts';
import { gapDismissalKinds } from '../db/schema/index.ts';
import { badRequest } from '../errors.ts';
import type { ApiEnv } from './env.ts';
import { REVIEWERS, access, principalOf } from './middleware/access.ts';
import { validate } from './middleware/validate.ts';

const tableQuery = periodQuery.extend({
  format: z.enum(['json', 'csv']).optional(),
  limit: z.coerce.number().int().min(1).max(2000).optional(),
});
type TableQuery = z.infer<typeof tableQuery>;
const gapQuery = tableQuery.extend({ dismissed: z.enum(['1', '0', 'true', 'false']).optional() });
const gapQueries = z.array(z.string().trim().min(1).max(500)).min(1).max(100);
const dismissBody = z.strictObject({ queries: gapQueries, kind: z.enum(gapDismissalKinds) });
const restoreBody = z.strictObject({ queries: gapQueries });

function periodOf(q: TableQuery): Period {
  try {
    return resolvePeriod(q);
  } catch (e) {
    throw badRequest((e as Error).message);
  }
}

/** JSON {items} or, with ?format=csv, a CSV download of the same rows. */
function table(c: Context<ApiEnv>, name: string, q: TableQuery, items: object[], columns: string[]) {
  if (q.format !== 'csv') return c.json({ items });
  c.header('Content-Type', 'text/csv; charset=utf-8');
  c.header('Content-Disposition', `attachment; filename="zhida-${name}-${new Date().toISOString().slice(0, 10)}.csv"`);
  return c.body(toCsv(items as Record<string, unknown>[], columns));
}

const guard = () => access({ roles: REVIEWERS, scope: 'answers' });
const doc = (summary: string) => describeRoute({ tags: ['analytics'], summary, security: [{ bearer: [] }] });

/** /analytics/*: reviewers and admins (keys need the answers scope). ?from=&to= (dates) or ?days=N. */
export const analyticsRoutes = new Hono<ApiEnv>()
  // Reports include the searches of the last moments: write the log's buffer before reading it.
  .use('/analytics/*', async (c, next) => {
    await c.var.ctx.searchLog.flush();
    await next();
  })
  .get('/analytics/overview', doc('Searches per day by channel and the rates: hand-off, click-through, helpful, zero-result, low-confidence, p95 latency'), guard(), validate('query', tableQuery), async (c) => {
    const q = c.req.valid('query');
    const o = await analyticsOverview(c.var.ctx.db, periodOf(q), lowConfidenceThreshold(c.var.ctx.config));
    if (q.format !== 'csv') return c.json(o);
    const items = o.daily.map(({ byChannel, ...d }) => ({ ...d, ...Object.fromEntries(o.channels.map((ch) => [`searches_${ch}`, byChannel[ch] ?? 0])) }));
    const columns = ['day', 'searches', ...o.channels.map((ch) => `searches_${ch}`), 'botTurns', 'handoffs', 'handoffRate', 'clickThrough', 'feedback', 'helpfulRate', 'zeroResultRate', 'lowConfidenceRate', 'p95LatencyMs'];
    return table(c, 'daily', q, items, columns);
  })
  .get('/analytics/top-queries', doc('Most asked queries (by normalised form)'), guard(), validate('query', tableQuery), async (c) => {
    const q = c.req.valid('query');
    const items = await topQueries(c.var.ctx.db, periodOf(q), lowConfidenceThreshold(c.var.ctx.config), q.limit ?? 50);
    return table(c, 'top-queries', q, items, ['query', 'normalised', 'count', 'zeroResults', 'lowConfidence', 'clickThrough', 'lastSeenAt']);
  })
  .get('/analytics/gaps', doc('Gap list: zero-result and low-confidence queries grouped by similarity (?dismissed=1: the dismissed / out-of-scope ones)'), guard(), validate('query', gapQuery), async (c) => {
    const q = c.req.valid('query');
    const items = await gapList(c.var.ctx.db, periodOf(q), lowConfidenceThreshold(c.var.ctx.config), q.limit ?? 100, { dismissed: q.dismissed === '1' || q.dismissed === 'true' });
    return table(c, 'gaps', q, items, ['query', 'count', 'zeroResults', 'lowConfidence', 'lastSeenAt', 'variants', 'candidateAnswerId', 'candidate', 'addedTo']);
  })
  .post('/analytics/gaps/dismiss', doc('Take gap wordings off the list: kind "dismissed" (noise) or "out_of_scope" (audited, reversible)'), guard(), validate('json', dismissBody), async (c) => {
    const body = c.req.valid('json');
    return c.json(await dismissGap(c.var.ctx.db, principalOf(c), body.queries, body.kind));
  })
  .post('/analytics/gaps/restore', doc('Put dismissed gap wordings back on the list (audited)'), guard(), validate('json', restoreBody), async (c) => {
    return c.json(await restoreGap(c.var.ctx.db, principalOf(c), c.req.valid('json').queries));
  })
  .get('/analytics/answers', doc('Per-answer usage and feedback'), guard(), validate('query', tableQuery), async (c) => {
    const q = c.req.valid('query');
    const items = await answerUsage(c.var.ctx.db, periodOf(q), q.limit ?? 200);
    return table(c, 'answer-usage', q, items, ['answerId', 'title', 'category', 'servedFirst', 'clicks', 'helpful', 'notHelpful', 'helpfulRate', 'comments', 'lastServedAt']);
  })
  .get('/analytics/freshness', doc('Live answers due for review or expiring in the next 30 days'), guard(), validate('query', tableQuery), async (c) => {
    const q = c.req.valid('query');
    const items = await freshnessList(c.var.ctx.db, { limit: q.limit ?? 1000 });
    return table(c, 'freshness', q, items, ['answerId', 'externalId', 'title', 'category', 'owner', 'reviewDueAt', 'expiresAt', 'states', 'daysLeft']);
  });
