import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { notificationsFor } from '../analytics/notifications.ts';
import type { ApiEnv } from './env.ts';
import { ALL_ROLES, access, principalOf } from './middleware/access.ts';

/** GET /notifications: the signed-in user's reminders about answers they own (shown in the app header). */
export const notificationRoutes = new Hono<ApiEnv>().get(
  '/notifications',
  describeRoute({ tags: ['analytics'], summary: 'Reminders for the caller: owned answers due for review or expiring within 30 days', security: [{ bearer: [] }] }),
  access({ roles: ALL_ROLES, scope: 'answers' }),
  async (c) => {
    const p = principalOf(c);
    // The master key owns no answers: it has nothing to be reminded of.
    const items = p.userId ? await notificationsFor(c.var.ctx.db, p.userId) : [];
    return c.json({ items });
  },
);
