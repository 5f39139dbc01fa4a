import { get } from 'svelte/store';
import { _ } from 'svelte-i18n';
import { errorCodes, type ErrorCode } from '$server/errors.ts';
import { ApiError } from '../api/client';

// Every code the server can send is explained in the UI's own words (test/unit/i18n-catalogs.test.ts
// fails when a catalog lacks one); 'network' is the client's own. Anything else shows the server's message.
const KNOWN = new Set<string>([...errorCodes, 'network']);
// Codes whose server message names the specifics (which field, which column, which category): shown too.
const WITH_SERVER_TEXT = new Set<ErrorCode>([
  'bad_request', 'unprocessable', 'invalid_transition', 'not_found', 'invalid_body', 'external_id_taken', 'invalid_columns', 'invalid_file',
  'scope_not_allowed', 'http_error', 'invalid_input', 'too_many_records', 'xlsx_too_large', 'body_too_long',
]);

/** "title: must not be empty; tags.3: too long" from the validator's per-field details. */
function fieldProblems(details: unknown): string {
  if (!Array.isArray(details)) return '';
  return details
    .map((d: { path?: string; message?: string }) => [d.path, d.message].filter(Boolean).join(': '))
    .filter(Boolean)
    .join('; ');
}

/** An error in plain words for the person looking at the screen. */
export function describeError(error: unknown): string {
  const t = get(_);
  if (error instanceof ApiError) {
    if (error.code === 'rate_limited') return t('errors.rate_limited', { values: { seconds: error.retryAfter ?? 60 } });
    if (KNOWN.has(error.code)) {
      const base = t(`errors.${error.code}`);
      // Validation messages name the field that is wrong: worth showing as well.
      if (error.code === 'validation_failed') {
        const problems = fieldProblems(error.details);
        return problems ? `${base} (${problems})` : base;
      }
      return WITH_SERVER_TEXT.has(error.code as ErrorCode) && error.message ? `${base} (${error.message})` : base;
    }
    if (error.status === 403) return t('errors.forbidden');
    if (error.status >= 500) return t('errors.server', { values: { message: error.message } });
    return error.message || t('errors.unknown');
  }
  return error instanceof Error ? error.message : String(error);
}
