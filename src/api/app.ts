import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import type { AppContext } from '../context.ts';
import { DomainError } from '../errors.ts';
import { localWriteEpoch } from '../search/engine/feed.ts';
import { searchRuntime } from '../search/engine/runtime.ts';
import { errorResponse, handleError } from './errors.ts';
import type { ApiEnv } from './env.ts';
import { healthRoutes } from './health.ts';
import { httpMetrics, metricsRoutes } from './metrics.ts';
import { indexStatusRoutes } from './index-status.ts';
import { analyticsRoutes } from './analytics.ts';
import { notificationRoutes } from './notifications.ts';
import { botSessionRoutes } from './bot-sessions.ts';
import { apiKeyRoutes } from './api-keys.ts';
import { auditRoutes } from './audit.ts';
import { backupRoutes } from './backup.ts';
import { settingsRoutes } from './settings.ts';
import { authRoutes } from './auth.ts';
import { authenticate } from './middleware/authenticate.ts';
import { inputGuard } from './middleware/input-guard.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { registerApiDocs } from './openapi.ts';
import { searchRoutes } from './search.ts';
import { botRoutes } from './bot.ts';
import { assistRoutes } from './assist.ts';
import { feedbackRoutes } from './feedback.ts';
import { synonymRoutes } from './synonyms.ts';
import { answerRoutes } from './answers.ts';
import { categoryRoutes } from './categories.ts';
import { transferRoutes } from './transfer.ts';
import { importBatchRoutes } from './import-batches.ts';
import { userRoutes } from './users.ts';

/** The whole HTTP API: /healthz, /readyz, /metrics and /api/v1/*. Pure fetch handler; no Node specifics. */
export function createApi(ctx: AppContext) {
  const app = new Hono<ApiEnv>();
  app.use(requestId());
  app.use(httpMetrics);
  app.use(async (c, next) => {
    c.set('ctx', ctx);
    const log = ctx.log.child({ reqId: c.var.requestId });
    c.set('log', log);
    const started = performance.now();
    await next();
    log.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });
  app.onError(handleError);
  app.use(securityHeaders);
  // The node that wrote applies its own change to its search engine before answering (other nodes
  // follow the change feed within a second). A no-op unless this request appended to the feed.
  // A request that appended to the feed (its transaction has committed by now) catches up
  // unconditionally: a background poll may have read the feed between the append and the commit.
  app.use(async (c, next) => {
    const epoch = localWriteEpoch();
    await next();
    if (localWriteEpoch() !== epoch) await searchRuntime(ctx.db).sync().catch((err) => c.var.log.warn({ err: (err as Error).message }, 'search engine catch-up failed'));
  });
  app.route('/', healthRoutes);
  app.route('/', metricsRoutes({ token: ctx.config.metrics.token, open: false }));

  const v1 = new Hono<ApiEnv>();
  v1.use(
    bodyLimit({
      maxSize: ctx.config.maxBodyBytes,
      onError: (c) => errorResponse(c, new DomainError('payload_too_large', `Request body exceeds ${ctx.config.maxBodyBytes} bytes`)),
    }),
  );
  v1.use(authenticate);
  v1.use(inputGuard);
  v1.route('/', searchRoutes);
  v1.route('/', botRoutes);
  v1.route('/', assistRoutes);
  v1.route('/', feedbackRoutes);
  v1.route('/', synonymRoutes);
  v1.route('/', indexStatusRoutes);
  v1.route('/', authRoutes);
  v1.route('/', userRoutes);
  v1.route('/', analyticsRoutes);
  v1.route('/', notificationRoutes);
  v1.route('/', botSessionRoutes);
  v1.route('/', apiKeyRoutes);
  v1.route('/', auditRoutes);
  v1.route('/', backupRoutes);
  v1.route('/', settingsRoutes);
  v1.route('/', answerRoutes);
  v1.route('/', categoryRoutes);
  v1.route('/', transferRoutes);
  v1.route('/', importBatchRoutes);
  app.route('/api/v1', v1);
  registerApiDocs(app);
  app.all('/api/*', (c) => errorResponse(c, new DomainError('not_found', `No route ${c.req.method} ${c.req.path}`)));
  return app;
}
