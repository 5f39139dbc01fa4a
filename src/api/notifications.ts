import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { notificationsFor } from '../analytics/notifications.ts';
import { reviewNoticesFor } from '../answers/review-notices.ts';
import type { ApiEnv } from './env.ts';
import { ALL_ROLES, REVIEWERS, access, principalOf } from './middleware/access.ts';

/**
 * GET /notifications: the signed-in user's bell: reminders about answers they own (review due,
 * expiring) in `items`, and review events in `reviews` (their versions rejected or approved;
 * for reviewers, submissions by others waiting for a decision).
 */
export const notificationRoutes = new Hono<ApiEnv>().get(
  '/notifications',
  describeRoute({
    tags: ['analytics'],
    summary: 'The caller\'s bell: reminders (owned answers due for review or expiring within 30 days) and review events (rejected, approved, awaiting my review)',
    security: [{ bearer: [] }],
  }),
  access({ roles: ALL_ROLES, scope: 'answers' }),
  async (c) => {
    const p = principalOf(c);
    // The master key owns no answers: it has nothing to be reminded of.
    if (!p.userId) return c.json({ items: [], reviews: [] });
    const items = await notificationsFor(c.var.ctx.db, p.userId);
    const reviews = await reviewNoticesFor(c.var.ctx.db, p.userId, REVIEWERS.includes(p.role));
    return c.json({ items, reviews });
  },
);
