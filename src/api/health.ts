import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import { appliedMigrations } from '../db/migrate.ts';
import { searchEngineStatus } from '../search/engine/runtime.ts';
import type { ApiEnv } from './env.ts';

/** Liveness and readiness for load balancers and orchestrators. Both are public and cheap. */
export const healthRoutes = new Hono<ApiEnv>()
  .get('/healthz', (c) => c.json({ ok: true, uptimeSeconds: Math.round((Date.now() - c.var.ctx.startedAt.getTime()) / 1000) }))
  .get('/readyz', async (c) => {
    const { database } = c.var.ctx;
    const checks: Record<string, unknown> = {};
    let ok = true;
    try {
      await database.db.execute(sql`select 1`);
      checks.database = { ok: true, kind: database.kind };
      checks.migrations = { ok: true, applied: await appliedMigrations(database) };
    } catch (err) {
      ok = false;
      checks.database = { ok: false, kind: database.kind, reason: (err as Error).message };
    }
    // The in-memory search engine: built and caught up with the change feed (sequence, lag). A node
    // that lost the database keeps serving its last index but is not ready until it catches up.
    const search = searchEngineStatus(database.db);
    checks.search = search
      ? { ok: search.ready, seq: search.seq, headSeq: search.headSeq, lagMs: search.lagMs, openGaps: search.openGaps, documents: search.documents, answers: search.answers, follow: search.follow, buildMs: search.buildMs, lastError: search.lastError }
      : { ok: false, reason: 'search engine not built' };
    if (!search?.ready) ok = false;
    // Informational: without a model search still works (keyword-only), so readiness stays 200.
    // Informational: the search log drops entries (counted here) rather than slow requests down.
    checks.searchLog = { ok: true, ...c.var.ctx.searchLog.stats() };
    checks.embeddingModel = { ok: true, ...c.var.ctx.embedding.state(), searchMode: c.var.ctx.embedding.state().state === 'ready' ? 'hybrid' : 'keyword' };
    return c.json({ ok, checks }, ok ? 200 : 503);
  });
