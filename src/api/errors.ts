import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { summarizeDbError } from '../db/errors.ts';
import { badRequest, conflict, DomainError, isSecurityRefusal, type ErrorCode, unprocessable } from '../errors.ts';
import { recordAudit } from '../audit/record.ts';
import type { Db } from '../db/client.ts';
import type { Principal } from '../auth/principal.ts';

/** The HTTP status of each domain error code: the one place where domain errors meet HTTP. */
export const httpStatus: Record<ErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  invalid_input: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  invalid_credentials: 401,
  wrong_password: 400,
  csrf: 403,
  no_user_account: 403,
  session_required: 403,
  email_taken: 409,
  last_admin: 409,
  user_disabled: 409,
  scope_not_allowed: 403,
  invalid_body: 400,
  unknown_category: 422,
  invalid_dates: 422,
  invalid_transition: 409,
  four_eyes: 403,
  review_needs_person: 403,
  external_id_taken: 409,
  in_use: 409,
  comment_required: 400,
  invalid_utf8: 400,
  invalid_columns: 400,
  invalid_file: 400,
  too_many_records: 413,
  xlsx_too_large: 413,
  body_too_long: 422,
  unsupported_media_type: 415,
  payload_too_large: 413,
  http_error: 400, // the status comes from the HTTPException it wraps
};

export function zodDetails(error: ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** The one error shape of the API: {"error":{"code","message","details?"}}, never a stack trace. */
export function errorResponse(c: Context, err: DomainError, status: ContentfulStatusCode = httpStatus[err.code]) {
  const body: { error: { code: string; message: string; details?: unknown } } = {
    error: { code: err.code, message: err.message },
  };
  if (err.details !== undefined) body.error.details = err.details;
  const headers = err.retryAfter !== undefined ? { 'Retry-After': String(err.retryAfter) } : undefined;
  return c.json(body, status, headers);
}

/**
 * Every refusal is a security event: 403s (role, scope, CSRF, four-eyes, keys minted for others),
 * conflicts on approve/reject (a stale etag when publishing), and errors the domain marked with
 * securityRefusal (a foreign bot session answered with 404). The entry is written in its own
 * transaction, after the refused change rolled back; failing to write it never changes the answer.
 */
async function auditRefusal(err: DomainError, status: ContentfulStatusCode, c: Context): Promise<void> {
  const decision = /\/(approve|reject)$/.test(c.req.path);
  if (!(status === 403 || isSecurityRefusal(err) || (status === 409 && decision))) return;
  const ctx = c.get('ctx' as never) as { db: Db } | undefined;
  if (!ctx) return;
  const principal = c.get('principal' as never) as Principal | undefined;
  try {
    await ctx.db.transaction((tx) =>
      recordAudit(tx, principal ?? { kind: 'system' }, {
        action: 'security.refused',
        entityType: 'request',
        entityId: c.req.path.slice(0, 300),
        details: { method: c.req.method, path: c.req.path.slice(0, 300), status, code: err.code, message: err.message.slice(0, 300), who: principal?.name ?? 'anonymous' },
      }),
    );
  } catch (auditErr) {
    const log = c.get('log' as never) as { error: (o: unknown, m: string) => void } | undefined;
    log?.error({ err: auditErr }, 'could not audit a refused request');
  }
}

/**
 * A database error caused by the request's data, as a 4xx: constraint violations, values the
 * database cannot store (data exceptions, class 22) and limits (class 54). null: a server fault.
 */
function dbErrorAsClientError(code: string | undefined): DomainError | null {
  if (!code) return null;
  if (code === '23505') return conflict('This conflicts with an existing record (it must be unique)');
  if (code === '23503') return conflict('This refers to a record that does not exist or is still in use');
  if (code.startsWith('23')) return unprocessable('The data breaks a rule of the database');
  if (code.startsWith('22')) return badRequest('A value in the request cannot be stored (out of range or not valid text)');
  if (code.startsWith('54')) return unprocessable('The request is too large or too deeply nested to store');
  return null;
}

/** Hono onError: maps every thrown thing to the error shape; nothing internal reaches the client. */
export async function handleError(err: Error, c: Context) {
  if (err instanceof DomainError) {
    await auditRefusal(err, httpStatus[err.code], c);
    return errorResponse(c, err);
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'http_error';
    const mapped = new DomainError(code, err.message || 'Request failed');
    await auditRefusal(mapped, status, c);
    return errorResponse(c, mapped, status);
  }
  if (err instanceof SyntaxError) return errorResponse(c, badRequest('Malformed JSON body'));
  if (err instanceof URIError) return errorResponse(c, badRequest('Malformed percent-escape in the URL'));
  const log = c.get('log' as never) as { error: (o: unknown, m: string) => void; warn: (o: unknown, m: string) => void } | undefined;
  const db = summarizeDbError(err);
  const mapped = dbErrorAsClientError(db?.code);
  if (mapped) {
    log?.warn({ err, method: c.req.method, path: c.req.path }, 'database refused the request data');
    return errorResponse(c, mapped);
  }
  log?.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error');
  return errorResponse(c, new DomainError('internal', 'Internal server error'));
}
