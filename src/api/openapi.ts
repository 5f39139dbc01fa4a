import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Hono } from 'hono';
import { generateSpecs, openAPIRouteHandler, resolver, type DescribeRouteOptions, type GenerateSpecOptions } from 'hono-openapi';
import { z } from 'zod';
import { DomainError } from '../errors.ts';
import { errorResponse } from './errors.ts';
import type { ApiEnv } from './env.ts';

/** The API's one error shape, for the docs. */
export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

const errorText: Record<number, string> = {
  400: 'Invalid input (validation_failed, bad_request)',
  401: 'Not signed in, session expired, or invalid/revoked API key',
  403: 'Role or key scope does not allow this, or missing CSRF token on a cookie write',
  404: 'Not found',
  409: 'Conflict',
  429: 'Rate limited (see Retry-After)',
};

/** A JSON response for describeRoute({responses}). */
export function jsonResponse(description: string, schema?: z.ZodType) {
  return schema ? { description, content: { 'application/json': { schema: resolver(schema) } } } : { description };
}

/** Error responses for describeRoute({responses}), all in the error shape. */
export function errorResponses(...statuses: number[]): NonNullable<DescribeRouteOptions['responses']> {
  return Object.fromEntries(statuses.map((s) => [String(s), jsonResponse(errorText[s] ?? 'Error', errorBody)]));
}

/** Security requirement for routes that accept an API key (Bearer) or a staff session cookie. */
export const staffOrKey: DescribeRouteOptions['security'] = [{ bearer: [] }, { session: [] }];
export const publicRoute: DescribeRouteOptions['security'] = [];

export function specOptions(): Partial<GenerateSpecOptions> {
  return {
    documentation: {
      info: {
        title: '知答 Zhida API',
        version: '1',
        description:
          'Knowledge base and search API for bank customer service. Machines authenticate with `Authorization: Bearer <API key>`; ' +
          'staff use the `zhida_session` cookie from POST /api/v1/auth/login and send `x-csrf-token` on writes. ' +
          'Errors are always `{"error":{"code","message","details?"}}`.',
      },
      servers: [{ url: '/', description: 'This server' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API key (zk_…) or the master key ZHIDA_ADMIN_TOKEN' },
          session: { type: 'apiKey', in: 'cookie', name: 'zhida_session', description: 'Staff session from POST /api/v1/auth/login; writes also need the x-csrf-token header' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    // Our validation failures use the API's error shape, not hono-openapi's default.
    defaultValidationErrorResponse: {
      description: 'Invalid input',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['error'],
            properties: {
              error: {
                type: 'object',
                required: ['code', 'message'],
                properties: {
                  code: { type: 'string', enum: ['validation_failed'] },
                  message: { type: 'string' },
                  details: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
                },
              },
            },
          },
        },
      },
    },
  };
}

/** The OpenAPI 3.1 document of everything registered on `app` (tests and tools use it directly). */
export function openApiSpec(app: Hono<ApiEnv>) {
  return generateSpecs(app, specOptions());
}

const swaggerDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const docsHtml = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>知答 Zhida API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/api/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>`;

// A file, not an inline script, so the page works under a strict Content-Security-Policy.
const docsInit = `window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  withCredentials: true,
  persistAuthorization: false,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});`;

// Everything from our own origin: banks run these servers air-gapped. Swagger UI needs inline styles.
const docsCsp = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * Public API documentation: GET /api/openapi.json (generated from every route's describeRoute and
 * validate) and GET /api/docs (Swagger UI, assets served from swagger-ui-dist on this server).
 * Register before the /api/* 404 catch-all.
 */
export function registerApiDocs(app: Hono<ApiEnv>) {
  app.get('/api/openapi.json', openAPIRouteHandler(app, specOptions()));
  app.get('/api/docs', (c) => {
    c.header('Content-Security-Policy', docsCsp);
    return c.html(docsHtml);
  });
  app.get('/api/docs/init.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    return c.body(docsInit);
  });
  app.get('/api/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = assets[file];
    if (!type) return errorResponse(c, new DomainError('not_found', `No docs asset ${file}`));
    c.header('Content-Type', type);
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(new Uint8Array(await readFile(path.join(swaggerDir, file))));
  });
}
