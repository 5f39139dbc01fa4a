import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { ConfigError } from '../config.ts';
import { reloadSettingsAudited } from '../config-reload.ts';
import { conflict } from '../errors.ts';
import type { ApiEnv } from './env.ts';
import { ADMINS, access, principalOf } from './middleware/access.ts';

/**
 * POST /api/v1/admin/reload (admin): re-reads ZHIDA_ENV_FILE on this node and applies what can change
 * without a restart (log level, default rate limit, hand-off threshold), like SIGHUP. Audited.
 */
export const settingsRoutes = new Hono<ApiEnv>().post(
  '/admin/reload',
  describeRoute({
    tags: ['operations'],
    summary: 'Reload ZHIDA_LOG_LEVEL, ZHIDA_RATE_LIMIT_PER_MIN and ZHIDA_HANDOFF_THRESHOLD from ZHIDA_ENV_FILE on this node (admin, audited); same as SIGHUP',
    security: [{ bearer: [] }],
  }),
  access({ roles: ADMINS, scope: 'admin' }),
  async (c) => {
    const { config, log, db } = c.var.ctx;
    try {
      return c.json(await reloadSettingsAudited({ config, log, db }, principalOf(c)));
    } catch (err) {
      // The file vanished or became unreadable since start: the operator's state, not the request.
      if (err instanceof ConfigError) throw conflict(err.message);
      throw err;
    }
  },
);
