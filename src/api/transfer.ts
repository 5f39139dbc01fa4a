import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { exportContentTypes, exportFileName, exportStream } from '../answers/export.ts';
import { formatFromContentType, parseImportFile, XLSX_LIMITS } from '../answers/import-formats.ts';
import { MAX_BODY_SOURCE_CHARS, MAX_BODY_TEXT_CHARS, MAX_IMPORT_RECORDS } from '../input.ts';
import { importAnswers } from '../answers/import.ts';
import { DomainError, forbidden } from '../errors.ts';
import type { ApiEnv } from './env.ts';
import { ALL_ROLES, REVIEWERS, STAFF_WRITERS, access, principalOf } from './middleware/access.ts';
import { validate } from './middleware/validate.ts';
import { errorResponses, jsonResponse, staffOrKey } from './openapi.ts';

const flag = z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const importQuery = z.strictObject({ publish: flag.optional() });
const exportQuery = z.strictObject({ format: z.enum(['ndjson', 'csv', 'xlsx']).default('ndjson'), status: z.enum(['published', 'all']).default('published') });
const importResult = z.object({
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  errors: z.array(z.object({ line: z.number(), message: z.string() })),
  errorCount: z.number(),
  batchId: z.uuid().nullable().optional().describe('publish=true: the import batch waiting for a second reviewer'),
  status: z.enum(['pending_approval', 'nothing_to_approve']).optional(),
});

/** Bulk import (NDJSON, CSV, XLSX) and export of answers in the public import format. */
export const transferRoutes = new Hono<ApiEnv>()
  .post(
    '/import',
    describeRoute({
      tags: ['import/export'],
      summary: 'Import answers (NDJSON, CSV or XLSX), idempotent by externalId',
      description: [
        'Body: `application/x-ndjson` (one `{"externalId","title","similarQuestions":[...],"body" (Markdown or HTML),"category","tags":[],"channels":[...]}` per line,',
        'optional botText, effectiveFrom, expiresAt, reviewDueAt), `text/csv` or an XLSX workbook (first sheet) with the columns',
        'externalId,title,similarQuestions,body,category,tags,channels,botText,effectiveFrom,expiresAt,reviewDueAt (similar questions separated by newlines or |, tags and channels by | or comma).',
        'Identical content is left unchanged; changed content becomes a new version: a draft, or with `publish=true` a version in review staged in an import batch',
        '(needs the reviewer or admin role, plus the `import` scope for API keys). Nothing is live yet: the answer adds `batchId` and `status: "pending_approval"`',
        '(`batchId: null, status: "nothing_to_approve"` when nothing changed), and a second reviewer (never the importer) publishes it with',
        '`POST /import-batches/{id}/approve` or turns it down with `/reject`. A script can load a knowledge base with two reviewer keys, each created by its reviewer.',
        'An answer with a version already in review is reported as an error line.',
        'Partial success: good lines import and bad lines are reported in `errors` with their line (CSV/XLSX: row, header = 1).',
        'Each record is validated completely before anything is written, so one bad line never fails the others; records are written in batches of 500 (a record the database still refuses is isolated and reported alone).',
        '`errors` holds the first 1,000 errors by line (messages are short, never SQL); `errorCount` counts all of them.',
        `Limits: ${MAX_IMPORT_RECORDS} records per request, body ${MAX_BODY_SOURCE_CHARS} characters of Markdown/HTML and ${MAX_BODY_TEXT_CHARS} of text per answer; XLSX ${XLSX_LIMITS.uncompressedBytes / 1024 / 1024} MB uncompressed, ${XLSX_LIMITS.cells} cells.`,
        'Missing categories are created. 400 invalid_utf8 / invalid_columns / invalid_file, 413 too large / too_many_records, 415 other content types.',
      ].join(' '),
      security: staffOrKey,
      responses: { 200: jsonResponse('Counts and per-line errors', importResult), ...errorResponses(400, 401, 403, 413, 415) },
    }),
    access({ roles: STAFF_WRITERS, scope: 'import' }),
    validate('query', importQuery),
    async (c) => {
      const principal = principalOf(c);
      const publish = c.req.valid('query').publish ?? false;
      if (publish && principal.kind !== 'master' && !REVIEWERS.includes(principal.role)) {
        throw forbidden('publish=true stages an import batch for approval: it needs the reviewer or admin role / 导入发布需要审核员或管理员权限');
      }
      const format = formatFromContentType(c.req.header('content-type'));
      if (!format) {
        throw new DomainError('unsupported_media_type', 'Send application/x-ndjson, text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      }
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const parsed = await parseImportFile(bytes, format);
      const result = await importAnswers(c.var.ctx.db, parsed.records, {
        publish: false,
        stage: publish,
        actor: principal,
        lines: parsed.lines,
        parseErrors: parsed.errors,
        parseErrorsDropped: parsed.errorsDropped,
        source: `api:${format}`,
      });
      return c.json(result);
    },
  )
  .get(
    '/export',
    describeRoute({
      tags: ['import/export'],
      summary: 'Export answers as a file (ndjson, csv, xlsx) in the import format',
      description: 'status=published: the live version of each answer; status=all: the newest version of every answer, drafts and archived included (staff writers only). Re-importing an export changes nothing.',
      security: staffOrKey,
      responses: { 200: { description: 'File download (Content-Disposition: attachment)' }, ...errorResponses(400, 401, 403) },
    }),
    access({ roles: ALL_ROLES, scope: 'import' }),
    validate('query', exportQuery),
    async (c) => {
      const { format, status } = c.req.valid('query');
      const principal = principalOf(c);
      if (status === 'all' && principal.kind !== 'master' && !STAFF_WRITERS.includes(principal.role)) {
        throw forbidden('status=all includes unpublished drafts: it needs an editor, reviewer or admin');
      }
      return c.body(exportStream(c.var.ctx.db, format, status), 200, {
        'Content-Type': exportContentTypes[format],
        'Content-Disposition': `attachment; filename="${exportFileName(format, status)}"`,
        'Cache-Control': 'no-store',
      });
    },
  );
