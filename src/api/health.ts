import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { sql } from 'drizzle-orm';
import { principalFromBearer, principalFromSession } from '../auth/authenticate.ts';
import type { Principal } from '../auth/principal.ts';
import { appliedMigrations } from '../db/migrate.ts';
import { searchEngineStatus } from '../search/engine/runtime.ts';
import { safeErrorMessage } from '../db/errors.ts';
import type { ApiEnv } from './env.ts';
import { SESSION_COOKIE } from './middleware/authenticate.ts';

/** The caller when it is an admin (master key, admin's key with the admin scope, admin session); else null. */
async function adminCaller(c: Context<ApiEnv>): Promise<Principal | null> {
  const { db } = c.var.ctx;
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  const cookie = getCookie(c, SESSION_COOKIE);
  const principal = bearer ? await principalFromBearer(db, bearer) : cookie ? (await principalFromSession(db, cookie))?.principal : null;
  if (!principal) return null;
  if (principal.kind === 'master') return principal;
  const scoped = principal.kind !== 'api_key' || principal.scopes === 'all' || principal.scopes.includes('admin');
  return principal.role === 'admin' && scoped ? principal : null;
}

/**
 * Liveness and readiness for load balancers and orchestrators. Both are public and cheap; the
 * public /readyz answer is a status only, while admins also see the checks (database kind,
 * migrations, model state) — data-directory paths and raw errors are not for everyone.
 */
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
      checks.database = { ok: false, kind: database.kind, reason: safeErrorMessage(err) };
    }
    // The in-memory search engine: built and caught up with the change feed (sequence, lag). A node
    // that lost the database keeps serving its last index but is not ready until it catches up.
    const search = searchEngineStatus(database.db);
    checks.search = search
      ? { ok: search.ready, seq: search.seq, headSeq: search.headSeq, lagMs: search.lagMs, openGaps: search.openGaps, documents: search.documents, answers: search.answers, follow: search.follow, buildMs: search.buildMs, lastError: search.lastError }
      : { ok: false, reason: 'search engine not built' };
    if (!search?.ready) ok = false;
    const status = ok ? 200 : 503;
    c.header('Cache-Control', 'no-store');
    if (!(await adminCaller(c).catch(() => null))) return c.json({ ok, status: ok ? 'ready' : 'not_ready' }, status);
    // Informational: without a model search still works (keyword-only), so readiness stays 200.
    // Informational: the search log drops entries (counted here) rather than slow requests down.
    checks.searchLog = { ok: true, ...c.var.ctx.searchLog.stats() };
    checks.embeddingModel = { ok: true, ...c.var.ctx.embedding.state(), searchMode: c.var.ctx.embedding.state().state === 'ready' ? 'hybrid' : 'keyword' };
    return c.json({ ok, status: ok ? 'ready' : 'not_ready', checks }, status);
  });
