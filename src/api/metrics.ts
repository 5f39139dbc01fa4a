import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { httpDuration, httpRequests } from '../metrics/catalog.ts';
import { scrapeMetrics } from '../metrics/registry.ts';
import { DomainError, unauthorized } from '../errors.ts';
import { errorResponse } from './errors.ts';
import type { ApiEnv } from './env.ts';

/**
 * The route pattern a request matched (`/api/v1/answers/:id`), never its raw path, so the number of
 * series stays bounded. The first method-specific route wins (the one Hono runs); middleware and the
 * `/api/*` catch-all are `ALL` routes and do not name a route.
 */
export function routeLabel(c: Parameters<MiddlewareHandler<ApiEnv>>[0]): string {
  const route = matchedRoutes(c).find((r) => r.method !== 'ALL');
  return route?.path ?? 'unmatched';
}

/** Counts and times every API request by route pattern, method and status. */
export const httpMetrics: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const started = performance.now();
  await next();
  const route = routeLabel(c);
  const status = c.res.status;
  httpRequests.inc({ route, method: c.req.method, status });
  httpDuration.observe({ route, method: c.req.method, status_class: `${Math.floor(status / 100)}xx` }, (performance.now() - started) / 1000);
};

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison of a presented bearer token with the configured one. */
export function metricsTokenMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '';
  // Equal-length digests: timingSafeEqual leaks neither the token nor its length.
  return timingSafeEqual(digest(presented), digest(token));
}

/**
 * GET /metrics in the Prometheus text format. `requireToken`: the scrape token (ZHIDA_METRICS_TOKEN);
 * `undefined` on the main port means metrics are off there (404), on the separate metrics listener it
 * means no token is asked for (that listener binds to 127.0.0.1 unless told otherwise).
 */
export function metricsRoutes(options: { token?: string; open: boolean }) {
  return new Hono().get('/metrics', async (c) => {
    if (options.token === undefined && !options.open) {
      return errorResponse(c, new DomainError('not_found', 'Metrics are off on this port: set ZHIDA_METRICS_TOKEN or ZHIDA_METRICS_PORT'));
    }
    if (options.token !== undefined && !metricsTokenMatches(c.req.header('authorization'), options.token)) {
      c.header('WWW-Authenticate', 'Bearer realm="metrics"');
      return errorResponse(c, unauthorized('A valid metrics scrape token is required'));
    }
    const { body, contentType } = await scrapeMetrics();
    return c.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' });
  });
}
