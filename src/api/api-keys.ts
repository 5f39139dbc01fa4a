import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { createApiKey, listApiKeys, revokeApiKey } from '../auth/api-keys.ts';
import { apiScopes } from '../db/schema/index.ts';
import type { ApiEnv } from './env.ts';
import { ALL_ROLES, access, principalOf } from './middleware/access.ts';
import { validate } from './middleware/validate.ts';
import { errorResponses, jsonResponse } from './openapi.ts';

const createBody = z.strictObject({
  name: z.string().trim().min(1, 'name is required').max(100),
  userId: z.uuid('userId must be a uuid').optional(),
  scopes: z.array(z.enum(apiScopes)).min(1, 'give at least one scope').max(apiScopes.length),
  rateLimitPerMin: z.number().int().min(1).max(1_000_000).nullable().optional(),
});

const idParam = z.strictObject({ id: z.uuid('id must be a uuid') });

const keyView = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.enum(apiScopes)),
  userId: z.uuid(),
  userName: z.string(),
  rateLimitPerMin: z.number().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

const newKey = z.object({ id: z.uuid(), name: z.string(), prefix: z.string(), scopes: z.array(z.enum(apiScopes)), userId: z.uuid(), rateLimitPerMin: z.number().nullable(), secret: z.string() });

// Managing keys with a key needs the admin scope; staff manage their own keys from a signed-in session.
const keyAccess = access({ roles: ALL_ROLES, scope: 'admin' });

/** API keys for machines (bots, integrations): act as their owner, narrowed by scopes. */
export const apiKeyRoutes = new Hono<ApiEnv>()
  .get(
    '/api-keys',
    describeRoute({ tags: ['api-keys'], summary: 'List API keys (admins: all keys; others: their own)', responses: { 200: jsonResponse('Keys', z.object({ items: z.array(keyView) })), ...errorResponses(401, 403) } }),
    keyAccess,
    async (c) => c.json({ items: await listApiKeys(c.var.ctx.db, principalOf(c)) }),
  )
  .post(
    '/api-keys',
    describeRoute({
      tags: ['api-keys'],
      summary: 'Create an API key; the secret is in this response only (non-admins: for themselves, scopes their role can use)',
      responses: { 201: jsonResponse('Created (secret shown once)', newKey), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    keyAccess,
    validate('json', createBody),
    async (c) => c.json(await createApiKey(c.var.ctx.db, principalOf(c), c.req.valid('json')), 201),
  )
  .delete(
    '/api-keys/:id',
    describeRoute({ tags: ['api-keys'], summary: 'Revoke an API key (immediate)', responses: { 204: { description: 'Revoked' }, ...errorResponses(400, 401, 403, 404) } }),
    keyAccess,
    validate('param', idParam),
    async (c) => {
      await revokeApiKey(c.var.ctx.db, principalOf(c), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
