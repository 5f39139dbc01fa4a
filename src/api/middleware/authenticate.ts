import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { principalFromBearer, principalFromSession } from '../../auth/authenticate.ts';
import { safeEqual } from '../../auth/secrets.ts';
import { DomainError, unauthorized } from '../../errors.ts';
import type { ApiEnv } from '../env.ts';

export const SESSION_COOKIE = 'zhida_session';
export const CSRF_HEADER = 'x-csrf-token';
const LOGIN_PATH = '/api/v1/auth/login';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Identifies the caller, if any, and sets c.var.principal. A bearer token that matches nothing is a
 * 401 at once (a misconfigured bot should hear so). Cookie sessions must echo their CSRF token in
 * the x-csrf-token header on every write.
 */
export const authenticate = createMiddleware<ApiEnv>(async (c, next) => {
  // Signing in needs no identity; a stale cookie or a forgotten CSRF header must not block it.
  if (c.req.method === 'POST' && c.req.path === LOGIN_PATH) return next();
  const { db } = c.var.ctx;
  const header = c.req.header('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized('Authorization header must be "Bearer <key>"');
    const principal = await principalFromBearer(db, match[1]!);
    if (!principal) throw unauthorized('Invalid or revoked API key');
    c.set('principal', principal);
    return next();
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  if (cookie) {
    const found = await principalFromSession(db, cookie);
    if (found) {
      if (!SAFE_METHODS.has(c.req.method) && !safeEqual(c.req.header(CSRF_HEADER) ?? '', found.csrfToken)) {
        throw new DomainError('csrf', 'Missing or invalid CSRF token (send the x-csrf-token header)');
      }
      c.set('principal', found.principal);
    }
  }
  return next();
});
