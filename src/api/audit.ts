import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { isoInstantString } from '../input.ts';
import { listAuditEntries } from '../audit/list-entries.ts';
import { verifyAuditChain } from '../audit/record.ts';
import type { ApiEnv } from './env.ts';
import { ADMINS, access } from './middleware/access.ts';
import { validate } from './middleware/validate.ts';
import { errorResponses, jsonResponse } from './openapi.ts';

const instant = isoInstantString;

const auditQuery = z.strictObject({
  action: z.string().max(100).optional(),
  entityType: z.string().max(100).optional(),
  entityId: z.string().max(200).optional(),
  actorId: z.string().max(200).optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  before: z.coerce.number().int().min(1).optional(),
});

const entry = z.object({
  id: z.number(),
  at: z.string(),
  actorKind: z.enum(['user', 'api_key', 'master', 'system']),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  entityType: z.string().nullable(),
  entityId: z.string().nullable(),
  details: z.unknown(),
});

/** The hash-chained audit trail (admin): filtered listing and a full chain check. */
export const auditRoutes = new Hono<ApiEnv>()
  .get(
    '/audit',
    describeRoute({
      tags: ['audit'],
      summary: 'Audit log, newest first (admin). Page with before=<nextBefore>',
      responses: { 200: jsonResponse('Entries', z.object({ items: z.array(entry), nextBefore: z.number().nullable() })), ...errorResponses(400, 401, 403) },
    }),
    access({ roles: ADMINS, scope: 'admin' }),
    validate('query', auditQuery),
    async (c) => c.json(await listAuditEntries(c.var.ctx.db, c.req.valid('query'))),
  )
  .get(
    '/audit/verify',
    describeRoute({
      tags: ['audit'],
      summary: 'Recompute the whole hash chain (admin): ok, entries checked, and the first altered/missing entry',
      responses: { 200: jsonResponse('Result', z.object({ ok: z.boolean(), checked: z.number(), firstBadId: z.number().optional() })), ...errorResponses(401, 403) },
    }),
    access({ roles: ADMINS, scope: 'admin' }),
    async (c) => c.json(await verifyAuditChain(c.var.ctx.db)),
  );
