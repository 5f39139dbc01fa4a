import { createMiddleware } from 'hono/factory';
import type { ApiEnv } from '../env.ts';

/**
 * Headers on every API response: no MIME sniffing, no referrer leaks, and nothing that belongs to a
 * caller (authenticated, or setting a cookie) ever stored by a browser or shared proxy cache.
 */
export const securityHeaders = createMiddleware<ApiEnv>(async (c, next) => {
  await next();
  c.res.headers.set('X-Content-Type-Options', 'nosniff');
  c.res.headers.set('Referrer-Policy', 'no-referrer');
  const personal = c.var.principal || c.res.headers.has('set-cookie') || c.req.header('authorization') || c.req.header('cookie');
  if (personal && c.req.path.startsWith('/api/v1/')) {
    c.res.headers.set('Cache-Control', 'no-store');
  }
});
