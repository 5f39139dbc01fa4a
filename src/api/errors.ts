import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';

/**
 * The one error shape of the API: {"error":{"code","message","details?"}}. Domain code throws
 * ApiError (or a subclass); anything else becomes a 500 without a stack trace on the wire.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) => new ApiError(400, 'bad_request', message, details);
export const unauthorized = (message = 'Authentication required') => new ApiError(401, 'unauthorized', message);
export const forbidden = (message = 'You do not have permission to do this') => new ApiError(403, 'forbidden', message);
export const notFound = (what = 'Resource') => new ApiError(404, 'not_found', `${what} not found`);
export const conflict = (message: string, details?: unknown) => new ApiError(409, 'conflict', message, details);
export const unprocessable = (message: string, details?: unknown) => new ApiError(422, 'unprocessable', message, details);

export function zodDetails(error: ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

export function errorResponse(c: Context, err: ApiError) {
  const body: { error: { code: string; message: string; details?: unknown } } = {
    error: { code: err.code, message: err.message },
  };
  if (err.details !== undefined) body.error.details = err.details;
  return c.json(body, err.status, err.headers);
}

/** Hono onError: maps every thrown thing to the error shape. */
export function handleError(err: Error, c: Context) {
  if (err instanceof ApiError) return errorResponse(c, err);
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'http_error';
    return errorResponse(c, new ApiError(status, code, err.message || 'Request failed'));
  }
  if (err instanceof SyntaxError) return errorResponse(c, badRequest('Malformed JSON body'));
  const log = c.get('log' as never) as { error: (o: unknown, m: string) => void } | undefined;
  log?.error({ err }, 'unhandled error');
  return errorResponse(c, new ApiError(500, 'internal', 'Internal server error'));
}
