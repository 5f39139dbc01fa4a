import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { approveImportBatch, getImportBatch, listImportBatches, rejectImportBatch } from '../answers/import-batches.ts';
import { importBatchStatuses } from '../db/schema/index.ts';
import { notFound } from '../errors.ts';
import type { ApiEnv } from './env.ts';
import { REVIEWERS, STAFF_WRITERS, access, principalOf } from './middleware/access.ts';
import { validate } from './middleware/validate.ts';
import { errorResponses, jsonResponse, staffOrKey } from './openapi.ts';

const idParam = z.strictObject({ id: z.uuid('id must be a uuid') });
const listQuery = z.strictObject({ status: z.enum([...importBatchStatuses, 'all']).optional() });
const approveBody = z.strictObject({ comment: z.string().max(2000).optional() });
const rejectBody = z.strictObject({ comment: z.string().trim().min(1, 'a rejection needs a comment / 驳回必须填写意见').max(2000) });

const personRef = z.object({ id: z.string(), name: z.string() }).nullable();
const batchView = z.object({
  id: z.uuid(),
  status: z.enum(importBatchStatuses),
  importedBy: personRef,
  importer: z.string(),
  source: z.string().nullable(),
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  errors: z.number(),
  reviewer: personRef,
  reviewComment: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  createdAt: z.string(),
});
const batchDetail = batchView.extend({
  items: z.array(
    z.object({
      answerId: z.uuid(),
      externalId: z.string().nullable(),
      versionId: z.uuid(),
      version: z.number(),
      status: z.string(),
      title: z.string(),
      previousVersion: z.number().nullable(),
    }),
  ),
});

const decisionText =
  'Four-eyes: the reviewer must be a person (a signed-in reviewer/admin, or an API key with the import scope that the reviewer created for themselves), ' +
  'must not have imported the batch and must not have contributed to any answer in it. The master key and keys issued by someone else are refused (403 review_needs_person); ' +
  'the importer or a contributor gets 403 four_eyes. Every refusal is audited.';

/**
 * Import batches: `POST /import?publish=true` stages changed answers as one batch; a second reviewer
 * approves (publishes) or rejects it as a whole.
 */
export const importBatchRoutes = new Hono<ApiEnv>()
  .get(
    '/import-batches',
    describeRoute({
      tags: ['import/export'],
      summary: 'List import batches (default: pending_approval), newest first',
      security: staffOrKey,
      responses: { 200: jsonResponse('Batches', z.object({ items: z.array(batchView) })), ...errorResponses(400, 401, 403) },
    }),
    access({ roles: STAFF_WRITERS, scope: 'import' }),
    validate('query', listQuery),
    async (c) => c.json({ items: await listImportBatches(c.var.ctx.db, c.req.valid('query').status) }),
  )
  .get(
    '/import-batches/:id',
    describeRoute({
      tags: ['import/export'],
      summary: 'One import batch with its answers (staged version and the published version it replaces; diff with GET /answers/{answerId}/diff?from=previousVersion&to=version)',
      security: staffOrKey,
      responses: { 200: jsonResponse('Batch', batchDetail), ...errorResponses(400, 401, 403, 404) },
    }),
    access({ roles: STAFF_WRITERS, scope: 'import' }),
    validate('param', idParam),
    async (c) => {
      const batch = await getImportBatch(c.var.ctx.db, c.req.valid('param').id);
      if (!batch) throw notFound('Import batch');
      return c.json(batch);
    },
  )
  .post(
    '/import-batches/:id/approve',
    describeRoute({
      tags: ['import/export'],
      summary: 'Approve an import batch: every staged answer is published at once (reviewer/admin, not the importer)',
      description: decisionText,
      security: staffOrKey,
      responses: { 200: jsonResponse('The approved batch', batchDetail), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    access({ roles: REVIEWERS, scope: 'import' }),
    validate('param', idParam),
    validate('json', approveBody),
    async (c) => c.json(await approveImportBatch(c.var.ctx.db, principalOf(c), c.req.valid('param').id, c.req.valid('json').comment)),
  )
  .post(
    '/import-batches/:id/reject',
    describeRoute({
      tags: ['import/export'],
      summary: 'Reject an import batch as a whole, with a comment (reviewer/admin, not the importer); nothing is published',
      description: decisionText,
      security: staffOrKey,
      responses: { 200: jsonResponse('The rejected batch', batchDetail), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    access({ roles: REVIEWERS, scope: 'import' }),
    validate('param', idParam),
    validate('json', rejectBody),
    async (c) => c.json(await rejectImportBatch(c.var.ctx.db, principalOf(c), c.req.valid('param').id, c.req.valid('json').comment)),
  );
