import { createMiddleware } from 'hono/factory';
import { allows } from '../../auth/principal.ts';
import { hitRateLimit } from '../../auth/rate-limit.ts';
import type { ApiScope, Role } from '../../db/schema/index.ts';
import { forbidden, rateLimited, unauthorized } from '../../errors.ts';
import type { ApiEnv } from '../env.ts';

export const ALL_ROLES: readonly Role[] = ['admin', 'reviewer', 'editor', 'agent'];
export const STAFF_WRITERS: readonly Role[] = ['admin', 'reviewer', 'editor'];
export const REVIEWERS: readonly Role[] = ['admin', 'reviewer'];
export const ADMINS: readonly Role[] = ['admin'];

/**
 * Guards a route: the caller must be authenticated, hold one of `roles`, and (API keys) carry
 * `scope`. API keys are rate limited per key (429 with Retry-After).
 *
 * @example
 * app.post('/search', access({ roles: ALL_ROLES, scope: 'search' }), handler)
 */
export function access(opts: { roles: readonly Role[]; scope: ApiScope | 'any' }) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const p = c.var.principal;
    if (!p) throw unauthorized();
    if (!allows(p, opts)) throw forbidden(`This needs role ${opts.roles.join('/')}${p.kind === 'api_key' ? ` and scope "${opts.scope}"` : ''}`);
    if (p.kind === 'api_key') {
      const limit = p.rateLimitPerMin ?? c.var.ctx.config.rateLimitPerMin;
      const d = await hitRateLimit(c.var.ctx.db, `key:${p.keyId}`, limit);
      c.header('X-RateLimit-Limit', String(limit));
      c.header('X-RateLimit-Remaining', String(Math.max(0, limit - d.count)));
      if (!d.allowed) {
        throw rateLimited(`Rate limit of ${limit} requests per minute exceeded`, d.retryAfter);
      }
    }
    await next();
  });
}

/** The acting principal inside a guarded handler. */
export function principalOf(c: { var: ApiEnv['Variables'] }) {
  const p = c.var.principal;
  if (!p) throw unauthorized();
  return p;
}

/** The caller as the search log records it (the key and/or the user behind the request). */
export const callerOf = (c: Parameters<typeof principalOf>[0]) => {
  const p = principalOf(c);
  return { apiKeyId: p.keyId, userId: p.userId };
};
