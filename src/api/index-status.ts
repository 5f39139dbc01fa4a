import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { indexStatus } from '../embedding/index-status.ts';
import { searchEngineStatus } from '../search/engine/runtime.ts';
import type { ApiEnv } from './env.ts';
import { ALL_ROLES, access } from './middleware/access.ts';

/** GET /index/status -> {pending, failed, vectors, model:{id, dims, state, reason?}, searchMode, searchLog:{buffered, dropped, ...}, keyword:{ready, seq, lagMs, answers, documents, ...}}. */
export const indexStatusRoutes = new Hono<ApiEnv>().get(
  '/index/status',
  describeRoute({ tags: ['search'], summary: 'Embedding index progress and model state', security: [{ bearer: [] }] }),
  access({ roles: ALL_ROLES, scope: 'search' }),
  async (c) => c.json({ ...(await indexStatus(c.var.ctx.db, c.var.ctx.embedding)), searchLog: c.var.ctx.searchLog.stats(), keyword: searchEngineStatus(c.var.ctx.db) }),
);
