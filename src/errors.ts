/**
 * Domain errors: what went wrong, said once, with a stable code. A leaf module (no HTTP, no imports
 * from the app) shared by the domain, the API, the CLIs and the workers. `src/api/errors.ts` maps each
 * code to an HTTP status and writes the wire shape {"error":{"code","message","details?"}}; a CLI
 * prints the message. Throw through the named constructors below, or `new DomainError(code, ...)` for
 * a code that has no generic constructor.
 */

/** Every code the service can put on the wire. The app's i18n catalogs are checked against this list. */
export const errorCodes = [
  // generic
  'bad_request',
  // input policy at the edge: NUL, unpaired surrogates, malformed escapes, too deep (names the field)
  'invalid_input',
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'unprocessable',
  'rate_limited',
  'internal',
  // authentication and accounts
  'invalid_credentials',
  'wrong_password',
  'csrf',
  'no_user_account',
  'session_required',
  'email_taken',
  'last_admin',
  'user_disabled',
  'scope_not_allowed',
  // answers and the review workflow
  'invalid_body',
  'unknown_category',
  'invalid_dates',
  'invalid_transition',
  'four_eyes',
  'review_needs_person',
  'external_id_taken',
  'in_use',
  'comment_required',
  // import files
  'invalid_utf8',
  'invalid_columns',
  'invalid_file',
  'too_many_records',
  'xlsx_too_large',
  'body_too_long',
  // transport (raised by the HTTP layer itself)
  'unsupported_media_type',
  'payload_too_large',
  'http_error',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Machine-readable context for the caller (field issues, the current version, counts ...). */
    readonly details?: unknown,
    /** For rate_limited: seconds until another attempt may succeed (the API sends Retry-After). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badRequest = (message: string, details?: unknown) => new DomainError('bad_request', message, details);
/** Input that fails a rule; details lists {path, message} per field where known. */
export const validation = (message: string, details?: unknown) => new DomainError('validation_failed', message, details);
export const unauthorized = (message = 'Authentication required') => new DomainError('unauthorized', message);
export const forbidden = (message = 'You do not have permission to do this') => new DomainError('forbidden', message);
export const notFound = (what = 'Resource') => new DomainError('not_found', `${what} not found`);
export const conflict = (message: string, details?: unknown) => new DomainError('conflict', message, details);
export const unprocessable = (message: string, details?: unknown) => new DomainError('unprocessable', message, details);
export const rateLimited = (message: string, retryAfter: number, details?: unknown) => new DomainError('rate_limited', message, details, retryAfter);

const securityRefusals = new WeakSet<Error>();

/**
 * Marks an error as a refusal worth a security audit entry although its code is not a 403 (e.g. a
 * foreign bot session answered with not_found so its existence does not leak). The API audits it.
 */
export function securityRefusal<T extends Error>(err: T): T {
  securityRefusals.add(err);
  return err;
}

export function isSecurityRefusal(err: Error): boolean {
  return securityRefusals.has(err);
}
