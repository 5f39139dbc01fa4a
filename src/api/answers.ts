import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { archiveAnswer, unarchiveAnswer } from '../answers/archive.ts';
import { versionFieldsShape } from '../answers/content-input.ts';
import { createAnswer } from '../answers/create.ts';
import { getAnswer, listVersions, readerView } from '../answers/detail.ts';
import { diffAnswerVersions } from '../answers/diff.ts';
import { saveDraft } from '../answers/draft.ts';
import { listAnswers } from '../answers/list.ts';
import { restoreVersion } from '../answers/restore.ts';
import { approveVersion, rejectVersion, submitVersion, withdrawVersion } from '../answers/transitions.ts';
import { channels, versionStatuses } from '../db/schema/index.ts';
import { notFound } from '../errors.ts';
import type { ApiEnv } from './env.ts';
import { ALL_ROLES, REVIEWERS, STAFF_WRITERS, access, principalOf } from './middleware/access.ts';
import { validate } from './middleware/validate.ts';
import { errorResponses, jsonResponse, staffOrKey } from './openapi.ts';

const etag = z.string().min(1, 'etag is required (from GET /answers/:id)').max(100);
const fields = z.strictObject(versionFieldsShape).partial();

const createBody = fields.extend({
  title: versionFieldsShape.title,
  externalId: z.string().trim().min(1).max(200).optional(),
});
const draftBody = fields.extend({ etag });
const etagBody = z.strictObject({ etag });
const approveBody = z.strictObject({ etag, comment: z.string().max(2000).optional() });
const rejectBody = z.strictObject({ etag, comment: z.string().trim().min(1, 'a rejection needs a comment / 驳回必须填写意见').max(2000) });
const archiveBody = z.strictObject({ etag, reason: z.string().trim().max(500).optional() });
const restoreBody = z.strictObject({ etag, version: z.number().int().min(1) });
const idParam = z.strictObject({ id: z.uuid('id must be a uuid') });

const flag = z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const listQuery = z.strictObject({
  q: z.string().max(200).optional(),
  status: z.enum(versionStatuses).optional(),
  category: z.string().max(500).optional(),
  tag: z.string().max(100).optional(),
  channel: z.enum(channels).optional(),
  owner: z.union([z.literal('me'), z.uuid()]).optional(),
  review: z.enum(['due', 'expiring']).optional(),
  needsMyReview: flag.optional(),
  mine: flag.optional(),
  archived: flag.optional(),
  sort: z.enum(['updated', 'title', 'reviewDue']).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).optional(),
});
const diffQuery = z.strictObject({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) });

const writeResult = z.object({ id: z.uuid(), etag: z.string(), version: z.object({ id: z.uuid(), number: z.number(), status: z.enum(versionStatuses) }) });
const userRef = z.object({ id: z.string(), name: z.string() }).nullable();
const versionObject = z.object({
  id: z.uuid(),
  number: z.number(),
  status: z.enum(versionStatuses),
  title: z.string(),
  similarQuestions: z.array(z.string()),
  body: z.unknown(),
  bodyHtml: z.string(),
  bodyText: z.string(),
  botText: z.string(),
  botTextDerived: z.boolean(),
  category: z.string().nullable(),
  tags: z.array(z.string()),
  channels: z.array(z.enum(channels)),
  effectiveFrom: z.string().nullable(),
  expiresAt: z.string().nullable(),
  reviewDueAt: z.string().nullable(),
  author: userRef,
  reviewer: userRef,
  reviewComment: z.string().nullable(),
  restoredFrom: z.number().nullable(),
  contributorIds: z.array(z.string()).describe('Everyone who wrote or submitted the version (four-eyes: none of them may approve it)'),
  submittedAt: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  publishedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const answerObject = z.object({
  id: z.uuid(),
  externalId: z.string().nullable(),
  etag: z.string(),
  archived: z.boolean(),
  owner: userRef,
  live: versionObject.nullable(),
  working: versionObject.nullable(),
  versions: z.array(versionObject.pick({ id: true, number: true, status: true, title: true, author: true, reviewer: true, reviewComment: true, createdAt: true, submittedAt: true, reviewedAt: true, publishedAt: true, restoredFrom: true })),
});
const listItem = z.object({
  id: z.uuid(),
  externalId: z.string().nullable(),
  title: z.string(),
  status: z.enum(versionStatuses),
  liveNumber: z.number().nullable(),
  workingStatus: z.enum(['draft', 'in_review', 'rejected']).nullable(),
  category: z.string().nullable(),
  tags: z.array(z.string()),
  channels: z.array(z.string()),
  owner: userRef,
  updatedAt: z.string(),
  reviewDueAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  archived: z.boolean(),
});
const diffObject = z.object({
  from: z.number(),
  to: z.number(),
  fields: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown(), changed: z.boolean(), added: z.array(z.string()).optional(), removed: z.array(z.string()).optional() })),
  similarQuestions: z.object({ added: z.array(z.string()), removed: z.array(z.string()) }),
  body: z.array(z.object({ op: z.enum(['equal', 'insert', 'delete']), text: z.string() })),
  bodyHtml: z.string().describe('The new body as rich text with <ins>/<del> and classes diff-ins/diff-del/diff-format marking changes (sanitised)'),
});

/** A principal that reads answers but never writes them (agents): sees live content only. */
const isReaderOnly = (p: { kind: string; role: string }) => p.kind !== 'master' && !STAFF_WRITERS.includes(p.role as never);

const writeDoc = (summary: string, extra = '') =>
  describeRoute({
    tags: ['answers'],
    summary,
    description: `${extra} Send the etag from the last read; a stale etag answers 409 {code:'conflict', details:{current: Answer}}. Illegal transitions answer 409 {code:'invalid_transition'}.`.trim(),
    security: staffOrKey,
    responses: { 200: jsonResponse('New etag and the version touched', writeResult), ...errorResponses(400, 401, 403, 404, 409) },
  });

/** Answers: create, read, draft editing, review workflow, archive, restore, history and diff. */
export const answerRoutes = new Hono<ApiEnv>()
  .post(
    '/answers',
    describeRoute({
      tags: ['answers'],
      summary: 'Create an answer (version 1, draft)',
      description: 'Body as tiptap JSON (`body`), `bodyHtml` or `bodyMarkdown` (sanitised server-side). The category must exist (422 unknown_category). 409 external_id_taken.',
      security: staffOrKey,
      responses: { 201: jsonResponse('Created', writeResult), ...errorResponses(400, 401, 403, 409) },
    }),
    access({ roles: STAFF_WRITERS, scope: 'answers' }),
    validate('json', createBody),
    async (c) => c.json(await createAnswer(c.var.ctx.db, principalOf(c), c.req.valid('json')), 201),
  )
  .get(
    '/answers',
    describeRoute({
      tags: ['answers'],
      summary: 'List answers (filters, sort, pages)',
      description: `status filters on the newest version. review=due: review date within 14 days or past; review=expiring: expires within 14 days. needsMyReview=1: in review and not written by me. mine=1: my unfinished work (draft, in review, rejected). Agents see live, unarchived answers only (as they are live).`,
      security: staffOrKey,
      responses: { 200: jsonResponse('A page of answers', z.object({ items: z.array(listItem), total: z.number(), page: z.number(), pageSize: z.number() })), ...errorResponses(400, 401, 403) },
    }),
    access({ roles: ALL_ROLES, scope: 'answers' }),
    validate('query', listQuery),
    async (c) => {
      const p = principalOf(c);
      // Agents read: they see what is live, never the content team's drafts.
      return c.json(await listAnswers(c.var.ctx.db, p, { ...c.req.valid('query'), liveOnly: isReaderOnly(p) }));
    },
  )
  .get(
    '/answers/:id',
    describeRoute({ tags: ['answers'], summary: 'One answer: live version, working version, history', security: staffOrKey, responses: { 200: jsonResponse('Answer', answerObject), ...errorResponses(400, 401, 403, 404) } }),
    access({ roles: ALL_ROLES, scope: 'answers' }),
    validate('param', idParam),
    async (c) => {
      const found = await getAnswer(c.var.ctx.db, c.req.valid('param').id);
      const answer = found && isReaderOnly(principalOf(c)) ? readerView(found) : found;
      if (!answer) throw notFound('Answer');
      c.header('ETag', `"${answer.etag}"`);
      return c.json(answer);
    },
  )
  .patch(
    '/answers/:id/draft',
    writeDoc('Save the draft', 'Creates a draft from the newest version when there is none (also from a rejected one); a version in review cannot be edited.'),
    access({ roles: STAFF_WRITERS, scope: 'answers' }),
    validate('param', idParam),
    validate('json', draftBody),
    async (c) => {
      const { etag: tag, ...rest } = c.req.valid('json');
      return c.json(await saveDraft(c.var.ctx.db, principalOf(c), c.req.valid('param').id, tag, rest));
    },
  )
  .post(
    '/answers/:id/submit',
    writeDoc('Submit the draft for review (draft -> in_review)'),
    access({ roles: STAFF_WRITERS, scope: 'answers' }),
    validate('param', idParam),
    validate('json', etagBody),
    async (c) => c.json(await submitVersion(c.var.ctx.db, principalOf(c), c.req.valid('param').id, c.req.valid('json').etag)),
  )
  .post(
    '/answers/:id/withdraw',
    writeDoc('Withdraw a submission (in_review -> draft)', 'Only the author or a contributor of the version may withdraw it (403 otherwise).'),
    access({ roles: STAFF_WRITERS, scope: 'answers' }),
    validate('param', idParam),
    validate('json', etagBody),
    async (c) => c.json(await withdrawVersion(c.var.ctx.db, principalOf(c), c.req.valid('param').id, c.req.valid('json').etag)),
  )
  .post(
    '/answers/:id/approve',
    writeDoc('Approve (in_review -> published; reviewer/admin)', 'Four-eyes: whoever wrote, edited or submitted the version gets 403 four_eyes. With effectiveFrom in the future the version goes live at that moment.'),
    access({ roles: REVIEWERS, scope: 'answers' }),
    validate('param', idParam),
    validate('json', approveBody),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(await approveVersion(c.var.ctx.db, principalOf(c), c.req.valid('param').id, body.etag, body.comment));
    },
  )
  .post(
    '/answers/:id/reject',
    writeDoc('Reject (in_review -> rejected; reviewer/admin; comment required)'),
    access({ roles: REVIEWERS, scope: 'answers' }),
    validate('param', idParam),
    validate('json', rejectBody),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(await rejectVersion(c.var.ctx.db, principalOf(c), c.req.valid('param').id, body.etag, body.comment));
    },
  )
  .post(
    '/answers/:id/archive',
    writeDoc('Archive: withdraw from search and the bot (reviewer/admin)', 'An optional `reason` is kept in the audit log.'),
    access({ roles: REVIEWERS, scope: 'answers' }),
    validate('param', idParam),
    validate('json', archiveBody),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(await archiveAnswer(c.var.ctx.db, principalOf(c), c.req.valid('param').id, body.etag, body.reason));
    },
  )
  .post(
    '/answers/:id/unarchive',
    writeDoc('Unarchive (reviewer/admin)', 'An optional `reason` is kept in the audit log.'),
    access({ roles: REVIEWERS, scope: 'answers' }),
    validate('param', idParam),
    validate('json', archiveBody),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(await unarchiveAnswer(c.var.ctx.db, principalOf(c), c.req.valid('param').id, body.etag, body.reason));
    },
  )
  .post(
    '/answers/:id/restore',
    writeDoc('Restore an old version as the new draft', 'The draft (restoredFrom = version) then goes through review.'),
    access({ roles: STAFF_WRITERS, scope: 'answers' }),
    validate('param', idParam),
    validate('json', restoreBody),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(await restoreVersion(c.var.ctx.db, principalOf(c), c.req.valid('param').id, body.etag, body.version));
    },
  )
  .get(
    '/answers/:id/versions',
    describeRoute({ tags: ['answers'], summary: 'All versions, newest first', security: staffOrKey, responses: { 200: jsonResponse('Versions', z.object({ items: z.array(versionObject) })), ...errorResponses(400, 401, 403, 404) } }),
    access({ roles: ALL_ROLES, scope: 'answers' }),
    validate('param', idParam),
    async (c) => {
      const items = await listVersions(c.var.ctx.db, c.req.valid('param').id);
      if (!items) throw notFound('Answer');
      return c.json({ items: isReaderOnly(principalOf(c)) ? items.filter((v) => v.status === 'published' || v.status === 'superseded') : items });
    },
  )
  .get(
    '/answers/:id/diff',
    describeRoute({
      tags: ['answers'],
      summary: 'Diff two versions',
      description: 'Per-field changes, similar questions added/removed, and a body text diff: character level for Chinese, word level for English (mixed text: each Han character and each Latin word is one token).',
      security: staffOrKey,
      responses: { 200: jsonResponse('Diff', diffObject), ...errorResponses(400, 401, 403, 404) },
    }),
    access({ roles: ALL_ROLES, scope: 'answers' }),
    validate('param', idParam),
    validate('query', diffQuery),
    async (c) => {
      const q = c.req.valid('query');
      const diff = await diffAnswerVersions(c.var.ctx.db, c.req.valid('param').id, q.from, q.to, { publishedOnly: isReaderOnly(principalOf(c)) });
      return c.json(diff);
    },
  );
